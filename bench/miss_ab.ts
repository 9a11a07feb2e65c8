/**
 * Random GETs that miss the read cache, interleaved A/B over basekv trees (issue 8): each run
 * starts a tree on a fresh copy of one file store (`--build N` writes N keys of 100 B first),
 * optionally fills the cache with SETs as a load does, runs redis-benchmark, and reports GET/s,
 * CPU µs per GET by thread (main, Deno KV's SQLite thread, the rest) and peak RSS; medians.
 * Usage: deno run -A bench/miss_ab.ts --store DIR [--build 1000000] [--rounds 3] [--n 200000]
 *   [--pipeline 16] [--prefill 150000] [--port 23010] TREE...
 * @module
 */
import { parseArgs } from "node:util";
import { loadRedisKeys, median, peakRssDuring, rssOf, sleep } from "./bench_lib.ts";

const { values, positionals: trees } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    store: { type: "string" },
    build: { type: "string", default: "0" },
    rounds: { type: "string", default: "3" },
    n: { type: "string", default: "200000" },
    pipeline: { type: "string", default: "16" },
    prefill: { type: "string", default: "0" },
    port: { type: "string", default: "23010" },
  },
});
if (!values.store || trees.length === 0) {
  throw new Error("usage: miss_ab.ts --store DIR [--build N] ... TREE...");
}
const storeDir = values.store;
const keys = Number(values.build);

/** One run's figures. */
interface Run {
  rate: number;
  main: number;
  sqlite: number;
  other: number;
  peakMiB: number;
}

/** CPU ms so far of a process's threads: the main thread, Deno KV's SQLite workers, the rest. */
function cpuMs(pid: number): { main: number; sqlite: number; other: number } {
  const out = { main: 0, sqlite: 0, other: 0 };
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/stat`);
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (Number(fields[11]) + Number(fields[12])) * 10;
    if (task.name === String(pid)) out.main += ms;
    else if (name.startsWith("sw-")) out.sqlite += ms;
    else out.other += ms;
  }
  return out;
}

async function copyStore(to: string): Promise<void> {
  await Deno.remove(to, { recursive: true }).catch(() => {});
  const copy = await new Deno.Command("cp", { args: ["-a", storeDir, to] }).output();
  if (!copy.success) throw new Error(`cannot copy ${storeDir}`);
}

/** Start `tree` on `data`; resolves once its ready line is out. */
async function start(tree: string, data: string, port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      ...["run", "-A", "--unstable-kv", `${tree}/main.ts`, `--data=${data}/basekv.sqlite`],
      ...["--protocols=redis", `--redis-port=${port}`, "--log-level=error"],
    ],
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_PACKAGE_JSON: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`${tree} exited before its ready line`);
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return child;
}

async function once(tree: string, port: number): Promise<Run> {
  const data = `${storeDir}.run`;
  await copyStore(data);
  const child = await start(tree, data, port);
  try {
    if (Number(values.prefill) > 0) {
      await loadRedisKeys(port, "key:", 0, Number(values.prefill), 100);
    }
    // The existence index restores and the start's garbage settles.
    await sleep(4000);
    const before = cpuMs(child.pid);
    const { value: out, peakMiB } = await peakRssDuring(
      () => rssOf(child.pid),
      () =>
        new Deno.Command("redis-benchmark", {
          args: [
            ...["-p", String(port), "-c", "50", "-P", values.pipeline!, "-n", values.n!],
            ...["-r", String(keys || 1_000_000), "--csv", "GET", "key:__rand_int__"],
          ],
          stdout: "piped",
        }).output(),
    );
    const after = cpuMs(child.pid);
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
    const n = Number(values.n);
    const us = (k: "main" | "sqlite" | "other") => ((after[k] - before[k]) * 1000) / n;
    return {
      rate: Number(line.split('","')[1]),
      main: us("main"),
      sqlite: us("sqlite"),
      other: us("other"),
      peakMiB,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
}

if (keys > 0) {
  await Deno.mkdir(storeDir, { recursive: true });
  const port = Number(values.port);
  const child = await start(trees[0], storeDir, port);
  try {
    for (let from = 0; from < keys; from += 100_000) {
      await loadRedisKeys(port, "key:", from, Math.min(keys, from + 100_000), 100);
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
  console.log(`built ${keys} keys in ${storeDir}`);
}

const runs = new Map<string, Run[]>(trees.map((t) => [t, []]));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const [i, tree] of trees.entries()) {
    const run = await once(tree, Number(values.port) + i);
    runs.get(tree)!.push(run);
    console.log(`round ${round + 1} ${tree}: ${JSON.stringify(run)} load ${Deno.loadavg()[0]}`);
  }
}
for (const [tree, rs] of runs) {
  const m = (f: (r: Run) => number) => median(rs.map(f)).toFixed(1);
  console.log(
    `${tree}: median ${m((r) => r.rate)} GET/s; CPU µs/GET main ${m((r) => r.main)}, ` +
      `sqlite ${m((r) => r.sqlite)}, other ${m((r) => r.other)}; peak RSS ${
        m((r) => r.peakMiB)
      } MiB`,
  );
}
