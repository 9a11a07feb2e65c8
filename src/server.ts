/**
 * The server assembly: opens the store, gives each enabled protocol service its namespace and
 * the shared auth/rate-limit layer, starts the listeners, and shuts it all down in order.
 * It knows services only through the {@link Service} interface, never a protocol's details.
 * @module
 */
import { Auth } from "./auth.ts";
import type { Config, ServiceFlags } from "./config.ts";
import type { Logger } from "./log.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type OpenedStore, openStore, type Store } from "./store/mod.ts";

/** What the server hands a protocol service. */
export interface ServiceContext {
  /** The protocol's own namespace of the shared store. */
  store: Store;
  config: Config;
  auth: Auth;
  limiter: RateLimiter;
  log: Logger;
}

/** A started service. */
export interface RunningService {
  /** Where it listens, as "host:port" or a URL. */
  address: string;
  /** The bound port (useful when 0 was asked for). */
  port: number;
  /** Stop accepting, finish in-flight requests (bounded), close connections. */
  close(): Promise<void>;
}

/** A protocol front-end: its name, port and flags, started once with its context and port. */
export interface Service extends ServiceFlags {
  start(ctx: ServiceContext, listen: { hostname: string; port: number }): Promise<RunningService>;
}

/** A running basekv server. */
export interface RunningServer extends AsyncDisposable {
  store: OpenedStore;
  services: Map<string, RunningService>;
  /** One line naming each protocol and its address. */
  readyLine: string;
  close(): Promise<void>;
}

/** Open the store and start every enabled service; on any failure, undo what was started. */
export async function startServer(
  config: Config,
  services: readonly Service[],
  log: Logger,
): Promise<RunningServer> {
  const local = config.memory || config.kvUrl ? null : config.data;
  const fresh = local === null ? [] : storeFiles(local).filter((path) => !exists(path));
  const store = await openStore({
    path: config.data,
    memory: config.memory,
    url: config.kvUrl ?? undefined,
    cacheMb: config.cacheMb,
  });
  const auth = new Auth(config.password);
  const limiter = new RateLimiter(config.rateLimit);
  const running = new Map<string, RunningService>();
  try {
    for (const service of services) {
      if (!config.protocols.includes(service.name)) continue;
      const started = await service.start(
        { store: store.scope([service.name]), config, auth, limiter, log },
        { hostname: config.host, port: config.ports[service.name] },
      );
      running.set(service.name, started);
    }
  } catch (error) {
    for (const s of running.values()) await s.close();
    await store.close();
    // A start that failed leaves no trace: remove the files this attempt created.
    for (const path of fresh) await Deno.remove(path).catch(() => {});
    throw error;
  }
  let closing: Promise<void> | null = null;
  const close = () =>
    closing ??= (async () => {
      await Promise.all([...running.values()].map((s) => s.close()));
      await store.close();
    })();
  const parts = [...running].map(([name, s]) => `${name} ${s.address}`);
  return {
    store,
    services: running,
    readyLine: `basekv ready: ${parts.join(", ")} (store: ${store.info.location})`,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * What opening a local store at `path` may create, to remove in this order: the database,
 * SQLite's sidecars, the lock, then its directories, innermost first (removed only if empty).
 */
function storeFiles(path: string): string[] {
  const dirs = [];
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    dirs.push(path.slice(0, i));
  }
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`, `${path}.lock`, ...dirs];
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
