/**
 * The admin API under `/_basekv/` on the HTTP port: reset (all, a namespace, or a part a
 * service names), point-in-time snapshots and restores, fixtures (seed, export, import) and a
 * consistent backup. It knows protocols only as namespaces and the {@link RunningService} hooks.
 * Snapshots are held in this process's memory (for a CI run's lifetime), never in the store,
 * so a backup or an export never carries them and a restore never restores them.
 * @module
 */
import { type Auth } from "./auth.ts";
import { type Fixture, FixtureError, parseFixture } from "./fixtures.ts";
import type { Logger } from "./log.ts";
import type { AdminPart, PartSnapshot, RunningService } from "./server.ts";
import { type Key, openStore, type Snapshot, type Store } from "./store/mod.ts";

/** Every admin route starts with this. */
export const ADMIN_PREFIX = "/_basekv/";
/** Longest snapshot name; names are letters, digits, `.`, `_` and `-`. */
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** A fixture file loaded at start, reloaded on reset. */
export interface LoadedFixture {
  file: string;
  fixture: Fixture;
}

/** What the admin API works on. */
export interface AdminDeps {
  /** The whole store (the namespaces are its first key part). */
  store: Store;
  /** Every protocol's namespace, whether started or not. */
  namespaces: readonly string[];
  /** The started services, by name (filled as they start). */
  services: ReadonlyMap<string, RunningService>;
  auth: Auth;
  fixtures: readonly LoadedFixture[];
  log: Logger;
}

/** A bad request: answered 400 with the message. */
class BadRequest extends Error {}

/** A held snapshot: store ranges, or a part its protocol copied (and restores) itself. */
type Held =
  | { snapshot: Snapshot; namespaces: string[] }
  | { part: PartSnapshot; namespaces: string[] };

function json(body: unknown, status = 200): Response {
  return Response.json(body, { status });
}

/** The admin API of one server. */
export class Admin {
  #deps: AdminDeps;
  #snapshots = new Map<string, Held>();

  constructor(deps: AdminDeps) {
    this.#deps = deps;
  }

