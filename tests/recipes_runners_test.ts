/**
 * The README's Jest and Vitest recipes run for real: a throwaway project with the recipe's config,
 * the global setup files from scripts/ci/ and a sample test file that reaches basekv through the
 * exported variables, run with the README's command under Node. The runners (pinned) are
 * installed once into a cache outside the repository; without node and npm the tests are skipped.
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const README = await Deno.readTextFile(`${ROOT}/README.md`);
/** The runners' versions, pinned: the cache holds exactly these. */
const RUNNERS = { jest: "29.7.0", vitest: "3.2.4" } as const;
type Runner = keyof typeof RUNNERS;

async function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, cwd, env, stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: out.code, output: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function found(cmd: string): Promise<boolean> {
  try {
    return (await run(cmd, ["--version"], ROOT)).code === 0;
  } catch {
    return false;
  }
}

const HAVE_NODE = await found("node") && await found("npm");

/**
 * node_modules with both runners: installed once per version pair under the user's cache (an
 * install goes to a fresh directory renamed into place, so an interrupted one is never reused).
 */
async function runnerModules(): Promise<string> {
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? `${Deno.env.get("HOME")}/.cache`;
  const dir = `${cache}/basekv-test-runners/jest-${RUNNERS.jest}-vitest-${RUNNERS.vitest}`;
  try {
    await Deno.stat(`${dir}/node_modules/.bin/vitest`);
    return `${dir}/node_modules`;
  } catch {
    // not installed yet
  }
  await Deno.mkdir(`${cache}/basekv-test-runners`, { recursive: true });
  const staging = await Deno.makeTempDir({ dir: `${cache}/basekv-test-runners` });
  await Deno.writeTextFile(
    `${staging}/package.json`,
    JSON.stringify({ private: true, devDependencies: RUNNERS }),
  );
  const npm = await run(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
    ],
    staging,
  );
  assert.equal(npm.code, 0, `npm install of the test runners failed:\n${npm.output}`);
  try {
    await Deno.rename(staging, dir);
  } catch {
    // Another run installed it meanwhile: use that one.
    await Deno.remove(staging, { recursive: true });
  }
  return `${dir}/node_modules`;
}

/** The fenced block after `<!-- recipe: name -->`. */
function recipe(name: string): string {
  const m = README.match(
    new RegExp(`<!-- recipe: ${name} -->\\s*\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``),
  );
  assert.ok(m, `README has no ${name} recipe`);
  return m[1];
}

/** What a project's test does: talk to each protocol at the address the setup exported. */
const SAMPLE_BODY = `
function ask(address, request) {
  const [host, port] = address.replace(/^redis:\\/\\//, "").split(":");
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host, () => socket.write(request));
    let text = "";
    socket.on("data", (data) => {
      text += data;
      if (text.endsWith("\\r\\n")) {
        socket.end();
        resolve(text);
      }
    });
    socket.on("error", reject);
  });
}

test("basekv answers at the addresses the global setup exported", async () => {
  expect(await ask(process.env.REDIS_URL, "SET k v\\r\\n")).toBe("+OK\\r\\n");
  expect(await ask(process.env.REDIS_URL, "GET k\\r\\n")).toBe("$1\\r\\nv\\r\\n");
  expect(await ask(process.env.MEMCACHED_SERVERS, "version\\r\\n")).toMatch(/^VERSION /);
  const health = await fetch(process.env.AWS_ENDPOINT_URL_DYNAMODB + "/health");
  expect((await health.json()).status).toBe("ok");
  const reset = await fetch(process.env.AWS_ENDPOINT_URL_DYNAMODB + "/_basekv/reset", {
    method: "POST",
  });
  expect(reset.status).toBe(200);
  expect(await ask(process.env.REDIS_URL, "GET k\\r\\n")).toBe("$-1\\r\\n");
});
`;

/** The sample test file: CommonJS with Jest's globals, ES modules importing Vitest's. */
const SAMPLE_HEAD: Record<Runner, string> = {
  jest: 'const net = require("node:net");\n',
  vitest: 'import net from "node:net";\nimport { expect, test } from "vitest";\n',
};

for (const runner of Object.keys(RUNNERS) as Runner[]) {
  Deno.test({
    name: `the ${runner} recipe runs a sample test file against basekv and passes`,
    ignore: !HAVE_NODE,
    async fn() {
      const modules = await runnerModules();
      // The recipe: the config file (its name on the first line), then the command to run.
      const lines = recipe(runner).split("\n");
      const configName = lines[0].match(/^\/\/ ([\w.]+)$/)?.[1];
      assert.ok(configName, lines[0]);
      const commandAt = lines.findIndex((l) => l.startsWith("// BASEKV_BIN="));
      assert.ok(commandAt > 0, "the recipe shows the command");
      const config = lines.slice(1, commandAt).join("\n") + "\n";
      const command = lines[commandAt].slice(3);
      const dir = await Deno.makeTempDir({ prefix: `basekv-${runner}-` });
      try {
        await Deno.symlink(ROOT, `${dir}/basekv`);
        await Deno.symlink(modules, `${dir}/node_modules`);
        await Deno.writeTextFile(`${dir}/package.json`, '{ "private": true }\n');
        await Deno.writeTextFile(`${dir}/${configName}`, config);
        await Deno.mkdir(`${dir}/test`);
        // What the README says to copy: basekv.mjs and the setup files the config names.
        const names = ["basekv.mjs", ...config.matchAll(/\.\/test\/([\w-]+\.mjs)/g)]
          .map((m) => typeof m === "string" ? m : m[1]);
        for (const name of names) {
          await Deno.copyFile(`${ROOT}/scripts/ci/${name}`, `${dir}/test/${name}`);
        }
        await Deno.writeTextFile(`${dir}/test/basekv.test.js`, SAMPLE_HEAD[runner] + SAMPLE_BODY);
        const out = await run("bash", ["-euo", "pipefail", "-c", command], dir, {
          DENO_NO_PACKAGE_JSON: "1",
          CI: "1",
          NO_COLOR: "1",
        });
        assert.equal(out.code, 0, out.output);
        // deno-lint-ignore no-control-regex -- colour codes, should a runner print them anyway
        assert.match(out.output.replace(/\x1b\[[0-9;]*m/g, ""), /Tests:?\s+1 passed/);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
