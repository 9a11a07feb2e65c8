/**
 * The server assembly: opens the store, gives each enabled protocol service its namespace and
 * the shared auth/rate-limit layer, starts the listeners, and shuts it all down in order.
 * It knows services only through the {@link Service} interface, never a protocol's details.
 * @module
 */
import { processAgeMs } from "./process_age.ts";
import type { Admin, LoadedFixture } from "./admin.ts";
import { Auth } from "./auth.ts";
import type { Config, ServiceFlags } from "./config.ts";
import { type HealthReport, healthReport, healthResponse } from "./health.ts";
import type { Logger } from "./log.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type Key, type OpenedStore, openStore, type Store } from "./store/mod.ts";
import { TlsSource } from "./tls.ts";

/** What the server hands a protocol service. */
export interface ServiceContext {
  /** The protocol's own namespace of the shared store. */
  store: Store;
  config: Config;
  auth: Auth;
  limiter: RateLimiter;
  log: Logger;
  /** The certificate every listener serves, when TLS is on; listeners follow its reloads. */
  tls: TlsSource | null;
  /** The server's readiness as `GET /health` answers it (served by the HTTP protocol). */
  health(): Response;
  /** The admin API: a request whose path starts with `/_basekv/` (served by the HTTP protocol). */
  admin(req: Request): Promise<Response>;
}

/** A part of one protocol's data the admin API names by a query parameter (`?table=orders`). */
export interface AdminPart {
  param: string;
  value: string;
}

/** A started service. */
export interface RunningService {
  /** Where it listens, as "host:port" or a URL. */
  address: string;
  /** The bound port (useful when 0 was asked for). */
  port: number;
  /** Stop accepting, finish in-flight requests (bounded), close connections. */
  close(): Promise<void>;
  /** Load this protocol's fixture section through its own code; throws FixtureError. */
  seed?(section: unknown, path: string, part?: AdminPart): Promise<void>;
  /** This protocol's data as a fixture section. */
  exportFixture?(): Promise<unknown>;
  /**
   * Clear the part of its data a query parameter of `POST /_basekv/reset` names (DynamoDB
   * `table`, `prefix`; Redis `db`); false when the parameter is not its own. A bad value
   * throws FixtureError naming the parameter.
   */
  resetPart?(param: string, value: string): Promise<boolean>;
  /**
   * The key prefixes (in its namespace) holding the part a snapshot parameter names (DynamoDB
   * `table`, `prefix`: those tables' items); null when the parameter is not its own.
   */
  partPrefixes?(param: string, value: string): Promise<Key[] | null>;
  /**
   * A point-in-time copy of a part that only the protocol can put back (Redis `db`: a db may
   * move to another storage slot before the restore); null when the parameter is not its own.
   */
  snapshotPart?(param: string, value: string): Promise<PartSnapshot | null>;
}

/** A copy of one part of a protocol's data, restored through the protocol. */
export interface PartSnapshot {
  /** Store entries it holds. */
  entries: number;
  takenAt: number;
  /** Make the part hold exactly the copy again, in one write unit. */
  restore(): Promise<void>;
}

/** A protocol front-end: its name, port and flags, started once with its context and port. */
export interface Service extends ServiceFlags {
  start(ctx: ServiceContext, listen: { hostname: string; port: number }): Promise<RunningService>;
}

/** A running basekv server. */
export interface RunningServer extends AsyncDisposable {
  store: OpenedStore;
  services: Map<string, RunningService>;
  /** One line with the time from process start to ready and each protocol's address. */
  readyLine: string;
  /** The readiness report (`GET /health`, `--ready-file`). */
  health(): HealthReport;
  /** Re-read the TLS certificate and key (SIGHUP); throws, keeping the old pair, if bad. */
  reloadTls(): Promise<void>;
  /** Reset, snapshots and fixtures (also served as `/_basekv/` on the HTTP port). */
  admin(): Promise<Admin>;
  close(): Promise<void>;
}

/** Open the store and start every enabled service; on any failure, undo what was started. */
export async function startServer(
  config: Config,
  services: readonly Service[],
  log: Logger,
): Promise<RunningServer> {
  // Read before the store opens: a missing certificate must not leave a fresh store behind.
  const tls = config.tls ? new TlsSource(config.tls) : null;
  // Fixtures are read first: a bad file fails the start before anything is created.
  const names = services.map((s) => s.name);
  const fixtures: LoadedFixture[] = [];
  for (const file of config.seeds) {
    const { readFixtureFile } = await import("./fixtures.ts");
    fixtures.push({ file, fixture: await readFixtureFile(file, names) });
  }
  const local = config.memory || config.kvUrl ? null : config.data;
  const fresh = local === null ? [] : storeFiles(local).filter((path) => !exists(path));
  const store = await openStore({
    path: config.data,
    memory: config.memory,
    url: config.kvUrl ?? undefined,
    cacheMb: config.cacheMb,
    diskReserve: true,
  });
  const auth = new Auth(config.password);
  const limiter = new RateLimiter(config.rateLimit);
  const running = new Map<string, RunningService>();
  let readyMs: number | null = null;
  const report = () => healthReport(store.info.kind, running, readyMs);
  const health = () => healthResponse(report());
  // The admin API (and the fixture code it brings) loads with its first use.
  let adminApi: Promise<Admin> | null = null;
  const admin = () =>
    adminApi ??= import("./admin.ts").then(({ Admin }) =>
      new Admin({ store, namespaces: names, services: running, auth, fixtures, log })
    );
  const serveAdmin = async (req: Request) => await (await admin()).handle(req);
  try {
    // The services start side by side: each one's store reads and bind overlap the others'.
    const enabled = services.filter((s) => config.protocols.includes(s.name));
    const starts = await Promise.allSettled(enabled.map((service) =>
      service.start(
        {
          store: store.scope([service.name]),
          config,
          auth,
          limiter,
          log,
          tls,
          health,
          admin: serveAdmin,
        },
        { hostname: config.host, port: config.ports[service.name] },
      )
    ));
    // In service order, so the ready line and the health report keep it; the first failure in
    // that order is the one reported, after every service that did start is closed below.
    starts.forEach((s, i) => s.status === "fulfilled" && running.set(enabled[i].name, s.value));
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) throw failed.reason;
    if (fixtures.length > 0) await (await admin()).seed();
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
  readyMs = processAgeMs();
  const parts = [...running].map(([name, s]) => `${name} ${s.address}`);
  return {
    store,
    services: running,
    readyLine: `basekv ready in ${readyMs} ms: ${parts.join(", ")} (store: ${store.info.location})`,
    health: report,
    reloadTls: () => tls ? tls.reload() : Promise.resolve(),
    admin,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * What opening a local store at `path` may create, to remove in this order: the database,
 * SQLite's sidecars and the disk reserve, the lock, then its directories, innermost first
 * (removed only if empty).
 */
function storeFiles(path: string): string[] {
  const dirs = [];
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    dirs.push(path.slice(0, i));
  }
  const sidecars = [`${path}-wal`, `${path}-shm`, `${path}-journal`, `${path}.reserve`];
  return [path, ...sidecars, `${path}.lock`, ...dirs];
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