  /** Answer one request whose path starts with {@link ADMIN_PREFIX}. */
  async handle(req: Request): Promise<Response> {
    if (!this.#authorized(req)) {
      return new Response(JSON.stringify({ error: "Authentication required" }) + "\n", {
        status: 401,
        headers: { "content-type": "application/json", "www-authenticate": 'Basic realm="basekv"' },
      });
    }
    const url = new URL(req.url);
    const route = `${req.method} ${url.pathname.slice(ADMIN_PREFIX.length)}`;
    const q = url.searchParams;
    try {
      if (route === "POST reset") return json(await this.reset(q));
      if (route === "POST snapshot") return json(await this.#snapshot(q));
      if (route === "POST restore") return json(await this.#restore(q));
      if (route === "GET snapshots") return json(this.#list());
      if (route.startsWith("DELETE snapshots/")) {
        const name = decodeURIComponent(route.slice("DELETE snapshots/".length));
        if (!this.#snapshots.delete(name)) return json({ error: `No snapshot ${name}` }, 404);
        return json({ deleted: name });
      }
      if (route === "GET export") return json(await this.exportFixture(q));
      if (route === "POST import") {
        const fixture = parseFixture(await req.text(), this.#deps.namespaces);
        await this.seed(fixture);
        return json({ imported: Object.keys(fixture) });
      }
      if (route === "GET backup") return await this.#backup();
      return json({ error: `No admin route ${req.method} ${url.pathname}` }, 404);
    } catch (error) {
      if (error instanceof BadRequest || error instanceof RangeError) {
        return json({ error: error.message }, 400);
      }
      if (error instanceof FixtureError) {
        return json({ error: error.message, path: error.path }, 400);
      }
      this.#deps.log.error(`admin: ${(error as Error)?.stack ?? error}`);
      return json({ error: (error as Error)?.message ?? String(error) }, 500);
    }
  }

  /** Any user name with the password, as Basic auth or a Bearer token; anything without one. */
  #authorized(req: Request): boolean {
    const auth = this.#deps.auth;
    if (!auth.required) return true;
    const header = req.headers.get("authorization") ?? "";
    const [scheme, token = ""] = header.split(/\s+/, 2);
    if (/^bearer$/i.test(scheme)) return auth.verify(token);
    if (/^basic$/i.test(scheme)) {
      let decoded: string;
      try {
        decoded = atob(token);
      } catch {
        return false;
      }
      const colon = decoded.indexOf(":");
      return colon >= 0 && auth.verify(decoded.slice(colon + 1));
    }
    return false;
  }

  /** The namespaces a request covers: `?namespace=` or all of them. */
  #namespaces(q: URLSearchParams): string[] {
    const ns = q.get("namespace");
    if (ns === null) return [...this.#deps.namespaces];
    if (!this.#deps.namespaces.includes(ns)) {
      throw new BadRequest(
        `Unknown namespace ${JSON.stringify(ns)} (expected ${this.#deps.namespaces.join(", ")})`,
      );
    }
    return [ns];
  }

  #checkParams(q: URLSearchParams, allowed: readonly string[]): void {
    for (const name of q.keys()) {
      if (!allowed.includes(name)) throw new BadRequest(`Unknown parameter ${name}`);
    }
  }

  /**
   * Empty everything, a namespace, or a part a service names (`?table=`, `?prefix=`, `?db=`),
   * then load the fixtures' sections for what was emptied.
   */
  async reset(q: URLSearchParams): Promise<Record<string, unknown>> {
    const params = [...q.keys()].filter((k) => k !== "namespace");
    if (params.length > 1) throw new BadRequest("Name one part to reset");
    if (params.length === 1) {
      const part: AdminPart = { param: params[0], value: q.get(params[0])! };
      for (const [name, service] of this.#deps.services) {
        if (q.has("namespace") && q.get("namespace") !== name) continue;
        if (await service.resetPart?.(part.param, part.value)) {
          await this.seed(undefined, [name], part);
          return { reset: name, [part.param]: part.value };
        }
      }
      throw new BadRequest(`Unknown parameter ${part.param}`);
    }
    const namespaces = this.#namespaces(q);
    const store = this.#deps.store;
    if (store.info.exclusive) {
      await store.restore({
        prefixes: namespaces.map((ns) => [ns]),
        entries: [],
        takenAt: Date.now(),
      });
    } else {
      // A shared store commits at most 1000 writes at once: empty it in batches instead.
      for (const ns of namespaces) await store.deletePrefix([ns]);
    }
    await this.seed(undefined, namespaces);
    return { reset: namespaces };
  }

  /**
   * Load fixtures (the given one, or every `--seed` file) into the started services, only the
   * sections of `namespaces` and only `part` of them when given. Errors name file and path.
   */
  async seed(fixture?: Fixture, namespaces?: readonly string[], part?: AdminPart): Promise<void> {
    const loaded = fixture ? [{ file: "", fixture }] : this.#deps.fixtures;
    for (const { file, fixture } of loaded) {
      for (const [name, section] of Object.entries(fixture)) {
        if (namespaces && !namespaces.includes(name)) continue;
        const service = this.#deps.services.get(name);
        if (!service?.seed) {
          this.#deps.log.warn(
            `${file || "import"}: section ${name} skipped: ${name} is not started`,
          );
          continue;
        }
        try {
          await service.seed(section, `$.${name}`, part);
        } catch (error) {
          if (error instanceof FixtureError && file) {
            throw new Error(`Bad fixture ${file}: ${error.message}`);
          }
          throw error;
        }
      }
    }
  }

  /** The started services' data as one fixture (`?namespace=` for one). */
  async exportFixture(q: URLSearchParams): Promise<Fixture> {
    this.#checkParams(q, ["namespace"]);
    const out: Fixture = {};
    for (const name of this.#namespaces(q)) {
      const service = this.#deps.services.get(name);
      if (service?.exportFixture) out[name] = await service.exportFixture();
    }
    return out;
  }

  async #snapshot(q: URLSearchParams): Promise<Record<string, unknown>> {
    const name = this.#name(q);
    const params = [...q.keys()].filter((k) => k !== "name" && k !== "namespace");
    let namespaces = this.#namespaces(q);
    let prefixes: Key[] = namespaces.map((ns) => [ns]);
    if (params.length > 1) throw new BadRequest("Name one part to snapshot");
    if (params.length === 1) {
      // A part a service names: its key prefixes as they are now.
      const [param, value] = [params[0], q.get(params[0])!];
      const only = q.get("namespace");
      const copied = await this.#servicePart(only, (s) => s.snapshotPart?.(param, value));
      if (copied !== null) {
        const held = { part: copied.found, namespaces: [copied.namespace] };
        this.#snapshots.set(name, held);
        return { snapshot: name, namespaces: held.namespaces, entries: held.part.entries };
      }
      const part = await this.#servicePart(only, (s) => s.partPrefixes?.(param, value));
      if (part === null) throw new BadRequest(`Unknown parameter ${param}`);
      namespaces = [part.namespace];
      prefixes = part.found.map((p) => [part.namespace, ...p]);
    }
    const snapshot = await this.#deps.store.snapshot(prefixes);
    this.#snapshots.set(name, { snapshot, namespaces });
    return { snapshot: name, namespaces, entries: snapshot.entries.length };
  }

  /**
   * The first started service (the one `only` names, when given) whose `ask` answers for a
   * part a parameter names, with its namespace; null when none does.
   */
  async #servicePart<T>(
    only: string | null,
    ask: (service: RunningService) => Promise<T | null> | undefined,
  ): Promise<{ namespace: string; found: T } | null> {
    for (const [namespace, service] of this.#deps.services) {
      if (only !== null && only !== namespace) continue;
      const found = await ask(service);
      if (found) return { namespace, found };
    }
    return null;
  }

