/**
 * A direct harness for the data commands: a CommandContext over an in-memory store, calling
 * handlers without a socket (the socket tests use real clients).
 * @module
 */
import { Auth } from "../../../src/auth.ts";
import { type OpenedStore, openStore, type Store } from "../../../src/store/mod.ts";
import type { CommandContext, Reader, Session } from "../../../protocols/resp/command.ts";
import { CommandTable } from "../../../protocols/resp/command_table.ts";
import { invoke } from "../../../protocols/resp/invoke.ts";
import type { Reply } from "../../../protocols/resp/reply.ts";
import { COMMANDS as STRINGS } from "../../../protocols/resp/commands/strings.ts";
import { COMMANDS as KEYS } from "../../../protocols/resp/commands/keys.ts";
import { COMMANDS as HASHES } from "../../../protocols/resp/commands/hashes.ts";
import { COMMANDS as LISTS } from "../../../protocols/resp/commands/lists.ts";
import { COMMANDS as SETS } from "../../../protocols/resp/commands/sets.ts";
import { COMMANDS as SCAN } from "../../../protocols/resp/commands/scan.ts";
import { COMMANDS as SORT } from "../../../protocols/resp/commands/sort.ts";
import { COMMANDS as STREAMS } from "../../../protocols/resp/commands/streams.ts";
import { COMMANDS as STREAM_GROUPS } from "../../../protocols/resp/commands/stream_groups.ts";
import { COMMANDS as STREAM_INFO } from "../../../protocols/resp/commands/stream_info.ts";
import { COMMANDS as INFO } from "../../../protocols/resp/commands/info.ts";
import { COMMANDS as SORTED_SETS } from "../../../protocols/resp/commands/sorted_sets.ts";
import { COMMANDS as DUMP } from "../../../protocols/resp/commands/dump.ts";
import { ConfigParams } from "../../../protocols/resp/config_params.ts";
import { Subscriber } from "../../../protocols/resp/pubsub.ts";
import { ServerState } from "../../../protocols/resp/server_state.ts";
import { countSlots } from "../../../protocols/resp/keyspace.ts";
import { installReclaimer } from "../../../protocols/resp/storage/reclaim.ts";

const TABLE = new CommandTable([
  { group: "string", commands: STRINGS },
  { group: "generic", commands: KEYS },
  { group: "hash", commands: HASHES },
  { group: "list", commands: LISTS },
  { group: "set", commands: SETS },
  { group: "generic", commands: SCAN },
  { group: "generic", commands: SORT },
  { group: "stream", commands: STREAMS },
  { group: "stream", commands: STREAM_GROUPS },
  { group: "stream", commands: STREAM_INFO },
  { group: "server", commands: INFO },
  { group: "sorted-set", commands: SORTED_SETS },
  { group: "generic", commands: DUMP },
]);
const encoder = new TextEncoder();

/** A harness: `call("SET", "k", "v")` runs one command on db `session.db`. */
export interface Harness extends AsyncDisposable {
  store: OpenedStore;
  session: Session;
  /**
   * Entries the commands' reads returned so far (gets count each key, lists each entry), and
   * entries listed straight from the store (`ctx.store`, as INFO and reclaim use it).
   */
  reads: { entries: number; listed: number };
  call(...args: (string | Uint8Array)[]): Promise<Reply>;
}

/** Options for {@link openHarness}. */
export interface HarnessOptions {
  /**
   * A temp-file store opened as one of several writers (as a remote store is: every read of a
   * write unit becomes a commit check, at most 10 per commit).
   */
  shared?: boolean;
}

/** Open a store (in memory, or shared on a temp file) and a session on db 0. */
export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = options.shared ? await Deno.makeTempDir() : null;
  const store = dir
    ? await openStore({ path: `${dir}/shared.sqlite`, shared: true, sweepIntervalMs: 20 })
    : await openStore({ memory: true, sweepIntervalMs: 20 });
  const redis = store.scope(["redis"]);
  installReclaimer(redis);
  countSlots(redis);
  const session: Session = {
    id: 1,
    db: 0,
    protocol: 3,
    name: null,
    authenticated: true,
    user: "default",
    addr: "127.0.0.1:1",
    multi: null,
    watches: [],
  };
  // Counts what reads return: a forwarding wrapper, so tests can bound a command's reads.
  const reads = { entries: 0, listed: 0 };
  const reader: Omit<Reader, "now"> = {
    get: (key) => {
      reads.entries++;
      return redis.get(key);
    },
    getMany: (keys) => {
      reads.entries += keys.length;
      return redis.getMany(keys);
    },
    list: async (selector, options) => {
      const out = [];
      for await (const e of redis.list(selector, options)) out.push(e);
      reads.entries += out.length;
      // deno-lint-ignore no-explicit-any -- generic entry type is erased in the array
      return out as any;
    },
  };
  const ctx: CommandContext = {
    session,
    store: countingLists(redis, reads),
    read: (fn) => fn({ ...reader, now: Date.now() }),
    write: (fn) => redis.write(fn),
    server: new ServerState(new ConfigParams({ port: 0, password: null })),
    auth: new Auth(null),
    commands: TABLE,
    log: console,
    subscriber: new Subscriber(() => {}),
  };
  return {
    store,
    session,
    reads,
    call(...args) {
      const argv = args.map((a) => typeof a === "string" ? encoder.encode(a) : a);
      const found = TABLE.lookup(argv);
      if ("error" in found) return Promise.resolve({ type: "error", value: found.error });
      return Promise.resolve(invoke(found.spec.handler, ctx, argv, console));
    },
    [Symbol.asyncDispose]: async () => {
      await store.close();
      if (dir) await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A forwarding store that counts the entries its range reads return. */
function countingLists(store: Store, reads: { listed: number }): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === "list") {
        return async function* (...args: Parameters<Store["list"]>) {
          for await (const e of target.list(...args)) {
            reads.listed++;
            yield e;
          }
        };
      }
      if (prop === "listPage") {
        return async (...args: Parameters<Store["listPage"]>) => {
          const page = await target.listPage(...args);
          reads.listed += page.entries.length;
          return page;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** A reply as plain data for assertions: bulk strings become text, maps become arrays. */
export function plain(reply: Reply): unknown {
  switch (reply.type) {
    case "bulk":
      return typeof reply.value === "string" ? reply.value : new TextDecoder().decode(reply.value);
    case "simple":
      return reply.value;
    case "error":
      return { error: reply.value };
    case "integer":
      return Number(reply.value);
    case "null":
    case "nullArray":
      return null;
    case "array":
    case "set":
    case "push":
      return reply.value.map(plain);
    case "map":
      return reply.value.map(([k, v]) => [plain(k), plain(v)]);
    case "double":
      return reply.value;
    default:
      return reply;
  }
}

/**
 * Members of the "huge collection" tests: 1,000,000 with `BASEKV_HUGE=1` (`make test-huge`),
 * else 100,000, which shows the same bound on reads in a fraction of the time.
 */
export const HUGE = Deno.env.get("BASEKV_HUGE") === "1" ? 1_000_000 : 100_000;
