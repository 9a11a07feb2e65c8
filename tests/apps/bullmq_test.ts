/**
 * BullMQ, unchanged, on basekv: a 200-job queue through a worker with concurrency 5, a delayed
 * job, a failing job retried with backoff, QueueEvents, and a job scheduler (repeatable job).
 * BullMQ is all Lua scripts, blocking commands and streams, so it exercises most of issue 11.
 * @module
 */
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { FlowProducer, type Job, Queue, QueueEvents, Worker } from "bullmq";
import { appTest, type ErrorTrap, ioredisFor, nodeRedisFor, until } from "./target.ts";

/** A queue, its worker(s) and events sharing one connection set, all closed by dispose. */
class Harness implements AsyncDisposable {
  readonly conn: Redis;
  readonly queue: Queue;
  readonly closers: { close(): Promise<unknown> }[] = [];

  constructor(port: number, name: string, readonly trap: ErrorTrap) {
    // BullMQ wants no per-request retry limit on its connections.
    this.conn = ioredisFor(port, trap, { maxRetriesPerRequest: null });
    this.queue = new Queue(name, { connection: this.conn });
    this.queue.on("error", trap.record);
  }

  worker(processor: (job: Job) => Promise<unknown>, concurrency = 1): Worker {
    const worker = new Worker(this.queue.name, processor, {
      connection: this.conn,
      concurrency,
      // Short polls so delayed and retried jobs are picked up promptly on a loaded machine.
      drainDelay: 1,
    });
    worker.on("error", this.trap.record);
    this.closers.unshift(worker);
    return worker;
  }

  async events(): Promise<QueueEvents> {
    const events = new QueueEvents(this.queue.name, { connection: this.conn });
    events.on("error", this.trap.record);
    this.closers.unshift(events);
    await events.waitUntilReady();
    return events;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    for (const c of this.closers) await c.close();
    await this.queue.close();
    this.conn.disconnect();
  }
}

appTest(
  "bullmq: 200 jobs through a worker with concurrency 5, QueueEvents sees every completion",
  async (port, trap) => {
    await using h = new Harness(port, "bulk", trap);
    const events = await h.events();
    const completedEvents = new Map<string, string>();
    events.on("completed", ({ jobId, returnvalue }) => {
      completedEvents.set(jobId, String(returnvalue));
    });
    let running = 0;
    let peak = 0;
    const results = new Map<number, number>();
    h.worker(async (job) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return job.data.n * 2;
    }, 5).on("completed", (job, value) => results.set(job.data.n, value));
    const jobs = await h.queue.addBulk(
      Array.from({ length: 200 }, (_, n) => ({ name: "double", data: { n } })),
    );
    assert.equal(jobs.length, 200);
    assert.equal(new Set(jobs.map((j) => j.id)).size, 200, "every job has its own id");
    await until("200 completions", () => results.size === 200 && completedEvents.size === 200);
    for (let n = 0; n < 200; n++) assert.equal(results.get(n), n * 2);
    for (const job of jobs) assert.equal(completedEvents.get(job.id!), String(job.data.n * 2));
    assert.ok(peak > 1 && peak <= 5, `concurrency stays within 1..5 (peak ${peak})`);
    const counts = await h.queue.getJobCounts("completed", "failed", "wait", "active");
    assert.deepEqual(counts, { completed: 200, failed: 0, wait: 0, active: 0 });
    const stored = await h.queue.getJob(jobs[7].id!);
    assert.equal(stored?.returnvalue, 14);
  },
);

appTest("bullmq: a delayed job runs after its delay, not before", async (port, trap) => {
  await using h = new Harness(port, "delayed", trap);
  const ranAt: number[] = [];
  h.worker(() => {
    ranAt.push(Date.now());
    return Promise.resolve("done");
  });
  const added = Date.now();
  const job = await h.queue.add("later", { x: 1 }, { delay: 700 });
  assert.equal(await job.getState(), "delayed");
  assert.equal(await h.queue.getDelayedCount(), 1);
  await until("the delayed job to run", () => ranAt.length === 1);
  assert.ok(ranAt[0] - added >= 700, `ran ${ranAt[0] - added} ms after being added`);
  await until("completed state", async () => (await job.getState()) === "completed");
  assert.equal(await h.queue.getDelayedCount(), 0);
});

