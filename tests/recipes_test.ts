/**
 * The README's CI recipes, run as written (on free ports instead of the defaults, and with this
 * checkout as `./basekv`): plain shell, GitHub Actions' and GitLab CI's steps, and the Jest and
 * Vitest global setups, which must start basekv, export the three variables the stock clients
 * read, and stop it.
 * @module
 */
import assert from "node:assert/strict";
import { Redis } from "ioredis";
import memjs from "memjs";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { freePort } from "./helpers/ports.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const README = await Deno.readTextFile(`${ROOT}/README.md`);

/** The fenced block after `<!-- recipe: name -->`. */
function recipe(name: string): string {
  const m = README.match(
    new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``),
  );
  assert.ok(m, `README has no ${name} recipe`);
  return m[1];
}

/** A work dir with this checkout as ./basekv, the default ports swapped for free ones. */
async function workDir(): Promise<{ dir: string; ports: (text: string) => string; http: number }> {
  const dir = await Deno.makeTempDir();
  await Deno.symlink(ROOT, `${dir}/basekv`);
  const [http, redis, mc] = [freePort(), freePort(), freePort()];
  const ports = (text: string) =>
    text.replaceAll(":8000", `:${http}`).replaceAll(":6380", `:${redis}`)
      .replaceAll(":11211", `:${mc}`).replaceAll("/tmp/basekv.ready", `${dir}/basekv.ready`)
      .replace(
        "--memory",
        `--memory --http-port ${http} --redis-port ${redis} --memcached-port ${mc}`,
      );
  return { dir, ports, http };
}

async function bash(dir: string, script: string) {
  const out = await new Deno.Command("bash", {
    args: ["-euo", "pipefail", "-c", script],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** `KEY: value` lines of a YAML mapping block, as `export KEY=value`. */
function yamlExports(block: string): string {
  return block.split("\n").map((line) => line.match(/^\s+([A-Z_]+): "?([^"]*)"?$/))
    .filter((m) => m !== null).map((m) => `export ${m![1]}=${m![2]}`).join("\n");
}

Deno.test("the plain shell recipe starts basekv, waits, resets and stops it", async () => {
  const { dir, ports } = await workDir();
  const out = await bash(dir, ports(recipe("shell")));
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /"status":"ok"/);
  assert.match(out.stdout, /\{"reset":\["redis","memcached","dynamodb"\]\}/);
  await Deno.remove(dir, { recursive: true });
});

for (const ci of ["github", "gitlab"] as const) {
  Deno.test(`the ${ci} recipe's steps start basekv and wait until it is healthy`, async () => {
    const yaml = recipe(ci);
    const env = yamlExports(yaml.slice(0, yaml.indexOf(ci === "github" ? "steps:" : "script:")));
    assert.match(env, /AWS_ENDPOINT_URL_DYNAMODB=http:\/\/127\.0\.0\.1:8000/);
    // The steps that concern basekv (checkout, npm ci and the project's own tests left out).
    const steps = ci === "github"
      ? yaml.slice(yaml.indexOf("run: |", yaml.indexOf("Start basekv")) + 7)
        .split("\n").filter((l) => /^ {10}\S/.test(l)).map((l) => l.trim())
      : yaml.split("\n").filter((l) => l.startsWith("    - ")).map((l) => l.slice(6))
        .filter((l) => !/git clone|npm ci|npm test/.test(l));
    assert.ok(steps.length >= 3, steps.join("\n"));
    const { dir, ports } = await workDir();
    const script = [
      env,
      ...steps,
      // What the project's tests would do: reach it through the exported variable, then stop it.
      'curl -fsS -X POST "$AWS_ENDPOINT_URL_DYNAMODB/_basekv/reset"',
      "kill %1; wait %1",
    ].join("\n");
    const out = await bash(dir, ports(script));
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /"status":"ok"/);
    assert.match(out.stdout, /"reset"/);
    await Deno.remove(dir, { recursive: true });
  });
}

const DENO = Deno.execPath();

for (const runner of ["jest", "vitest"] as const) {
  Deno.test(`the ${runner} global setup starts basekv on free ports and exports its addresses`, async () => {
    // The config the README shows names these files; they are what a project copies.
    const config = recipe(runner);
    const names = [...config.matchAll(/\.\/test\/([\w-]+\.mjs)/g)].map((m) => m[1]);
    assert.ok(names.length > 0);
    for (const name of names) await Deno.stat(`${ROOT}/scripts/ci/${name}`);
    const saved = Deno.env.toObject();
    Deno.env.set("BASEKV_BIN", `${DENO} run -A --unstable-kv ${ROOT}/main.ts`);
    for (const v of ["AWS_ENDPOINT_URL_DYNAMODB", "REDIS_URL", "MEMCACHED_SERVERS"]) {
      Deno.env.delete(v);
    }
    let stop: () => Promise<void>;
    if (runner === "jest") {
      await (await import(`${ROOT}/scripts/ci/jest-global-setup.mjs`)).default();
      const teardown = (await import(`${ROOT}/scripts/ci/jest-global-teardown.mjs`)).default;
      stop = teardown;
    } else {
      stop = await (await import(`${ROOT}/scripts/ci/vitest-global-setup.mjs`)).default();
    }
    const endpoint = Deno.env.get("AWS_ENDPOINT_URL_DYNAMODB")!;
    try {
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      // Stock clients configured from the environment alone.
      const ddb = new DynamoDBClient({ maxAttempts: 1 });
      assert.deepEqual((await ddb.send(new ListTablesCommand({}))).TableNames, []);
      ddb.destroy();
      const redis = new Redis(Deno.env.get("REDIS_URL")!, { lazyConnect: true });
      await redis.connect();
      assert.equal(await redis.set("k", "v"), "OK");
      redis.disconnect();
      const mc = memjs.Client.create(Deno.env.get("MEMCACHED_SERVERS")!, {
        retries: 0,
        logger: { log() {} },
      });
      assert.equal(await mc.set("k", "v", {}), true);
      mc.close();
    } finally {
      await stop();
      for (
        const v of ["AWS_ENDPOINT_URL_DYNAMODB", "REDIS_URL", "MEMCACHED_SERVERS", "BASEKV_BIN"]
      ) {
        if (saved[v] === undefined) Deno.env.delete(v);
        else Deno.env.set(v, saved[v]);
      }
    }
    // Stopped: nothing answers on its port any more.
    await assert.rejects(fetch(`${endpoint}/health`));
  });
}
