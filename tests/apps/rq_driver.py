"""Drive RQ 1.13 (Debian's python3-rq) against the Redis on port argv[1] and print what it saw as
JSON: jobs enqueued by a producer, then run by `rq worker --burst --with-scheduler` in a child
process, then inspected through RQ's own API (statuses, results, registries, meta, workers)."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

from redis import Redis
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import (
    CanceledJobRegistry,
    DeferredJobRegistry,
    FailedJobRegistry,
    FinishedJobRegistry,
    ScheduledJobRegistry,
    StartedJobRegistry,
)

import rq_jobs

port = int(sys.argv[1])
conn = Redis(host="127.0.0.1", port=port, socket_timeout=20)
q = Queue("default", connection=conn)
low = Queue("low", connection=conn)
seen = {}
conn.flushdb()  # a fresh server in the test; lets the driver be rerun by hand against one Redis

# --- producer ---------------------------------------------------------------------------------
add = q.enqueue(rq_jobs.add, 2, 3, job_id="add-job")
text = q.enqueue(rq_jobs.describe, "héllo wörld", flag=True, n=[1, 2])
fail = q.enqueue(rq_jobs.boom, "bad input: ✗")
meta = q.enqueue(rq_jobs.with_meta, 3, meta={"owner": "ci"})
flaky = q.enqueue(rq_jobs.flaky, "rq-test:flaky", 2, retry=Retry(max=2))
hopeless = q.enqueue(rq_jobs.flaky, "rq-test:hopeless", 99, retry=Retry(max=2))
parent = q.enqueue(rq_jobs.add, 40, 0)
child = q.enqueue(rq_jobs.parent_result_plus, parent.id, 2, depends_on=parent)
# Dotted-path enqueue, as producers that do not import the job module write it.
by_name = low.enqueue("rq_jobs.record", "low-queue")
first = q.enqueue(rq_jobs.record, "front", at_front=True)
workers = q.enqueue(rq_jobs.workers_seen)
canceled = q.enqueue(rq_jobs.record, "canceled")
deleted = q.enqueue(rq_jobs.record, "deleted")
soon = q.enqueue_in(timedelta(seconds=1), rq_jobs.add, 10, 20)
later = q.enqueue_in(timedelta(hours=1), rq_jobs.add, 0, 0)

seen["before"] = {
    "count": q.count,
    "low_count": low.count,
    "front_job_first": q.job_ids[0] == first.id,
    "statuses": {
        "add": add.get_status(),
        "child": child.get_status(),
        "soon": soon.get_status(),
    },
    "deferred": DeferredJobRegistry(queue=q).get_job_ids() == [child.id],
    "scheduled": sorted(ScheduledJobRegistry(queue=q).get_job_ids()) == sorted([soon.id, later.id]),
    "fetched_args": list(Job.fetch("add-job", connection=conn).args),
    "fetched_func": Job.fetch("add-job", connection=conn).func_name,
    "queues": sorted(x.name for x in Queue.all(connection=conn)),
}

canceled.cancel()
deleted.delete()
try:
    Job.fetch(deleted.id, connection=conn)
    seen["deleted_fetch"] = "found"
except NoSuchJobError as e:
    seen["deleted_fetch"] = str(e).replace(deleted.id, "<id>")
seen["after_cancel"] = {
    "count": q.count,
    "canceled_status": canceled.get_status(refresh=True),
    "canceled_registry": CanceledJobRegistry(queue=q).get_job_ids() == [canceled.id],
    "deleted_exists": Job.exists(deleted.id, connection=conn),
    "deleted_in_queue": deleted.id in q.job_ids,
}
seen["workers_before"] = Worker.all(connection=conn)

# --- the worker, as CI users run it -----------------------------------------------------------
# The stock forking Worker through the `rq` CLI (python -m rq.cli is /usr/bin/rq), in burst mode:
# that is what a CI job runs to drain queues. --with-scheduler makes the burst worker move due
# scheduled jobs onto their queue first, so wait until `soon` is due.
time.sleep(1.3)
worker = subprocess.run(
    [
        sys.executable, "-m", "rq.cli", "worker", "--burst", "--with-scheduler",
        "--url", f"redis://127.0.0.1:{port}", "--name", "ci-worker",
        "--path", os.path.dirname(os.path.abspath(__file__)), "default", "low",
    ],
    capture_output=True, text=True, timeout=60,
)
seen["worker_exit"] = worker.returncode
if worker.returncode != 0:
    seen["worker_output"] = worker.stdout + worker.stderr

# --- what RQ reports afterwards ---------------------------------------------------------------
def fetch(job):
    return Job.fetch(job.id, connection=conn)


seen["after"] = {
    "count": q.count,
    "low_count": low.count,
    "statuses": {
        name: fetch(job).get_status()
        for name, job in [
            ("add", add), ("text", text), ("fail", fail), ("meta", meta), ("flaky", flaky),
            ("hopeless", hopeless), ("parent", parent), ("child", child), ("by_name", by_name),
            ("first", first), ("workers", workers), ("canceled", canceled), ("soon", soon),
            ("later", later),
        ]
    },
    "results": {
        "add_result": fetch(add).result,
        "add_return_value": fetch(add).return_value(),
        "text": fetch(text).return_value(),
        "meta": fetch(meta).return_value(),
        "flaky": fetch(flaky).return_value(),
        "child": fetch(child).return_value(),
        "by_name": fetch(by_name).return_value(),
        "soon": fetch(soon).return_value(),
        "later": fetch(later).return_value(),
    },
    "meta": fetch(meta).meta,
    "order": [x.decode() for x in conn.lrange("rq-test:order", 0, -1)],
    "attempts": {
        "flaky": int(conn.get("rq-test:flaky")),
        "hopeless": int(conn.get("rq-test:hopeless")),
    },
    "retries_left": {"flaky": fetch(flaky).retries_left, "hopeless": fetch(hopeless).retries_left},
    "failed_registry": sorted(FailedJobRegistry(queue=q).get_job_ids()) == sorted([fail.id, hopeless.id]),
    "fail_exc_last_line": fetch(fail).exc_info.strip().splitlines()[-1],
    "hopeless_exc_last_line": fetch(hopeless).exc_info.strip().splitlines()[-1],
    "fail_latest_result_type": fetch(fail).latest_result().type.name,
    "finished_registry": sorted(FinishedJobRegistry(queue=q).get_job_ids())
    == sorted(j.id for j in [add, text, meta, flaky, parent, child, first, workers, soon]),
    "started_registry": StartedJobRegistry(queue=q).get_job_ids(),
    "deferred": DeferredJobRegistry(queue=q).get_job_ids(),
    "scheduled": ScheduledJobRegistry(queue=q).get_job_ids() == [later.id],
    "workers_during": [
        {k: "<this job>" if v == workers.id else v for k, v in w.items()}
        for w in fetch(workers).return_value()
    ],
    "workers_after": Worker.all(connection=conn),
    "worker_count_after": Worker.count(connection=conn),
}
print(json.dumps(seen, sort_keys=True, default=str))