  async #restore(q: URLSearchParams): Promise<Record<string, unknown>> {
    this.#checkParams(q, ["name", "namespace"]);
    const name = this.#name(q);
    const held = this.#snapshots.get(name);
    if (!held) throw new BadRequest(`No snapshot ${name}`);
    let namespaces = held.namespaces;
    const ns = q.get("namespace");
    if (ns !== null && !namespaces.includes(ns)) {
      throw new BadRequest(`Snapshot ${name} does not hold ${ns}`);
    }
    if ("part" in held) {
      await held.part.restore();
      return { restored: name, namespaces, entries: held.part.entries };
    }
    let snapshot = held.snapshot;
    if (ns !== null) {
      namespaces = [ns];
      snapshot = {
        prefixes: snapshot.prefixes.filter((p) => p[0] === ns),
        entries: snapshot.entries.filter((e) => e.key[0] === ns),
        takenAt: snapshot.takenAt,
      };
    }
    await this.#deps.store.restore(snapshot);
    return { restored: name, namespaces, entries: snapshot.entries.length };
  }

  #list(): Record<string, unknown>[] {
    return [...this.#snapshots].map(([name, held]) => {
      const { entries, takenAt } = "part" in held
        ? held.part
        : { entries: held.snapshot.entries.length, takenAt: held.snapshot.takenAt };
      return {
        name,
        namespaces: held.namespaces,
        entries,
        takenAt: new Date(takenAt).toISOString(),
      };
    });
  }

  #name(q: URLSearchParams): string {
    const name = q.get("name") ?? "";
    if (!NAME_PATTERN.test(name)) {
      throw new BadRequest("name: expected 1-100 letters, digits, '.', '_' or '-'");
    }
    return name;
  }

  /**
   * A consistent copy of the whole store as a basekv data file: one point-in-time snapshot,
   * written into a fresh SQLite store beside nothing else, streamed, then removed.
   */
  async #backup(): Promise<Response> {
    const snapshot = await this.#deps.store.snapshot(this.#deps.namespaces.map((ns) => [ns]));
    const dir = await Deno.makeTempDir({ prefix: "basekv-backup-" });
    const path = `${dir}/backup.sqlite3`;
    try {
      const copy = await openStore({ path, sweepIntervalMs: 0, cacheMb: 0 });
      try {
        await copy.restore(snapshot);
      } finally {
        await copy.close();
      }
      const file = await Deno.open(path);
      // Unlinked now: the open handle keeps the bytes until the stream ends.
      await Deno.remove(dir, { recursive: true });
      return new Response(file.readable, {
        headers: {
          "content-type": "application/vnd.sqlite3",
          "content-disposition": 'attachment; filename="basekv-backup.sqlite3"',
          "x-basekv-entries": String(snapshot.entries.length),
        },
      });
    } catch (error) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      throw error;
    }
  }
}
