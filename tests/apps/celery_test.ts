/**
 * Celery (Debian's python3-celery 5.2 over python3-kombu 5.2 and python3-redis), unchanged, on
 * basekv as both broker and result backend (`redis://127.0.0.1:<port>/1` and `/2`), with real
 * `celery worker` processes (celery_driver.py; the tasks live in celery_tasks.py): results read
 * through the backend's pub/sub result consumer, a failure's exception and traceback, autoretry
 * and self.retry, countdown/eta tasks held in kombu's unacked hash and index, group/chain/chord
 * (the backend's chord counter), revoke over the pub/sub fanout, forget, `celery inspect`
 * ping/registered/active/revoked/scheduled/stats/active_queues, a second queue, priority lists,
 * purge, join_native, rate_limit, expires, time_limit, revoke(terminate=True), a failing chord
 * header, warm shutdown on SIGTERM restoring the held message, a killed worker's message
 * restored by another worker after the visibility timeout, and `control shutdown`.
 * The `forget` step read nothing back at first: basekv delivered a PUBLISH inside MULTI before
 * the SETEX beside it had committed (the backend stores and announces a result in one MULTI).
 * @module
 */
import assert from "node:assert/strict";
import { startTarget } from "./target.ts";
import { PYTHON } from "../helpers/python.ts";

Deno.test("celery: prefork workers run tasks, retries, ETA, canvas, revoke, forget, inspect, warm shutdown and restore", async () => {
  await using target = await startTarget();
  const out = await new Deno.Command(PYTHON, {
    args: [new URL("./celery_driver.py", import.meta.url).pathname, String(target.port)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
    purge: {
      // kombu's Redis transport: one list per priority step ("\x06\x16" + step) besides the
      // plain queue lists; a purge empties them all and leaves the exchange bindings.
      lists: ["celery", "celery\x06\x163", "celery\x06\x166", "other"],
      purged: 5,
      left: ["_kombu.binding.celery", "_kombu.binding.other"],
    },
    add: [5, "SUCCESS", "SUCCESS"],
    boom: {
      raised: "ValueError: bad input: ✗",
      state: "FAILURE",
      stored: ["FAILURE", "ValueError", ["bad input: ✗"]],
      traceback_last_line: "ValueError: bad input: ✗",
      traceback_names_task: true,
    },
    retries: { auto: 3, auto_attempts: 3, bound: { attempt: 2, retries: 1 } },
    delayed: {
      held_unacked: [2, 2],
      pending_before_due: ["PENDING", "PENDING"],
      countdown_waited: true,
      eta_waited: true,
      unacked_after: [0, 0],
    },
    group: [0, 2, 4, 6, 8],
    chain: 10,
    chord: { result: 10, parent_results: [1, 2, 3, 4], counter_keys_left: [] },
    revoke: {
      raised: "TaskRevokedError",
      state: "REVOKED",
      stored: "REVOKED",
      in_revoked_list: true,
    },
    forget: [true, null, "PENDING"],
    inspect: {
      ping: { "one@ci": { ok: "pong" } },
      registered: [
        "celery_tasks.add",
        "celery_tasks.boom",
        "celery_tasks.flaky_auto",
        "celery_tasks.flaky_bound",
        "celery_tasks.ran_at",
        "celery_tasks.slow",
        "celery_tasks.tsum",
      ],
      active: [["celery_tasks.slow", true, [3]]],
    },
    extras: {
      other_queue: 3,
      priorities: [1, 6, 10],
      join_native: [0, 2, 4, 6],
      rate_limit: [{ "one@ci": { ok: "new rate limit set successfully" } }],
      expired: ["TaskRevokedError", "expired", "REVOKED"],
      time_limit: ["TimeLimitExceeded", "TimeLimitExceeded(1,)", "FAILURE"],
      chord_error: ["ValueError", "header fails", "FAILURE"],
      terminated: ["TaskRevokedError", "REVOKED"],
    },
    scheduled: [true],
    stats_transport: "redis",
    active_queues: ["celery", "other"],
    warm_shutdown: {
      exit: 0,
      // SIGTERM came while slow(2) ran: the warm shutdown let it finish.
      busy_finished: ["SUCCESS", "slept 2"],
      logged: true,
      // The ETA task the worker held is back on the "celery" list; nothing left unacked.
      restored: [1, 0],
    },
    restored_ran: 42,
    // SIGKILL leaves the held message unacked; the next worker restores and runs it.
    killed: { still_unacked: 1, queue: 0, redelivered: 10 },
    control_shutdown_exit: 0,
  });
});
