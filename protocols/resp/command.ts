/**
 * The contract between the RESP server and command handlers: what a handler receives (the
 * session, read/write access to the keyspace, the server's shared state) and how a command is
 * declared.
 * Handlers never call the store's write loop themselves: `ctx.write` does, so MULTI/EXEC and
 * scripts can run many handlers inside one transaction by supplying another context.
 * @module
 */
import type { Logger } from "../../src/log.ts";
import type { Auth } from "../../src/auth.ts";
import type { Entry, Key, ListOptions, Selector, Store, WriteTx } from "../../src/store/mod.ts";
import type { CommandTable } from "./command_table.ts";
import type { Reply } from "./reply.ts";
import type { MultiState, Watch } from "./transaction.ts";
import type { Subscriber } from "./pubsub.ts";
import type { ServerState } from "./server_state.ts";

/** Read access to the keyspace: the committed state, or a transaction's view inside one. */
export interface Reader {
  readonly now: number;
  get<M = unknown>(key: Key): Promise<Entry<M> | null>;
  getMany<M = unknown>(keys: readonly Key[]): Promise<(Entry<M> | null)[]>;
  list<M = unknown>(selector: Selector, options?: ListOptions): Promise<Entry<M>[]>;
}

/** Per-connection state. */
export interface Session {
  readonly id: number;
  /** Selected database, 0-15. */
  db: number;
  /** 2 or 3, chosen by HELLO. */
  protocol: 2 | 3;
  name: string | null;
  authenticated: boolean;
  /** The ACL user this connection runs as ("default" until AUTH names another). */
  user: string;
  /** Remote address "ip:port". */
  readonly addr: string;
  /** Between MULTI and EXEC/DISCARD: the queued commands; null otherwise. */
  multi: MultiState | null;
  /** Keys WATCHed for the next EXEC. */
  watches: Watch[];
}

/** What a handler gets for one command. */
export interface CommandContext {
  session: Session;
  /** The redis namespace of the store (for reclaiming unreachable data in the background). */
  store: Store;
  /** Read the keyspace, seeing this connection's earlier writes. */
  read<T>(fn: (r: Reader) => Promise<T>): Promise<T>;
  /**
   * What `read` would find for a store key, when memory alone can tell (Store.peek); undefined
   * when only an awaited read can, as while this connection's last write is still in flight.
   * Lets a hot read answer without a promise. Absent where reads go elsewhere (a transaction).
   */
  peek?<M = unknown>(key: Key): Entry<M> | null | undefined;
  /**
   * Run a read-modify-write unit; resolves after it is durable. `keys` (store keys the unit
   * will touch) are prefetched before it runs; the connection loop supplies them from the
   * command table when the handler gives none.
   */
  write<T>(fn: (tx: WriteTx) => T | Promise<T>, keys?: readonly Key[]): Promise<T>;
  /** What this server's connections share: the clients registry, stats and CONFIG. */
  server: ServerState;
  /** The password check (AUTH, HELLO, RESET). */
  auth: Auth;
  /** Every command this server knows (COMMAND and its subcommands read it). */
  commands: CommandTable;
  /** Where bugs a handler hits (and refused logins) are logged. */
  log: Pick<Logger, "error" | "warn">;
  /** This connection's pub/sub subscriptions (delivery goes to its socket). */
  subscriber: Subscriber;
  /** True inside EXEC (and scripts): blocking commands must not block there. */
  inTransaction?: boolean;
  /**
   * Inside a write unit (EXEC, a script): run `fn` once the unit has committed, and only for the
   * run that committed (the store may re-run a unit). PUBLISH delivers through it, so a
   * subscriber woken by the message reads the unit's writes, as with Redis.
   */
  afterCommit?(fn: () => void): void;
  /**
   * This connection's writes not yet committed (null when none): what a command with an effect
   * outside the store (PUBLISH) waits for, so that effect follows them as with Redis.
   */
  pendingWrites?(): Promise<void> | null;
  /**
   * The running command has queued its effect in order (as a submitted write has): the loop may
   * start the next command before this one's reply settles.
   */
  queued?(): void;
}

/** A command's handler: argv includes the command name at [0], as Redis's. */
export type Handler = (ctx: CommandContext, argv: Uint8Array[]) => Reply | Promise<Reply>;

/** One command-table entry (Redis's COMMAND INFO shape). */
export interface CommandSpec {
  /** Lower-case name. */
  name: string;
  /** Redis arity: N = exactly N args incl. the name; -N = at least N. */
  arity: number;
  /** Redis flags: "write", "readonly", "fast", "denyoom", "admin", "noscript", "loading", … */
  flags: string[];
  /** Key positions: first key index, last key index (-1 = last arg), step; 0,0,0 = none. */
  firstKey: number;
  lastKey: number;
  step: number;
  handler: Handler;
  /** One-line summary for COMMAND DOCS. */
  summary?: string;
  /**
   * Container commands (CLIENT, CONFIG, OBJECT, …): subcommands by lower-case `name`, each with
   * its own arity counting the container name and the subcommand. The container's handler is
   * not called when argv[1] names a subcommand; unknown subcommands get Redis's error.
   */
  subcommands?: CommandSpec[];
}

/** How a command is declared, as Redis's command table states it. */
export interface CommandShape {
  arity: number;
  flags: string[];
  /** First key, last key (-1 = last argument), step; absent for commands without keys. */
  keys?: [first: number, last: number, step: number];
  summary?: string;
  subcommands?: CommandSpec[];
}

/** A command-table entry: every family declares its commands with this. */
export function command(name: string, shape: CommandShape, handler: Handler): CommandSpec {
  const [firstKey, lastKey, step] = shape.keys ?? [0, 0, 0];
  return {
    name,
    arity: shape.arity,
    flags: shape.flags,
    firstKey,
    lastKey,
    step,
    summary: shape.summary,
    subcommands: shape.subcommands,
    handler,
  };
}

/** Flag sets and key positions many command tables share (never mutated). */
export const READONLY: string[] = ["readonly"];
export const READONLY_FAST: string[] = ["readonly", "fast"];
/** One key at argv[1]. */
export const ONE_KEY: [number, number, number] = [1, 1, 1];
/** Every argument from argv[1] on is a key. */
export const ALL_KEYS: [number, number, number] = [1, -1, 1];
