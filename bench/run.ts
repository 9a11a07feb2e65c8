/**
 * Runs the benchmarks named on the command line (all when none): `deno task bench [name…]`.
 * Each bench module exports a function and prints its own figures and ratios.
 * @module
 */
const BENCHES: Record<string, string> = {
  store: "./store_bench.ts",
  redis: "./redis_bench.ts",
  memcached: "./memcached_bench.ts",
  dynamodb: "./dynamodb_bench.ts",
};

const names = Deno.args.length > 0 ? Deno.args : Object.keys(BENCHES);
for (const name of names) {
  const path = BENCHES[name];
  if (!path) {
    console.error(
      `unknown bench ${JSON.stringify(name)}; choose from ${Object.keys(BENCHES).join(", ")}`,
    );
    Deno.exit(2);
  }
  console.log(`\n== ${name} ==`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(path, import.meta.url).pathname],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  if (!status.success) Deno.exit(status.code);
}
