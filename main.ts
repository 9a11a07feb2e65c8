/**
 * basekv's entry point: parse flags, start the enabled listeners over one store, print the
 * ready line, and shut down cleanly on SIGINT/SIGTERM.
 * @module
 */
// deno.json's "lazy-dynamic-imports" reads each dynamically imported module (most of basekv)
// on its first use rather than walking all of them at every start. The Lua VM's npm package is
// only imported dynamically: its manifest, imported here, keeps the package resolved at start
// (a fresh DENO_DIR fetches it before the ready line; `deno bundle` finds it) without loading it.
import "fengari/package.json" with { type: "json" };
import { ConfigError, parseConfig } from "./src/config.ts";
import { writeReadyFile } from "./src/health.ts";
import { createLogger } from "./src/log.ts";
import { startServer } from "./src/server.ts";
import { VERSION } from "./src/version.ts";
import { after } from "./src/ticker.ts";
import { SERVICES } from "./protocols/mod.ts";

/** The subcommands src/tools.ts runs; it loads only for one of them. */
const TOOLS = ["export", "import", "backup"];
/** How long after the ready line the memory reducer starts (nothing to reduce before load). */
const MEMORY_REDUCER_DELAY_MS = 3000;

async function main(args: string[]): Promise<number> {
  if (TOOLS.includes(args[0])) {
    const { runTool } = await import("./src/tools.ts");
    return await runTool(args[0], args.slice(1), SERVICES);
  }
  let result;
  try {
    result = parseConfig(args, SERVICES);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`basekv: ${error.message}`);
      return 2;
    }
    throw error;
  }
  if (result.kind === "print") {
    console.log(result.text || `basekv ${VERSION}`);
    return 0;
  }
  const config = result.config;
  const log = createLogger(config.logLevel);
  let server;
  try {
    server = await startServer(config, SERVICES, log);
  } catch (error) {
    console.error(`basekv: ${(error as Error).message}`);
    return 1;
  }
  // Listen for signals before announcing readiness: a pipeline may stop basekv right after it.
  const stopped = Promise.withResolvers<string>();
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, () => stopped.resolve(s));
  const running = server;
  if (config.tls) {
    Deno.addSignalListener("SIGHUP", () => {
      running.reloadTls().then(
        () => log.info("SIGHUP: TLS certificate reloaded"),
        (error) => log.error(`SIGHUP: TLS certificate not reloaded: ${error.message}`),
      );
    });
  }
  let removeReadyFile = () => {};
  if (config.readyFile) {
    try {
      removeReadyFile = await writeReadyFile(config.readyFile, server.health());
    } catch (error) {
      console.error(`basekv: Cannot write --ready-file: ${(error as Error).message}`);
      await server.close();
      return 1;
    }
  }
  console.log(server.readyLine);
  const reducer = startMemoryReducerLater();
  const signal = await stopped.promise;
  reducer.stop();
  log.info(`${signal}: shutting down`);
  removeReadyFile();
  await server.close();
  log.info("stopped");
  return 0;
}

/**
 * Start the idle memory reducer once the first requests had the CPU to themselves: it needs
 * node:v8 and node:vm, whose Node layer costs ~45 ms to load.
 */
function startMemoryReducerLater(): { stop(): void } {
  let stopped = false;
  let stopReducer = () => {};
  const later = after(MEMORY_REDUCER_DELAY_MS, async () => {
    const { startMemoryReducer } = await import("./src/memory_reducer.ts");
    if (!stopped) stopReducer = startMemoryReducer().stop;
  });
  return {
    stop() {
      stopped = true;
      later.stop();
      stopReducer();
    },
  };
}

if (import.meta.main) Deno.exit(await main(Deno.args));
