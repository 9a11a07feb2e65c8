/**
 * `deno task bench fanout`: the delay the cross-front-end transport adds. Two basekv processes
 * share one store (the test KV Connect server on loopback); a publisher on B sends messages
 * one at a time and in bursts; subscribers on A (remote) and on B (local) timestamp arrivals.
 * @module
 */
import { Redis } from "ioredis";
import { count, quantile, sleep, startBasekv } from "./bench_lib.ts";
import { startKvConnectServer } from "../tests/helpers/kv_connect_server.ts";

/** Messages of the paced run (one at a time, a pause between them) and of the burst. */
const PACED = count(400, 50);
const BURST = count(2_000, 200);
const PACE_MS = 20;

interface Arrivals {
  local: Map<number, number>;
  remote: Map<number, number>;
}

function client(port: number): Redis {
  return new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
}

function summary(label: string, sent: Map<number, number>, got: Map<number, number>): string {
  const delays = [...sent].filter(([i]) => got.has(i)).map(([i, t]) => got.get(i)! - t);
  delays.sort((a, b) => a - b);
  const p = (q: number) => quantile(delays, q).toFixed(2);
  return `${label}: ${delays.length}/${sent.size} arrived, p50 ${p(0.5)} ms, p99 ${
    p(0.99)
  } ms, max ${delays.at(-1)?.toFixed(2)} ms`;
}

async function waitFor(got: Map<number, number>, n: number): Promise<void> {
  for (let i = 0; i < 1000 && got.size < n; i++) await sleep(10);
}

/** Run the fan-out delay measurement and print its figures. */
export async function fanoutBench(): Promise<string[]> {
  const token = crypto.randomUUID();
  await using kv = await startKvConnectServer(token);
  Deno.env.set("DENO_KV_ACCESS_TOKEN", token);
  const a = await startBasekv({ protocols: ["redis"], kvUrl: kv.url });
  const b = await startBasekv({ protocols: ["redis"], kvUrl: kv.url });
  const subA = client(a.ports.redis);
  const subB = client(b.ports.redis);
  const pub = client(b.ports.redis);
  const lines: string[] = [];
  try {
    const run = async (name: string, n: number, paced: boolean) => {
      const arrivals: Arrivals = { local: new Map(), remote: new Map() };
      const channel = `bench-${name}`;
      const on = (to: Map<number, number>) => (c: string, m: string) => {
        if (c === channel) to.set(Number(m), performance.now());
      };
      const onA = on(arrivals.remote);
      const onB = on(arrivals.local);
      subA.on("message", onA);
      subB.on("message", onB);
      await subA.subscribe(channel);
      await subB.subscribe(channel);
      const sent = new Map<number, number>();
      const replyMs: number[] = [];
      const t0 = performance.now();
      if (paced) {
        for (let i = 0; i < n; i++) {
          const t = performance.now();
          sent.set(i, t);
          await pub.publish(channel, String(i));
          replyMs.push(performance.now() - t);
          await sleep(PACE_MS);
        }
      } else {
        const p = pub.pipeline();
        for (let i = 0; i < n; i++) {
          sent.set(i, performance.now());
          p.publish(channel, String(i));
        }
        await p.exec();
      }
      await waitFor(arrivals.remote, n);
      await waitFor(arrivals.local, n);
      const elapsed = performance.now() - t0;
      subA.off("message", onA);
      subB.off("message", onB);
      await subA.unsubscribe(channel);
      await subB.unsubscribe(channel);
      replyMs.sort((x, y) => x - y);
      lines.push(`${name} (${n} messages, ${(elapsed / 1000).toFixed(1)} s)`);
      lines.push("  " + summary("same front-end (B)", sent, arrivals.local));
      lines.push("  " + summary("other front-end (A)", sent, arrivals.remote));
      if (replyMs.length > 0) {
        lines.push(
          `  PUBLISH reply on B: p50 ${quantile(replyMs, 0.5).toFixed(2)} ms, p99 ${
            quantile(replyMs, 0.99).toFixed(2)
          } ms`,
        );
      }
    };
    await run("paced", PACED, true);
    await run("burst", BURST, false);
  } finally {
    subA.disconnect();
    subB.disconnect();
    pub.disconnect();
    await a.stop();
    await b.stop();
  }
  for (const line of lines) console.log(line);
  return lines;
}

if (import.meta.main) await fanoutBench();
