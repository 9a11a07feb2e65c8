"""Job functions for tests/apps/rq_test.ts: module-level so RQ's worker can import them by name."""
import time

from rq import Worker, get_current_job
from rq.job import Job


def add(a, b):
    return a + b


def describe(text, **extra):
    """Round-trips str, dict and kwargs through RQ's pickle serializer."""
    return {"text": text, "upper": text.upper(), "extra": extra}


def boom(message):
    raise ValueError(message)


def record(tag):
    """Append `tag` to a list so the test sees the order the worker ran jobs in."""
    get_current_job().connection.rpush("rq-test:order", tag)
    return tag


def with_meta(steps):
    """Save progress into job.meta the way RQ users report progress."""
    job = get_current_job()
    for step in range(1, steps + 1):
        job.meta["progress"] = step
        job.save_meta()
    job.meta["done"] = True
    job.save_meta()
    return steps


def flaky(key, failures):
    """Fail the first `failures` attempts (counted in Redis), then return the attempt number."""
    attempt = get_current_job().connection.incr(key)
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} fails")
    return attempt


def parent_result_plus(parent_id, n):
    """A dependent job: reads the job it depends on, which must have finished first."""
    job = get_current_job()
    parent = Job.fetch(parent_id, connection=job.connection)
    return parent.return_value() + n


def workers_seen():
    """What Worker.all reports while a job runs: this worker, busy, on this job."""
    job = get_current_job()
    return [
        {
            "name": w.name,
            "state": w.get_state(),
            "queues": w.queue_names(),
            "current_job": w.get_current_job_id(),
        }
        for w in Worker.all(connection=job.connection)
    ] + [{"self": job.id}]


def sleep_for(seconds):
    time.sleep(seconds)
    return seconds
