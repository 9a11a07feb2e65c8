/**
 * Commands run in process, without a socket, through the same command table and handlers as a
 * connection: fixtures, export and the admin API's per-database reset use it.
 * @module
 */
import type { Auth } from "../../src/auth.ts";
import type { Entry, Store } from "../../src/store/mod.ts";
import type { CommandContext, Reader, Session } from "./command.ts";
import type { CommandTable } from "./command_table.ts";
import { invoke } from "./invoke.ts";
import { Subscriber } from "./pubsub.ts";
import type { Reply } from "./reply.ts";
import type { ServerState } from "./server_state.ts";

const encoder = new TextEncoder();

/** What the local client needs of a running Redis service. */
export interface LocalDeps {
  store: Store;
  state: ServerState;
  table: CommandTable;
  auth: Auth;
}

/** Runs one command at a time on database `db`; each write is durable before the next. */
export type LocalCall = (db: number, ...args: (string | Uint8Array)[]) => Promise<Reply>;

/** A local client over a running service's state. */
export function localClient(deps: LocalDeps): LocalCall {
  const store = deps.store;
  const session: Session = {
    id: 0,
    db: 0,
    protocol: 3,
    name: "basekv-admin",
    authenticated: true,
    user: "default",
    addr: "local",
    multi: null,
    watches: [],
  };
  const reader: Reader = {
    get now() {
      return Date.now();
    },
    get: (key) => store.get(key),
    getMany: (keys) => store.getMany(keys),
    async list<M>(selector: Parameters<Store["list"]>[0], options?: Parameters<Store["list"]>[1]) {
      const out: Entry<M>[] = [];
      for await (const entry of store.list<M>(selector, options)) out.push(entry);
      return out;
    },
  };
  const ctx: CommandContext = {
    session,
    store,
    read: (fn) => fn(reader),
    write: (fn) => store.write(fn),
    server: deps.state,
    auth: deps.auth,
    commands: deps.table,
    log: { error: () => {}, warn: () => {} },
    subscriber: new Subscriber(() => {}),
    // Never block: a fixture or export must not wait on a list.
    inTransaction: true,
  };
  return async (db, ...args) => {
    session.db = db;
    const argv = args.map((a) => typeof a === "string" ? encoder.encode(a) : a);
    const found = deps.table.lookup(argv);
    if ("error" in found) return { type: "error", value: found.error };
    return await invoke(found.spec.handler, ctx, argv, ctx.log);
  };
}
