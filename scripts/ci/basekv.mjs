// Start basekv for a test run on free ports and point the stock clients at it: the shared core
// of the Jest and Vitest global setups (plain Node ESM, no dependencies).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Start basekv (`BASEKV_BIN`, default `basekv`, plus `BASEKV_ARGS`) in memory on ports the
 * system picks, wait for its ready file, export AWS_ENDPOINT_URL_DYNAMODB, REDIS_URL and
 * MEMCACHED_SERVERS, and return a function that stops it.
 */
export async function startBasekv(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "basekv-"));
  const readyFile = join(dir, "ready.json");
  const [bin, ...binArgs] = (process.env.BASEKV_BIN ?? "basekv").split(" ");
  const args = [
    ...binArgs,
    "--memory",
    "--redis-port=0",
    "--memcached-port=0",
    "--http-port=0",
    `--ready-file=${readyFile}`,
    ...(process.env.BASEKV_ARGS ? process.env.BASEKV_ARGS.split(" ") : []),
    ...extraArgs,
  ];
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let report = null;
  for (let i = 0; i < 600 && report === null; i++) {
    try {
      report = JSON.parse(readFileSync(readyFile, "utf8"));
    } catch {
      if (child.exitCode !== null) throw new Error(`basekv exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (report === null) {
    child.kill();
    throw new Error("basekv did not become ready in 30 s");
  }
  const { redis, memcached, dynamodb } = report.protocols;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb;
  process.env.REDIS_URL = `redis://${redis}`;
  process.env.MEMCACHED_SERVERS = memcached;
  // The AWS SDK wants some region and credentials even for a local endpoint.
  process.env.AWS_REGION ??= "us-east-1";
  process.env.AWS_ACCESS_KEY_ID ??= "local";
  process.env.AWS_SECRET_ACCESS_KEY ??= "local";
  return async () => {
    child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
}