appTest(
  "bullmq: a failing job is retried with backoff; attempts are counted; the last fails",
  async (port, trap) => {
    await using h = new Harness(port, "retries", trap);
    const events = await h.events();
    const failedEvents: string[] = [];
    events.on("failed", ({ jobId, failedReason }) => failedEvents.push(`${jobId}:${failedReason}`));
    const tries = new Map<string, number[]>();
    h.worker((job) => {
      const seen = tries.get(job.name) ?? [];
      seen.push(Date.now());
      tries.set(job.name, seen);
      // "flaky" succeeds on its third attempt; "broken" never does.
      if (job.name === "broken" || job.attemptsMade < 2) {
        return Promise.reject(new Error(`boom ${job.attemptsMade}`));
      }
      return Promise.resolve(`ok after ${job.attemptsMade}`);
    });
    const opts = { attempts: 3, backoff: { type: "fixed", delay: 200 } };
    const flaky = await h.queue.add("flaky", {}, opts);
    const broken = await h.queue.add("broken", {}, opts);
    await until("both jobs to settle", async () => {
      const states = [await flaky.getState(), await broken.getState()];
      return states[0] === "completed" && states[1] === "failed";
    });
    for (const name of ["flaky", "broken"]) {
      const at = tries.get(name)!;
      assert.equal(at.length, 3, `${name} ran three times`);
      for (let i = 1; i < at.length; i++) {
        assert.ok(at[i] - at[i - 1] >= 200, `${name} retry ${i} waited its backoff`);
      }
    }
    const f = await h.queue.getJob(flaky.id!);
    assert.equal(f?.returnvalue, "ok after 2");
    assert.equal(f?.attemptsMade, 3);
    const b = await h.queue.getJob(broken.id!);
    assert.equal(b?.failedReason, "boom 2");
    assert.equal(b?.attemptsMade, 3);
    assert.equal(b?.stacktrace?.length, 3);
    await until("the failed event", () => failedEvents.includes(`${broken.id}:boom 2`));
    assert.equal(await h.queue.getFailedCount(), 1);
  },
);

appTest("bullmq: a job scheduler (repeatable job) fires at least twice", async (port, trap) => {
  await using h = new Harness(port, "repeat", trap);
  const fired: number[] = [];
  h.worker((job) => {
    fired.push(job.data.tick);
    return Promise.resolve(null);
  });
  await h.queue.upsertJobScheduler("every-300", { every: 300 }, {
    name: "tick",
    data: { tick: 1 },
  });
  const schedulers = await h.queue.getJobSchedulers();
  assert.equal(schedulers.length, 1);
  assert.equal(schedulers[0].key, "every-300");
  await until("two runs", () => fired.length >= 2);
  assert.deepEqual(fired.slice(0, 2), [1, 1]);
  assert.equal(await h.queue.removeJobScheduler("every-300"), true);
  assert.deepEqual(await h.queue.getJobSchedulers(), []);
});

appTest(
  "bullmq over node-redis (RESP3): priorities, pause, progress and logs, a flow, promote",
  async (port, trap) => {
    const conn = await nodeRedisFor(port, trap, 3);
    const queue = new Queue("features", { connection: conn });
    queue.on("error", trap.record);
    const flows = new FlowProducer({ connection: conn });
    let worker: Worker | null = null;
    try {
      await queue.add("p", { n: 1 }, { priority: 5 });
      await queue.add("p", { n: 2 }, { priority: 1 });
      await queue.add("p", { n: 3 });
      await queue.add("p", { n: 4 }, { lifo: true });
      assert.deepEqual((await queue.getPrioritized()).map((j) => j.data.n), [2, 1]);
      assert.deepEqual((await queue.getWaiting()).map((j) => j.data.n), [4, 3]);
      await queue.pause();
      assert.equal(await queue.isPaused(), true);
      await queue.resume();
      const order: number[] = [];
      worker = new Worker("features", async (job: Job) => {
        order.push(job.data.n);
        await job.updateProgress(50);
        await job.log(`ran ${job.data.n}`);
        return `r${job.data.n}`;
      }, { connection: conn, drainDelay: 1 });
      worker.on("error", trap.record);
      await until("four completions", async () => (await queue.getCompletedCount()) === 4);
      assert.deepEqual(order, [4, 3, 2, 1], "plain jobs (LIFO first), then by priority");
      const first = (await queue.getJobs(["completed"])).find((j) => j.data.n === 2)!;
      assert.equal(first.progress, 50);
      assert.deepEqual(await queue.getJobLogs(first.id!), { logs: ["ran 2"], count: 1 });

      const tree = await flows.add({
        name: "parent",
        queueName: "features",
        data: { n: 10 },
        children: [
          { name: "c", queueName: "features", data: { n: 11 } },
          { name: "c", queueName: "features", data: { n: 12 } },
        ],
      });
      await until("the flow", async () => (await queue.getCompletedCount()) === 7);
      assert.equal(order[6], 10, "the parent runs after its children");
      const parent = await queue.getJob(tree.job.id!);
      assert.deepEqual(Object.values(await parent!.getChildrenValues()).sort(), ["r11", "r12"]);

      await queue.add("later", { n: 30 }, { delay: 600_000, jobId: "promoted" });
      await (await queue.getJob("promoted"))!.promote();
      await until("the promoted job", async () => (await queue.getCompletedCount()) === 8);
      assert.equal(order[7], 30);
      assert.equal((await queue.clean(0, 100, "completed")).length, 8);
      await worker.close();
      await queue.obliterate({ force: true });
      assert.deepEqual(await conn.keys("bull:features:*"), []);
    } finally {
      await worker?.close();
      await flows.close();
      await queue.close();
      await conn.close();
    }
  },
);
