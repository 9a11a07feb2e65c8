/**
 * RQ (Debian's python3-rq 1.13 over python3-redis), unchanged, on basekv: a producer enqueues
 * jobs (results, a failure, retries, meta, a dependency, at_front, a second queue, cancel/delete,
 * scheduled jobs), `rq worker --burst --with-scheduler` drains them, and RQ's own API reports
 * statuses, results, registries and workers. The driver is rq_driver.py, the jobs rq_jobs.py.
 * @module
 */
import assert from "node:assert/strict";
import { startTarget } from "./target.ts";

/** Debian's python3 (where python3-rq lives), even when another python3 is on PATH. */
const PYTHON = ["/usr/bin/python3", "python3"].find((p) => {
  try {
    return Deno.statSync(p).isFile;
  } catch {
    return p === "python3";
  }
})!;

Deno.test("rq: burst worker runs jobs; results, failures, retries, meta, dependencies, scheduler, registries, workers", async () => {
  await using target = await startTarget();
  const script = new URL("./rq_driver.py", import.meta.url).pathname;
  const out = await new Deno.Command(PYTHON, {
    args: [script, String(target.port)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const seen = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.deepEqual(seen, {
    before: {
      // 13 enqueued on "default" minus the dependent (deferred) and the two scheduled ones.
      count: 11,
      low_count: 1,
      front_job_first: true,
      statuses: { add: "queued", child: "deferred", soon: "scheduled" },
      deferred: true,
      scheduled: true,
      fetched_args: [2, 3],
      fetched_func: "rq_jobs.add",
      queues: ["default", "low"],
    },
    deleted_fetch: "No such job: b'rq:job:<id>'",
    after_cancel: {
      count: 9,
      canceled_status: "canceled",
      canceled_registry: true,
      deleted_exists: false,
      deleted_in_queue: false,
    },
    workers_before: [],
    worker_exit: 0,
    after: {
      count: 0,
      low_count: 0,
      statuses: {
        add: "finished",
        text: "finished",
        fail: "failed",
        meta: "finished",
        flaky: "finished",
        hopeless: "failed",
        parent: "finished",
        child: "finished",
        by_name: "finished",
        first: "finished",
        workers: "finished",
        canceled: "canceled",
        soon: "finished",
        later: "scheduled",
      },
      results: {
        add_result: 5,
        add_return_value: 5,
        text: { text: "héllo wörld", upper: "HÉLLO WÖRLD", extra: { flag: true, n: [1, 2] } },
        meta: 3,
        flaky: 3,
        child: 42,
        by_name: "low-queue",
        soon: 30,
        later: null,
      },
      meta: { owner: "ci", progress: 3, done: true },
      // at_front ran first; the worker drains "default" before it looks at "low".
      order: ["front", "low-queue"],
      attempts: { flaky: 3, hopeless: 3 },
      retries_left: { flaky: 0, hopeless: 0 },
      failed_registry: true,
      fail_exc_last_line: "ValueError: bad input: ✗",
      hopeless_exc_last_line: "RuntimeError: attempt 3 fails",
      fail_latest_result_type: "FAILED",
      finished_registry: true,
      started_registry: [],
      deferred: [],
      scheduled: true,
      workers_during: [
        { name: "ci-worker", state: "busy", queues: ["default", "low"], current_job: "<this job>" },
        { self: "<this job>" },
      ],
      workers_after: [],
      worker_count_after: 0,
    },
  });
});
