/**
 * Writes the benchmark report as Markdown: the machine at the top, then per section a table of
 * basekv against its reference (ops/s, p50, p99, ratio, target, met) and single figures with limits.
 * @module
 */
import { fmtRate, QUICK, ROUNDS, type Section } from "./bench_lib.ts";

/** Cores, CPU model, Deno version, date and load: the header every report starts with. */
async function machine(): Promise<string[]> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const model = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown";
  const load = Deno.loadavg().map((l) => l.toFixed(2)).join(" ");
  return [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${navigator.hardwareConcurrency} cores, ${model}, ${Deno.build.target}`,
    `- Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
    `- Load average at the end of the run: ${load}`,
  ];
}

const ms = (n: number) => Number.isFinite(n) ? n.toFixed(2) : "-";

function sectionMarkdown(s: Section): string[] {
  const out = [`## ${s.title}`, "", `Reference: ${s.reference}.`, ""];
  if (s.rows.length > 0) {
    out.push(
      "| workload | basekv ops/s | p50 ms | p99 ms | reference ops/s | p50 ms | p99 ms | ratio | target | met |",
      "|---|--:|--:|--:|--:|--:|--:|--:|--:|:-:|",
    );
    for (const r of s.rows) {
      const ratio = r.basekv.opsPerSec / r.reference.opsPerSec;
      out.push(
        `| ${r.workload} | ${fmtRate(r.basekv.opsPerSec)} | ${ms(r.basekv.p50Ms)} | ` +
          `${ms(r.basekv.p99Ms)} | ${fmtRate(r.reference.opsPerSec)} | ${
            ms(r.reference.p50Ms)
          } | ` +
          `${ms(r.reference.p99Ms)} | ${ratio.toFixed(2)} | ≥ ${r.target} | ` +
          `${ratio >= r.target ? "yes" : "no"} |`,
      );
    }
    out.push("");
  }
  if (s.figures && s.figures.length > 0) {
    out.push("| measure | basekv | limit | met | note |", "|---|--:|--:|:-:|---|");
    for (const f of s.figures) {
      const value = f.unit === "MiB"
        ? f.value.toFixed(0)
        : f.unit === "/s"
        ? fmtRate(f.value)
        : Number.isInteger(f.value)
        ? String(f.value)
        : f.value.toFixed(2);
      const limit = f.max !== undefined
        ? `≤ ${f.max} ${f.unit}`
        : f.min !== undefined
        ? `≥ ${f.min} ${f.unit}`
        : "-";
      const met = f.max !== undefined
        ? (f.value <= f.max ? "yes" : "no")
        : f.min !== undefined
        ? (f.value >= f.min ? "yes" : "no")
        : "-";
      out.push(`| ${f.name} | ${value} ${f.unit} | ${limit} | ${met} | ${f.note ?? ""} |`);
    }
    out.push("");
  }
  for (const n of s.notes ?? []) out.push(n, "");
  return out;
}

/** Write `sections` to `path` under `title`. */
export async function writeReport(path: string, title: string, sections: Section[]) {
  const lines = [`# ${title}`, "", ...await machine(), ""];
  if (QUICK) {
    lines.push(
      "**Quick run (`BASEKV_BENCH_QUICK=1`: 10k keyspace, short runs) on a shared, loaded " +
        "machine: these figures check the harness, not the targets. Rerun `deno task bench` on a " +
        "quiet machine for the real figures.**",
      "",
    );
  }
  const load = Deno.loadavg()[0];
  if (!QUICK && load > navigator.hardwareConcurrency) {
    lines.push(
      `**The machine was busy (load average ${load.toFixed(1)} on ` +
        `${navigator.hardwareConcurrency} cores): these figures are noisy.**`,
      "",
    );
  }
  if (sections.some((s) => s.rows.length > 0)) {
    lines.push(
      `Each workload runs basekv and its reference alternately, ${ROUNDS} rounds (A B A B …); ` +
        "figures are medians over the rounds. basekv: child process of `main.ts`, file store in a " +
        "temp dir, durable acknowledgements (the default). Ratio = basekv ops/s ÷ reference ops/s.",
      "",
    );
  }
  for (const s of sections) lines.push(...sectionMarkdown(s));
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await Deno.writeTextFile(path, lines.join("\n"));
  // Keep the committed report clean for `deno fmt --check` (it pads the tables).
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", path] }).output();
  console.log(`wrote ${path}`);
}
