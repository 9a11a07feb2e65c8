/**
 * The `basekv export | import | backup` subcommands: fixtures and backups of a live server
 * (through its admin API) or of a data file (opened here, so no server may hold it).
 * @module
 */
import { ConfigError, parseConfig } from "./config.ts";
import { FixtureError, parseFixture } from "./fixtures.ts";
import { createLogger } from "./log.ts";
import { type Service, startServer } from "./server.ts";

const USAGE = `Usage:
  basekv export [--url URL | --data FILE] [--namespace NAME] [--out FILE]
  basekv import FILE [--url URL | --data FILE] [--reset]
  basekv backup --out FILE [--url URL]

--url      a running basekv's HTTP port (default $BASEKV_URL or http://127.0.0.1:8000)
--data     a data file no server is using, opened directly
--password the server's --password (default $BASEKV_PASSWORD)
--reset    empty the store (and reload its --seed files) before importing`;

interface ToolArgs {
  file?: string;
  url: string;
  data?: string;
  password?: string;
  namespace?: string;
  out?: string;
  reset: boolean;
}

function parseToolArgs(args: string[]): ToolArgs {
  const out: ToolArgs = {
    url: Deno.env.get("BASEKV_URL") ?? "http://127.0.0.1:8000",
    password: Deno.env.get("BASEKV_PASSWORD") || undefined,
    reset: false,
  };
  const valued = ["url", "data", "password", "namespace", "out"] as const;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--reset") {
      out.reset = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : null;
    if (name === null) {
      if (out.file !== undefined) throw new ConfigError(`Unexpected argument '${arg}'`);
      out.file = arg;
    } else if ((valued as readonly string[]).includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new ConfigError(`Option '--${name} <value>' argument missing`);
      out[name as typeof valued[number]] = value;
    } else {
      throw new ConfigError(`Unknown option '--${name}'\n\n${USAGE}`);
    }
  }
  return out;
}

/** Call a live server's admin API; a failure becomes an Error with its answer. */
async function call(a: ToolArgs, method: string, path: string, body?: string): Promise<Response> {
  const headers: Record<string, string> = {};
  if (a.password) headers.authorization = `Bearer ${a.password}`;
  let res: Response;
  try {
    res = await fetch(`${a.url.replace(/\/$/, "")}/_basekv/${path}`, { method, headers, body });
  } catch (error) {
    throw new Error(`Cannot reach basekv at ${a.url}: ${(error as Error).message}`);
  }
  if (!res.ok) {
    const text = await res.text();
    let message = text;
    try {
      message = JSON.parse(text).error ?? text;
    } catch {
      // Not JSON: the text as it is.
    }
    throw new Error(`${a.url} answered ${res.status}: ${message}`);
  }
  return res;
}

/** Run `fn` on a server over the data file, every listener on an ephemeral loopback port. */
async function withDataFile<T>(
  data: string,
  services: readonly Service[],
  fn: (server: Awaited<ReturnType<typeof startServer>>) => Promise<T>,
): Promise<T> {
  try {
    Deno.statSync(data);
  } catch {
    throw new Error(`No data file ${data}`);
  }
  const args = ["--data", data, "--host", "127.0.0.1", "--log-level", "error"];
  for (const s of services) args.push(`--${s.port.flag}=0`);
  const result = parseConfig(args, services, () => undefined);
  if (result.kind !== "run") throw new Error("unreachable");
  const server = await startServer(result.config, services, createLogger("error"));
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function writeOut(out: string | undefined, text: string): Promise<void> {
  if (out) await Deno.writeTextFile(out, text);
  else await Deno.stdout.write(new TextEncoder().encode(text));
}

/**
 * Run one subcommand; returns the exit code: 2 for a bad command line or fixture, 1 for any
 * other failure (told on stderr).
 */
export async function runTool(
  name: string,
  args: string[],
  services: readonly Service[],
): Promise<number> {
  try {
    return await run(name, args, services);
  } catch (error) {
    console.error(`basekv ${name}: ${(error as Error).message}`);
    return error instanceof ConfigError || error instanceof FixtureError ? 2 : 1;
  }
}

async function run(name: string, args: string[], services: readonly Service[]): Promise<number> {
  if (args.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const a = parseToolArgs(args);
  const names = services.map((s) => s.name);
  const q = a.namespace ? `?namespace=${encodeURIComponent(a.namespace)}` : "";
  if (name === "export") {
    const fixture = a.data
      ? await withDataFile(
        a.data,
        services,
        async (s) => (await s.admin()).exportFixture(new URLSearchParams(q)),
      )
      : await (await call(a, "GET", `export${q}`)).json();
    await writeOut(a.out, JSON.stringify(fixture, null, 2) + "\n");
    return 0;
  }
  if (name === "import") {
    if (!a.file) throw new ConfigError(`Name the fixture file to import\n\n${USAGE}`);
    const text = await Deno.readTextFile(a.file);
    const fixture = parseFixture(text, names);
    if (a.data) {
      await withDataFile(a.data, services, async (s) => {
        const admin = await s.admin();
        if (a.reset) await admin.reset(new URLSearchParams());
        await admin.seed(fixture);
      });
    } else {
      if (a.reset) await call(a, "POST", "reset");
      await call(a, "POST", "import", text);
    }
    console.error(`basekv: imported ${a.file}`);
    return 0;
  }
  if (name === "backup") {
    if (!a.out) throw new ConfigError(`Name the backup file with --out\n\n${USAGE}`);
    const res = await call(a, "GET", "backup");
    const partial = `${a.out}.partial`;
    await Deno.writeFile(partial, res.body!);
    await Deno.rename(partial, a.out);
    console.error(`basekv: backup of ${res.headers.get("x-basekv-entries")} entries in ${a.out}`);
    return 0;
  }
  throw new ConfigError(`Unknown subcommand ${name}`);
}
