"""Drive RQ 1.13 against the Redis on port argv[1] with a long-running `rq worker --with-scheduler`
(not burst), the way a dev or CI service container runs it, and print what RQ saw as JSON: jobs
picked up while the worker blocks in BLPOP, job timeouts, result_ttl=0, stopping a running job and
shutting the worker down through RQ's pub/sub commands, the scheduler process, requeueing a
failed job, and the queue calls a producer makes before a worker exists (enqueue_many, positions,
remove, empty)."""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

from redis import Redis
from rq import Queue, Worker
from rq.command import send_shutdown_command, send_stop_job_command
from rq.job import Job
from rq.registry import FailedJobRegistry

import rq_jobs

port = int(sys.argv[1])
conn = Redis(host="127.0.0.1", port=port, socket_timeout=20)
conn.flushdb()  # a fresh server in the test; lets the driver be rerun by hand against one Redis
q = Queue("live", connection=conn)
seen = {}


def until(what, ready, limit=20.0):
    stop = time.monotonic() + limit
    while not ready():
        if time.monotonic() > stop:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def status(job):
    return Job.fetch(job.id, connection=conn).get_status()


def settled(job):
    return lambda: status(job) in ("finished", "failed", "stopped", "canceled")


# --- a producer with no worker yet ------------------------------------------------------------
jobs = q.enqueue_many([
    Queue.prepare_data(rq_jobs.add, (1, 1), job_id="many-1"),
    Queue.prepare_data(rq_jobs.add, (2, 2), job_id="many-2"),
    Queue.prepare_data(rq_jobs.add, (3, 3), job_id="many-3"),
])
seen["producer"] = {
    "ids": [j.id for j in jobs],
    "job_ids": q.job_ids,
    "position": jobs[2].get_position(),  # LPOS
    "queue_position": q.get_job_position("many-2"),
    "fetch_job": q.fetch_job("many-1").args,
}
q.remove("many-2")
seen["producer"]["after_remove"] = q.job_ids
seen["producer"]["empty"] = q.empty()  # a Lua script that deletes the jobs too
seen["producer"]["after_empty"] = [q.count, Job.exists("many-1", connection=conn)]

# --- the worker -------------------------------------------------------------------------------
worker = subprocess.Popen(
    [
        sys.executable, "-m", "rq.cli", "worker", "--with-scheduler", "--name", "live-worker",
        "--url", f"redis://127.0.0.1:{port}", "--path", os.path.dirname(os.path.abspath(__file__)),
        "live",
    ],
    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
)
try:
    until("the worker to register", lambda: [w.name for w in Worker.all(connection=conn)] == ["live-worker"])
    time.sleep(0.3)  # let it reach its BLPOP, so the next job wakes a blocked worker

    add = q.enqueue(rq_jobs.add, 20, 22)
    until("add", settled(add))
    gone = q.enqueue(rq_jobs.add, 1, 2, result_ttl=0)
    until("result_ttl=0 job to go", lambda: not Job.exists(gone.id, connection=conn))
    timeout = q.enqueue(rq_jobs.sleep_for, 30, job_timeout=1)
    until("timeout", settled(timeout))
    long = q.enqueue(rq_jobs.sleep_for, 30)
    until("the long job to start", lambda: status(long) == "started")
    send_stop_job_command(conn, long.id)
    until("the stopped job", settled(long))
    soon = q.enqueue_in(timedelta(seconds=1), rq_jobs.add, 5, 5)
    until("the scheduled job", settled(soon))
    flaky = q.enqueue(rq_jobs.flaky, "rq-test:flaky", 1)
    until("flaky's first run", settled(flaky))
    first_status = status(flaky)
    FailedJobRegistry(queue=q).requeue(flaky.id)
    until("flaky's rerun", lambda: status(flaky) == "finished")

    worker_state = {
        w.name: [w.successful_job_count, w.failed_job_count] for w in Worker.all(connection=conn)
    }
    send_shutdown_command(conn, "live-worker")
    exit_code = worker.wait(timeout=20)
finally:
    if worker.poll() is None:
        worker.kill()
    output = worker.communicate()[0]


def fetch(job):
    return Job.fetch(job.id, connection=conn)


seen["worker"] = {
    "add": [status(add), fetch(add).return_value()],
    "timeout": [status(timeout), fetch(timeout).exc_info.strip().splitlines()[-1]],
    "stopped": status(long),
    "stopped_in_failed_registry": long.id in FailedJobRegistry(queue=q).get_job_ids(),
    "scheduled": [status(soon), fetch(soon).return_value()],
    "requeued": [first_status, status(flaky), fetch(flaky).return_value()],
    "counts": worker_state,
    "exit": exit_code,
    "workers_after": Worker.all(connection=conn),
    "shutdown_logged": "shutdown" in output.lower() or "stopping" in output.lower(),
}
if exit_code != 0:
    seen["worker"]["output"] = output
print(json.dumps(seen, sort_keys=True, default=str))
