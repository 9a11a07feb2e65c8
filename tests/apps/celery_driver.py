"""Drive Celery 5.2 (Debian's python3-celery over python3-kombu and python3-redis) against the Redis
on port argv[1] and print what it saw as JSON. Real `celery worker` processes run the tasks in
celery_tasks.py; this script is the producer and reads results, the backend's keys and the
broker's queues, and asks the workers questions through `celery inspect`."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

from redis import Redis

HERE = os.path.dirname(os.path.abspath(__file__))
PORT = int(sys.argv[1])
os.environ["CELERY_TEST_PORT"] = str(PORT)
sys.path.insert(0, HERE)

from celery import chain, chord, group  # noqa: E402
from celery.result import AsyncResult  # noqa: E402

import celery_tasks as t  # noqa: E402

broker = Redis(host="127.0.0.1", port=PORT, db=1, socket_timeout=20)
backend = Redis(host="127.0.0.1", port=PORT, db=2, socket_timeout=20)
Redis(host="127.0.0.1", port=PORT, socket_timeout=20).flushall()  # lets it be rerun by hand
seen = {}
workers = []
WAIT = 30  # seconds: every wait is bounded; generous for a loaded 2-core machine


T0 = time.monotonic()


def phase(name):
    """Timestamps on stderr: the test shows them when it fails, to tell slow from stuck."""
    print(f"{time.monotonic() - T0:6.2f}s {name}", file=sys.stderr)


def until(what, ready, limit=WAIT):
    stop = time.monotonic() + limit
    while not ready():
        if time.monotonic() > stop:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def start_worker(name, vt=None):
    """`celery worker` with its default prefork pool, as projects run it (the pool users deploy
    and the one with worker children, revoke-terminate and warm shutdown of a busy child);
    concurrency 2 instead of one child per core keeps it light. Mingle, gossip and heartbeats
    stay on: they are the pub/sub and fanout traffic a stock worker sends."""
    env = dict(os.environ, PYTHONPATH=HERE)
    if vt is not None:
        env["CELERY_TEST_VT"] = str(vt)
    # A file, not a pipe nobody reads until the end: a full pipe would block the worker's logging.
    log = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "celery_tasks", "worker", "--pool=prefork",
            "--concurrency=2", "--loglevel=INFO", "-n", f"{name}@ci", "-Q", "celery,other",
        ],
        cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,  # its own process group, so a kill reaches the pool children
    )
    proc.log = log
    workers.append(proc)
    node = f"{name}@ci"
    until(f"{node} to answer a ping", lambda: any(node in r for r in t.app.control.ping(timeout=0.5)))
    return proc


def inspect(command, node="one@ci"):
    """`celery inspect <command> --json` as a user runs it: control commands go out through the
    broker's pub/sub fanout and the replies come back through the reply queue. Naming the
    destination lets it return at the first reply instead of waiting out the timeout."""
    out = subprocess.run(
        [
            sys.executable, "-m", "celery", "-A", "celery_tasks", "inspect", command, "-t", "10",
            "-d", node, "-j",
        ],
        cwd=HERE, env=dict(os.environ, PYTHONPATH=HERE), capture_output=True, text=True, timeout=WAIT,
    )
    if out.returncode != 0:
        raise SystemExit(f"celery inspect {command} exited {out.returncode}: {out.stdout}{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def meta(task_id):
    raw = backend.get(f"celery-task-meta-{task_id}")
    return None if raw is None else json.loads(raw)


def unacked():
    return broker.hlen("unacked")


try:
    # --- before any worker: routing, priority lists, purge ---------------------------------------
    phase("purge")
    for i in range(2):
        t.add.apply_async((i, i), queue="other")
        t.add.apply_async((i, i), priority=3 * i + 3)
    t.add.delay(0, 0)
    seen["purge"] = {
        # kombu's Redis transport keeps one list per priority step: "celery\x06\x163", ...
        "lists": sorted(k.decode() for k in broker.keys("*") if b"binding" not in k),
        "purged": t.app.control.purge(),
        "left": sorted(k.decode() for k in broker.keys("*")),
    }

    first = start_worker("one")

    # --- results through the backend's pub/sub result consumer ----------------------------------
    phase("results")
    r = t.add.delay(2, 3)
    seen["add"] = [r.get(timeout=WAIT), r.state, meta(r.id)["status"]]

    failed = t.boom.delay("bad input: ✗")
    try:
        failed.get(timeout=WAIT)
        seen["boom"] = "no exception"
    except ValueError as e:
        m = meta(failed.id)
        seen["boom"] = {
            "raised": f"{type(e).__name__}: {e}",
            "state": failed.state,
            "stored": [m["status"], m["result"]["exc_type"], m["result"]["exc_message"]],
            "traceback_last_line": m["traceback"].strip().splitlines()[-1],
            "traceback_names_task": "in boom" in failed.traceback,
        }

    # --- retries: autoretry_for and self.retry(countdown=1) -------------------------------------
    phase("retries")
    auto = t.flaky_auto.delay("celery-test:auto", 2)
    bound = t.flaky_bound.delay("celery-test:bound")
    seen["retries"] = {
        "auto": auto.get(timeout=WAIT),
        "bound": bound.get(timeout=WAIT),
        "auto_attempts": int(Redis(host="127.0.0.1", port=PORT, db=3).get("celery-test:auto")),
    }

    # --- countdown and eta: kombu holds them unacked (the "unacked" hash and index zset) --------
    phase("countdown and eta")
    sent = time.time()
    cd = t.ran_at.apply_async(("countdown",), countdown=3)
    eta = t.ran_at.apply_async(("eta",), eta=datetime.now(timezone.utc) + timedelta(seconds=3))
    until("the worker to hold both delayed tasks", lambda: unacked() == 2)
    seen["delayed"] = {
        "held_unacked": [unacked(), broker.zcard("unacked_index")],
        "pending_before_due": [cd.state, eta.state],
        "countdown_waited": cd.get(timeout=WAIT)["at"] - sent >= 2.5,
        "eta_waited": eta.get(timeout=WAIT)["at"] - sent >= 2.5,
    }
    until("the delayed tasks to be acked", lambda: unacked() == 0)
    seen["delayed"]["unacked_after"] = [unacked(), broker.zcard("unacked_index")]

    # --- canvas: group, chain, chord ------------------------------------------------------------
    phase("canvas")
    seen["group"] = group(t.add.s(i, i) for i in range(5)).apply_async().get(timeout=WAIT)
    seen["chain"] = chain(t.add.s(1, 2), t.add.s(3), t.add.s(4)).apply_async().get(timeout=WAIT)
    ch = chord((t.add.s(i, 1) for i in range(4)), t.tsum.s()).apply_async()
    seen["chord"] = {
        "result": ch.get(timeout=WAIT),
        "parent_results": ch.parent.get(timeout=WAIT),
        # The Redis backend counts finished header tasks in celery-task-meta-<group>.j/.t keys
        # (RPUSH/INCR with an expiry) and deletes them once the callback is sent.
        "counter_keys_left": sorted(k.decode() for k in backend.keys(f"*{ch.parent.id}.*")),
    }

    # --- revoke: broadcast over the pub/sub fanout; the worker drops the held task ---------------
    phase("revoke")
    doomed = t.add.apply_async((1, 1), countdown=3)
    until("the worker to hold the task it will revoke", lambda: unacked() == 1)
    doomed.revoke()
    try:
        doomed.get(timeout=WAIT)
        revoked = "ran"
    except Exception as e:  # celery.exceptions.TaskRevokedError
        revoked = type(e).__name__
    seen["revoke"] = {"raised": revoked, "state": doomed.state, "stored": meta(doomed.id)["status"]}
    seen["revoke"]["in_revoked_list"] = doomed.id in inspect("revoked")["one@ci"]

    # --- forget ---------------------------------------------------------------------------------
    phase("forget")
    gone = t.add.delay(10, 10)
    gone.get(timeout=WAIT)
    had_key = meta(gone.id) is not None
    gone.forget()
    seen["forget"] = [had_key, meta(gone.id), AsyncResult(gone.id, app=t.app).state]

    # --- celery inspect: ping, registered, active -----------------------------------------------
    phase("inspect")
    working = t.slow.delay(3)
    active = []

    def running():
        active[:] = inspect("active")["one@ci"]
        return bool(active)

    until("slow to start", running)
    seen["inspect"] = {
        "ping": inspect("ping"),
        "registered": sorted(n for n in inspect("registered")["one@ci"] if n.startswith("celery_tasks.")),
        "active": [[a["name"], a["id"] == working.id, a["args"]] for a in active],
    }

    # --- more of what projects use: queues, priorities, limits, terminate, expiry --------------
    phase("extras")
    seen["extras"] = {
        "other_queue": t.add.apply_async((1, 2), queue="other").get(timeout=WAIT),
        "priorities": [
            r.get(timeout=WAIT) for r in [t.add.apply_async((i, 1), priority=i) for i in (0, 5, 9)]
        ],
        # join_native waits on the results through the backend's pub/sub consumer
        "join_native": group(t.add.s(i, i) for i in range(4)).apply_async().join_native(timeout=WAIT),
        "rate_limit": t.app.control.rate_limit(
            "celery_tasks.ran_at", "100/m", destination=["one@ci"], reply=True, timeout=5,
        ),
    }
    x = seen["extras"]
    expired = t.add.apply_async((1, 1), expires=0.001)
    time.sleep(0.05)
    limited = t.slow.apply_async((30,), time_limit=1)
    bad_chord = chord([t.add.s(1, 1), t.boom.s("header fails")], t.tsum.s()).apply_async()
    for name, res in [("expired", expired), ("time_limit", limited), ("chord_error", bad_chord)]:
        try:
            x[name] = ["ran", res.get(timeout=WAIT)]
        except Exception as e:
            x[name] = [type(e).__name__, str(e), res.state]
    long = t.slow.delay(30)
    until("the long task to start", lambda: any(a["id"] == long.id for a in inspect("active")["one@ci"]))
    long.revoke(terminate=True)  # SIGTERM to the pool child running it
    try:
        x["terminated"] = ["ran", long.get(timeout=WAIT)]
    except Exception as e:
        x["terminated"] = [type(e).__name__, long.state]

    # --- warm shutdown on SIGTERM: the busy task finishes, the held ETA task goes back ----------
    phase("warm shutdown")
    later = t.add.apply_async((20, 22), countdown=5)
    until("the worker to hold the ETA task", lambda: unacked() == 1)
    # The Python API this time (the CLI's start-up would eat into the countdown).
    api = t.app.control.inspect(destination=["one@ci"], timeout=10)
    seen["scheduled"] = [s["request"]["id"] == later.id for s in api.scheduled()["one@ci"]]
    seen["stats_transport"] = api.stats()["one@ci"]["broker"]["transport"]
    seen["active_queues"] = sorted(q["name"] for q in api.active_queues()["one@ci"])
    busy = t.slow.delay(2)
    until("the task shutdown waits for", lambda: any(a["id"] == busy.id for a in api.active()["one@ci"]))
    first.send_signal(signal.SIGTERM)
    code = first.wait(timeout=WAIT)
    first.log.seek(0)
    log = first.log.read()
    seen["warm_shutdown"] = {
        "exit": code,
        "busy_finished": [busy.state, busy.get(timeout=WAIT)],  # it ran to the end
        "logged": "warm shutdown" in log.lower(),
        # kombu restores what the worker held to the queue list on close.
        "restored": [broker.llen("celery"), unacked()],
    }
    if code != 0:
        seen["warm_shutdown"]["log"] = log

    # --- a second worker picks up the restored task ---------------------------------------------
    phase("second worker")
    second = start_worker("two")
    seen["restored_ran"] = later.get(timeout=WAIT)

    # --- visibility timeout: a killed worker's held message comes back to another worker --------
    phase("visibility timeout")
    orphan = t.add.apply_async((5, 5), countdown=3)
    until("the second worker to hold the ETA task", lambda: unacked() == 1)
    os.killpg(second.pid, signal.SIGKILL)
    second.wait(timeout=WAIT)
    seen["killed"] = {"still_unacked": unacked(), "queue": broker.llen("celery")}
    time.sleep(1.2)  # older than the third worker's 1 s visibility timeout
    third = start_worker("three", vt=1)
    seen["killed"]["redelivered"] = orphan.get(timeout=WAIT)

    # --- `celery control shutdown`: the broadcast stops the worker, which exits 0 ----------------
    phase("control shutdown")
    t.app.control.shutdown(destination=["three@ci"])
    seen["control_shutdown_exit"] = third.wait(timeout=WAIT)
finally:
    for w in workers:
        if w.poll() is None:
            try:
                os.killpg(w.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            w.wait(timeout=WAIT)

print(json.dumps(seen, sort_keys=True, ensure_ascii=False))
