/**
 * `deno task bench [name…]`: runs the issue 8 workloads against basekv and the reference servers
 * and writes bench/results/latest.md; `deno task bench scale` runs the large-store case into
 * bench/results/scale.md, `deno task bench gsi` the GSI Query at 1,000,000 items against dynalite
 * into bench/results/gsi.md; `deno task bench store` prints the store-only micro benchmark and
 * `deno task bench fanout` the delay pub/sub gains between front-ends on a shared store.
 * @module
 */
import type { Section } from "./bench_lib.ts";
import { writeReport } from "./report.ts";

const RESULTS = new URL("./results/", import.meta.url).pathname;

/** The sections of latest.md, in report order. */
const SECTIONS: Record<string, () => Promise<Section>> = {
  redis: async () => (await import("./redis_bench.ts")).redisBench(),
  memcached: async () => (await import("./memcached_bench.ts")).memcachedBench(),
  dynamodb: async () => (await import("./dynamodb_bench.ts")).dynamodbBench(),
  lifecycle: async () => (await import("./lifecycle_bench.ts")).lifecycleBench(),
};

const names = Deno.args.length > 0 ? Deno.args : Object.keys(SECTIONS);
if (names.includes("scale") || names.includes("gsi")) {
  // The million-item cases: each writes its own report, and only when asked for by name.
  if (names.includes("scale")) {
    const { scaleBench } = await import("./scale_bench.ts");
    await writeReport(`${RESULTS}scale.md`, "basekv scale benchmark", [await scaleBench()]);
  }
  if (names.includes("gsi")) {
    const { gsiBench } = await import("./gsi_bench.ts");
    await writeReport(`${RESULTS}gsi.md`, "basekv GSI benchmark", [await gsiBench()]);
  }
} else if (names.includes("store")) {
  await (await import("./store_bench.ts")).storeBench();
} else if (names.includes("fanout")) {
  await (await import("./fanout_bench.ts")).fanoutBench();
} else {
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0) {
    console.error(
      `unknown bench ${unknown.join(", ")}; choose from ${
        [...Object.keys(SECTIONS), "scale", "gsi", "store", "fanout"].join(", ")
      }`,
    );
    Deno.exit(2);
  }
  const sections: Section[] = [];
  const t0 = performance.now();
  for (const name of names) {
    console.log(`== ${name}`);
    const started = performance.now();
    try {
      sections.push(await SECTIONS[name]());
      console.log(`== ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } catch (error) {
      // One missing reference server should not cost the rest of the report.
      console.error(`${name} failed: ${(error as Error).stack}`);
      sections.push({
        title: name,
        reference: "-",
        rows: [],
        notes: [`**Failed:** ${(error as Error).message}`],
      });
    }
  }
  console.log(`benchmark took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await writeReport(`${RESULTS}latest.md`, "basekv benchmark", sections);
}
