/**
 * RQ (Debian's python3-rq 1.13 over python3-redis), unchanged, on basekv, through the `rq worker`
 * CLI with its stock forking Worker (what CI jobs and dev containers run). Burst: a producer
 * enqueues jobs (results, a failure, retries, meta, a dependency, at_front, a second queue,
 * cancel/delete, scheduled jobs), `rq worker --burst --with-scheduler` drains them, and RQ's own
 * API reports statuses, results, registries and workers (rq_driver.py). Live: a long-running
 * worker blocked in BLPOP, job timeouts, stop/shutdown over pub/sub, the scheduler process and
 * requeueing (rq_live_driver.py). Jobs live in rq_jobs.py.
 * @module
 */
import assert from "node:assert/strict";
import { startTarget } from "./target.ts";
import { PYTHON } from "../helpers/python.ts";

/** Run `driver` against a fresh target and return the JSON it prints. */
async function drive(driver: string): Promise<unknown> {
  await using target = await startTarget();
  const script = new URL(driver, import.meta.url).pathname;
  const out = await new Deno.Command(PYTHON, {
    args: [script, String(target.port)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("rq: burst worker runs jobs; results, failures, retries, meta, dependencies, scheduler, registries, workers", async () => {
  const seen = await drive("./rq_driver.py");
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

Deno.test("rq: a long-running worker picks up jobs, times out, stops a job and shuts down on command", async () => {
  assert.deepEqual(await drive("./rq_live_driver.py"), {
    producer: {
      ids: ["many-1", "many-2", "many-3"],
      job_ids: ["many-1", "many-2", "many-3"],
      position: 2,
      queue_position: 1,
      fetch_job: [1, 1],
      after_remove: ["many-1", "many-3"],
      empty: 2,
      after_empty: [0, false],
    },
    worker: {
      add: ["finished", 42],
      timeout: [
        "failed",
        "rq.timeouts.JobTimeoutException: Task exceeded maximum timeout value (1 seconds)",
      ],
      stopped: "stopped",
      stopped_in_failed_registry: true,
      scheduled: ["finished", 10],
      requeued: ["failed", "finished", 2],
      // add, result_ttl=0, scheduled, flaky's rerun; the timeout, the stopped job, flaky's 1st.
      counts: { "live-worker": [4, 3] },
      exit: 0,
      workers_after: [],
      shutdown_logged: true,
    },
  });
});
