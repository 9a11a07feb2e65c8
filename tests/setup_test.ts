/**
 * Setup as a new user meets it: the README's commands in a fresh clone leave `git status` clean,
 * and the server started on an empty Deno cache fetches none of the test-only npm clients.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "./helpers/net.ts";
import { DENO, startChild } from "./helpers/server.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const dec = new TextDecoder();

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", ...options })
    .output();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** A checkout to clone, and the tools the README assumes (git, make, npm). */
const canClone = (async () => {
  for (const [cmd, arg] of [["git", "--version"], ["make", "--version"], ["npm", "--version"]]) {
    try {
      if ((await run(cmd, [arg])).code !== 0) return false;
    } catch {
      return false;
    }
  }
  return (await run("git", ["-C", ROOT, "rev-parse", "--is-inside-work-tree"])).code === 0;
})();

Deno.test({
  name: "the README's setup commands in a fresh clone leave git status clean",
  ignore: !(await canClone),
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const clone = `${dir}/basekv`;
      const cloned = await run("git", ["clone", "--quiet", ROOT, clone]);
      assert.equal(cloned.code, 0, cloned.stderr);
      // As a user types them: no DENO_NO_PACKAGE_JSON of ours (make sets it), plain environment.
      const env = { ...Deno.env.toObject() };
      delete env.DENO_NO_PACKAGE_JSON;
      for (const args of [["serve", "ARGS=--help"], ["bundle"]]) {
        const res = await run("make", args, { cwd: clone, env, clearEnv: true });
        assert.equal(res.code, 0, `make ${args.join(" ")}: ${res.stderr}`);
        if (args[0] === "serve") assert.match(res.stdout, /--redis-port <value>/);
      }
      const status = await run("git", ["status", "--porcelain"], { cwd: clone });
      assert.equal(status.stdout, "");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/** npm package names of a `{ "imports": { alias: "npm:name@version" } }` file. */
function npmNames(path: string): Set<string> {
  const imports = JSON.parse(Deno.readTextFileSync(`${ROOT}${path}`)).imports ?? {};
  return new Set(
    Object.values(imports as Record<string, string>).filter((v) => v.startsWith("npm:"))
      // A subpath mapping ("fengari/": "npm:/fengari@0.1.5/") names its package after a slash.
      .map((v) => v.slice(4).replace(/^\//, "").replace(/(.)@[^@]*$/, "$1")),
  );
}

/** Test-only packages: mapped for the tests and not imported by the server. */
const TEST_ONLY = (() => {
  const server = npmNames("deno.json");
  return [...npmNames("tests/import_map.json")].filter((name) => !server.has(name));
})();

/** Test-only packages named in Deno's download log lines. */
function testOnlyDownloads(log: string): string[] {
  return TEST_ONLY.filter((name) =>
    log.includes(`registry.npmjs.org/${name}`) ||
    log.includes(`registry.npmjs.org/${name.replace("/", "%2f")}`)
  );
}

Deno.test("the server and its task started on an empty DENO_DIR fetch no test-only npm package", async () => {
  const denoDir = await Deno.makeTempDir();
  try {
    const env = { DENO_DIR: denoDir, DENO_NO_PACKAGE_JSON: "1" };
    // `deno task serve` is what `make serve` runs, and a task installs what the config maps.
    const task = await run(DENO, ["task", "serve", "--version"], { cwd: ROOT, env });
    assert.equal(task.code, 0, task.stderr);
    assert.deepEqual(testOnlyDownloads(task.stderr), []);
    await using child = await startChild(
      [
        "--memory",
        "--redis-port=0",
        "--memcached-port=0",
        "--http-port=0",
      ],
      undefined,
      env,
    );
    using redis = await RawClient.connect(child.ports.redis);
    await redis.send("PING\r\n");
    assert.equal(await redis.readText("\r\n"), "+PONG\r\n");
    assert.equal(await child.stop(), 0);
    assert.deepEqual(testOnlyDownloads(await child.stderr()), []);
    const cached = await Array.fromAsync(
      Deno.readDir(`${denoDir}/npm/registry.npmjs.org`),
    ).catch(() => []);
    const scoped = await Promise.all(
      cached.filter((e) => e.name.startsWith("@")).map(async (e) =>
        (await Array.fromAsync(Deno.readDir(`${denoDir}/npm/registry.npmjs.org/${e.name}`)))
          .map((p) => `${e.name}/${p.name}`)
      ),
    );
    const names = [...cached.map((e) => e.name), ...scoped.flat()];
    assert.deepEqual(TEST_ONLY.filter((n) => names.includes(n)), [], "test-only packages cached");
    assert.ok(TEST_ONLY.includes("ioredis"), "the check knows the test-only packages");
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});
