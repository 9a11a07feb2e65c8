/**
 * Start time of one or more basekv trees, interleaved (A B A B …): `--memory`, all three
 * protocols, the ready line's figure and spawn-to-PING/`version`/`GET /health`, medians. With
 * `--instructions`, the instructions each start runs until its ready line instead (valgrind's
 * callgrind: the same count on a busy machine as on a quiet one, about a minute a start).
 * Usage: deno run -A bench/start_ab.ts [--starts N] [--port BASE] [--instructions]
 *   TREE_OR_SCRIPT...
 * @module
 */
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    starts: { type: "string", default: "8" },
    port: { type: "string", default: "22000" },
    instructions: { type: "boolean", default: false },
  },
});
const starts = Number(values.starts);
const basePort = Number(values.port);
const targets = positionals.length ? positionals : ["."];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The median, the least (the figure a busy shared machine disturbs least: load only adds) and
 * every value.
 */
function summary(xs: number[], unit = "ms"): string {
  return `median ${median(xs)} ${unit} (min ${Math.min(...xs)}) [${xs.join(" ")}]`;
}

/** Send `request` and read until `done` says the reply is whole. */
async function ask(port: number, request: string, done: (r: string) => boolean): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    const buf = new Uint8Array(4096);
    let text = "";
    while (!done(text)) {
      const n = await conn.read(buf);
      if (n === null) throw new Error(`port ${port} closed`);
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
  } finally {
    conn.close();
  }
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return text;
}

/**
 * CPU time a process has used so far, in ms: its threads' run times from each
 * /proc/PID/task/TID/schedstat (nanoseconds; /proc/PID/stat counts 10 ms ticks, too coarse for
 * a 150 ms start). On a shared machine it moves less with the load than the wall clock does.
 */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(Deno.readTextFileSync(`/proc/${pid}/task/${task.name}/schedstat`).split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return Math.round(ns / 1e6);
}

/** `deno run` arguments of a `--memory` start of `target` with all three protocols. */
function serverArgs(target: string): string[] {
  const main = target.endsWith(".js") || target.endsWith(".ts") ? target : `${target}/main.ts`;
  return [
    "run",
    "-A",
    "--unstable-kv",
    "--unstable-net",
    main,
    "--memory",
    `--redis-port=${basePort}`,
    `--memcached-port=${basePort + 1}`,
    `--http-port=${basePort + 2}`,
    "--log-level=error",
  ];
}

async function startOnce(
  target: string,
): Promise<{ ready: number; answering: number; cpu: number }> {
  const [redis, memcached, http] = [basePort, basePort + 1, basePort + 2];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: serverArgs(target),
    stdout: "piped",
    stderr: "inherit",
    env: { DENO_NO_PACKAGE_JSON: "1" },
  }).spawn();
  const line = await firstLine(child.stdout);
  const ready = Number(line.match(/ready in (\d+) ms/)?.[1] ?? NaN);
  await Promise.all([
    ask(redis, "*1\r\n$4\r\nPING\r\n", (r) => r.endsWith("\r\n")),
    ask(memcached, "version\r\n", (r) => r.endsWith("\r\n")),
    fetch(`http://127.0.0.1:${http}/health`).then((r) => r.arrayBuffer()),
  ]);
  const answering = performance.now() - t0;
  const cpu = cpuMs(child.pid);
  child.kill("SIGTERM");
  await child.status;
  return { ready, answering, cpu };
}

/** Millions of instructions (all threads) one start of `target` runs until its ready line. */
async function instructionsOnce(target: string): Promise<number> {
  const dir = await Deno.makeTempDir();
  try {
    const child = new Deno.Command("valgrind", {
      args: [
        "--tool=callgrind",
        `--callgrind-out-file=${dir}/cg`,
        // V8 writes the code it runs: valgrind must notice.
        "--smc-check=all-non-file",
        Deno.execPath(),
        ...serverArgs(target),
      ],
      stdout: "piped",
      stderr: "null",
      env: { DENO_NO_PACKAGE_JSON: "1" },
    }).spawn();
    await firstLine(child.stdout);
    // The counts as they stand at the ready line; what the server does after is not wanted.
    const dump = await new Deno.Command("callgrind_control", {
      args: ["--dump", String(child.pid)],
      stdout: "null",
    }).output();
    child.kill("SIGKILL");
    await child.status;
    if (!dump.success) throw new Error(`callgrind_control --dump ${child.pid} failed`);
    const totals = (await Deno.readTextFile(`${dir}/cg.1`)).match(/^totals: (\d+)/m);
    if (!totals) throw new Error("callgrind's dump has no totals line");
    return Math.round(Number(totals[1]) / 1e5) / 10;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (values.instructions) {
  const counts = new Map(targets.map((t) => [t, [] as number[]]));
  for (let i = 0; i < starts; i++) {
    for (const t of targets) counts.get(t)!.push(await instructionsOnce(t));
  }
  for (const [t, xs] of counts) {
    console.log(`${t}: instructions until the ready line ${summary(xs, "M")}`);
  }
  Deno.exit(0);
}

const results = new Map(
  targets.map((
    t,
  ) => [t, { ready: [] as number[], answering: [] as number[], cpu: [] as number[] }]),
);
for (let i = 0; i < starts; i++) {
  for (const t of targets) {
    const r = await startOnce(t);
    results.get(t)!.ready.push(r.ready);
    results.get(t)!.answering.push(Math.round(r.answering));
    results.get(t)!.cpu.push(r.cpu);
  }
}
const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
for (const [t, r] of results) {
  console.log(
    `${t}: ready line ${summary(r.ready)}; spawn→all answering ${summary(r.answering)}; ` +
      `CPU until then ${summary(r.cpu)}`,
  );
}
console.log(`load average after: ${load}`);
