"""The Celery app and tasks for tests/apps/celery_test.ts: module-level so `celery -A celery_tasks
worker` imports the same app the producer (celery_driver.py) uses. The Redis port comes from
CELERY_TEST_PORT; the broker (db 1) and the result backend (db 2) are separate databases, as
projects usually configure them, and a plain redis-py client on db 3 keeps the tasks' counters."""
import os
import time

from celery import Celery
from redis import Redis

PORT = int(os.environ["CELERY_TEST_PORT"])
app = Celery(
    "celery_tasks",
    broker=f"redis://127.0.0.1:{PORT}/1",
    backend=f"redis://127.0.0.1:{PORT}/2",
)
app.conf.update(
    # The visibility timeout is how long kombu leaves a delivered but unacked message (an ETA
    # task a worker holds) before another worker restores it to the queue. The driver lowers it
    # for the worker that must restore a killed worker's message; the default (1 h) otherwise.
    broker_transport_options={"visibility_timeout": float(os.environ.get("CELERY_TEST_VT", 3600))},
    result_expires=600,
    # The worker's own log shows task tracebacks; keep the driver's stderr for failures.
    worker_hijack_root_logger=False,
    # Keep the old default explicitly: Celery 5.2 warns about it at every worker start.
    broker_connection_retry_on_startup=True,
)
counters = Redis(host="127.0.0.1", port=PORT, db=3, socket_timeout=20)


@app.task
def add(x, y):
    return x + y


@app.task
def tsum(values):
    """A chord callback: gets the header's results as a list."""
    return sum(values)


@app.task
def boom(message):
    raise ValueError(message)


@app.task
def ran_at(tag):
    """Record when the worker ran it, so the test can compare with when it was sent."""
    return {"tag": tag, "at": time.time()}


@app.task
def slow(seconds):
    time.sleep(seconds)
    return f"slept {seconds}"


@app.task(autoretry_for=(RuntimeError,), retry_kwargs={"max_retries": 3, "countdown": 1})
def flaky_auto(key, failures):
    """Raise RuntimeError for the first `failures` attempts; Celery's autoretry re-sends it."""
    attempt = counters.incr(key)
    if attempt <= failures:
        raise RuntimeError(f"attempt {attempt} fails")
    return attempt


@app.task(bind=True, max_retries=2)
def flaky_bound(self, key):
    """Retry once through self.retry(countdown=1), then report the retry count Celery kept."""
    attempt = counters.incr(key)
    if attempt == 1:
        raise self.retry(countdown=1)
    return {"attempt": attempt, "retries": self.request.retries}
