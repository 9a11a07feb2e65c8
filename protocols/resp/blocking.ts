/**
 * Blocking commands' waits (BLPOP, BLMOVE, BLMPOP; BZPOPMIN/BZMPOP and XREAD BLOCK can reuse it):
 * a connection waits on keys and is retried after every durable commit that wrote one of them,
 * from any connection or group commit, waiters on a key served first come, first served.
 *
 * API for command families:
 * - `parseTimeout(arg)`: a timeout in seconds (fractional, 0 = forever) as ms, or Redis's error.
 * - `serveOrBlock(ctx, { keys, timeoutMs, attempt, timeoutReply? })`: resolves with the first
 *   non-null reply of `attempt` (run at once, then after each commit touching one of `keys`), or
 *   `timeoutReply` (default null array, as Redis answers every blocking pop) once the timeout
 *   passes or CLIENT UNBLOCK … TIMEOUT, or the UNBLOCKED error after CLIENT UNBLOCK … ERROR.
 *   `attempt` is the command's non-blocking form: it must submit its write unit before its first
 *   `await` (writeSlot/ctx.write do), since FIFO order between waiters is their submission order;
 *   null means "nothing yet, keep waiting"; a thrown error reply ends the wait with that error.
 *   Its handler needs the "blocking" flag: the connection then flushes earlier replies first and
 *   runs later pipelined commands only after it, as Redis does.
 * - `Blocking` (one per server, `ctx.server.blocking`): `attach(store)` subscribes it to commits;
 *   `unblock(id, "timeout" | "error")` for CLIENT UNBLOCK; `cancel(id)` when a blocked client
 *   disconnects or is killed; `size` for INFO.
 * Waits match keys by name in any db: a push to the same name in another db costs a retry that
 * finds nothing, never a wrong reply. A waiter cancelled while its retry is in flight may still
 * have popped an element (the retry commits; its reply has nowhere to go).
 * @module
 */
import type { Change, Store } from "../../src/store/mod.ts";
import type { CommandContext } from "./command.ts";
import { DATA_ERRORS, ReplyError } from "./errors.ts";
import { parseLongDoubleArg } from "./numbers.ts";
import { KEYS_AND_SLOTS } from "./storage/layout.ts";
import { keyId } from "./notify.ts";
import { error, NONE, NULL_ARRAY, type Reply } from "./reply.ts";

/** A blocked command's retry: its reply, or null while there is nothing to serve. */
export type Attempt = () => Promise<Reply | null>;

/** What a blocking command waits for. */
export interface BlockRequest {
  keys: readonly Uint8Array[];
  /** Milliseconds to wait; 0 = forever. */
  timeoutMs: number;
  attempt: Attempt;
  /** The reply on timeout (Redis: a null array for lists, sorted sets and streams). */
  timeoutReply?: Reply;
}

/** Longest delay a timer takes (setTimeout's int32); longer timeouts re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Largest timeout in ms (LLONG_MAX, as Redis checks before adding the clock). */
const MAX_TIMEOUT_MS = 2 ** 63;

/**
 * A timeout argument in seconds as Redis's getTimeoutFromObjectOrReply reads it: a long double,
 * rounded up to whole milliseconds; 0 waits forever.
 */
export function parseTimeout(arg: Uint8Array): number {
  const value = parseLongDoubleArg(arg);
  if (value === null) throw new ReplyError(DATA_ERRORS.timeoutNotFloat);
  const negative = value === "inf" ? arg[0] === 0x2d : value.neg && value.m !== 0n;
  const magnitude = value === "inf" ? Infinity : Number(value.m) * 2 ** value.e;
  const ms = Math.ceil((negative ? -magnitude : magnitude) * 1000);
  if (ms > MAX_TIMEOUT_MS - Date.now()) throw new ReplyError(DATA_ERRORS.timeoutOutOfRange);
  if (ms < 0) throw new ReplyError(DATA_ERRORS.timeoutNegative);
  return ms === 0 ? 0 : ms;
}

interface Waiter {
  clientId: number;
  keys: string[];
  attempt: Attempt;
  timeoutReply: Reply;
  resolve(reply: Reply): void;
  reject(e: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** An attempt is in flight. */
  busy: boolean;
  /** A key was written while the attempt was in flight: retry once it returns null. */
  again: boolean;
  /** A timeout or CLIENT UNBLOCK that arrived while busy: the reply if the attempt finds nothing. */
  pending: Reply | null;
  /** The first attempt ran (its WRONGTYPE is the reply; a retry's means "not ready"). */
  retried: boolean;
  done: boolean;
}

/** Every waiting client of one server, by key and by client id. */
export class Blocking {
  #byKey = new Map<string, Waiter[]>();
  #byClient = new Map<number, Waiter>();
  #dirty = new Set<string>();
  #scheduled = false;

  /** Blocked clients (INFO blocked_clients). */
  get size(): number {
    return this.#byClient.size;
  }

  /** Keys with waiters (INFO total_blocking_keys). */
  get keys(): number {
    return this.#byKey.size;
  }

  /** Whether a client is blocked. */
  isBlocked(clientId: number): boolean {
    return this.#byClient.has(clientId);
  }

  /** Retry waiters after each durable commit of the redis namespace. Returns an unsubscribe. */
  attach(store: Store): () => void {
    return store.onCommit((changes) => this.#onCommit(changes), { prefixes: KEYS_AND_SLOTS });
  }

  #onCommit(changes: Change[]): void {
    if (this.#byClient.size === 0) return;
    for (const { key, entry } of changes) {
      if (key[0] === "slots") {
        // FLUSHDB or SWAPDB moved every db: any waiter may now have data.
        for (const id of this.#byKey.keys()) this.#signal(id);
      } else if (key[0] === "k") {
        // A deletion wakes waiters too: a blocked XREADGROUP then reports its stream gone.
        const name = (entry?.meta as { K?: Uint8Array } | undefined)?.K ?? key[2];
        if (name instanceof Uint8Array) this.#signal(keyId(name));
      }
    }
  }

  /** Wait as `req` says for client `clientId`; the first attempt runs at once. */
  wait(clientId: number, req: BlockRequest): Promise<Reply> {
    this.cancel(clientId);
    return new Promise<Reply>((resolve, reject) => {
      const w: Waiter = {
        clientId,
        keys: [...new Set(req.keys.map(keyId))],
        attempt: req.attempt,
        timeoutReply: req.timeoutReply ?? NULL_ARRAY,
        resolve,
        reject,
        timer: undefined,
        busy: false,
        again: false,
        pending: null,
        retried: false,
        done: false,
      };
      this.#byClient.set(clientId, w);
      for (const id of w.keys) {
        const list = this.#byKey.get(id);
        if (list) list.push(w);
        else this.#byKey.set(id, [w]);
      }
      if (req.timeoutMs > 0) this.#arm(w, Date.now() + req.timeoutMs);
      this.#try(w);
    });
  }

  #arm(w: Waiter, deadline: number): void {
    const delay = deadline - Date.now();
    w.timer = setTimeout(() => {
      if (delay > MAX_TIMER_MS) this.#arm(w, deadline);
      else this.#end(w, w.timeoutReply);
    }, Math.min(Math.max(delay, 0), MAX_TIMER_MS));
  }

  /** CLIENT UNBLOCK: end a client's wait with a timeout or the UNBLOCKED error. */
  unblock(clientId: number, how: "timeout" | "error"): boolean {
    const w = this.#byClient.get(clientId);
    if (!w) return false;
    this.#end(w, how === "timeout" ? w.timeoutReply : error(DATA_ERRORS.unblocked));
    return true;
  }

  /** Forget a client's wait (it disconnected or was killed). */
  cancel(clientId: number): void {
    const w = this.#byClient.get(clientId);
    if (w) this.#finish(w, NONE);
  }

  /** End a wait with `reply`, unless an attempt in flight may still serve it. */
  #end(w: Waiter, reply: Reply): void {
    if (w.done) return;
    if (w.busy) w.pending = reply;
    else this.#finish(w, reply);
  }

  #finish(w: Waiter, reply: Reply, failure?: { error: unknown }): void {
    if (w.done) return;
    w.done = true;
    clearTimeout(w.timer);
    if (this.#byClient.get(w.clientId) === w) this.#byClient.delete(w.clientId);
    for (const id of w.keys) {
      const list = this.#byKey.get(id);
      if (!list) continue;
      const rest = list.filter((x) => x !== w);
      if (rest.length === 0) this.#byKey.delete(id);
      else this.#byKey.set(id, rest);
    }
    if (failure) w.reject(failure.error);
    else w.resolve(reply);
  }

  #signal(id: string): void {
    this.#dirty.add(id);
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#serve());
  }

  /** Retry the waiters of every key written since the last round, in arrival order. */
  #serve(): void {
    this.#scheduled = false;
    const ids = [...this.#dirty];
    this.#dirty.clear();
    for (const id of ids) {
      for (const w of this.#byKey.get(id) ?? []) {
        if (w.busy) w.again = true;
        else this.#try(w);
      }
    }
  }

  /** Run one attempt: submitted synchronously, so waiters' units queue in FIFO order. */
  #try(w: Waiter): void {
    if (w.done) return;
    const retry = w.retried;
    w.retried = true;
    w.busy = true;
    w.again = false;
    let result: Promise<Reply | null>;
    try {
      result = w.attempt();
    } catch (e) {
      result = Promise.reject(e);
    }
    // Redis serves a waiter only once its key holds the type it waits for: a key overwritten
    // with another type leaves the waiter blocked.
    if (retry) result = result.catch((e) => wrongType(e) ? null : Promise.reject(e));
    result.then((reply) => {
      w.busy = false;
      if (w.done) return;
      if (reply !== null) this.#finish(w, reply);
      else if (w.pending) this.#finish(w, w.pending);
      else if (w.again) { for (const id of w.keys) this.#signal(id); }
    }, (e) => {
      w.busy = false;
      this.#finish(w, NONE, { error: e });
    });
  }
}

function wrongType(e: unknown): boolean {
  return e instanceof ReplyError && e.reply === DATA_ERRORS.wrongType;
}

/** Serve a blocking command now if `attempt` can, else wait as {@link Blocking.wait} does. */
export async function serveOrBlock(ctx: CommandContext, req: BlockRequest): Promise<Reply> {
  // Inside EXEC (or a script) nothing else can run, so a blocking command answers at once.
  if (ctx.inTransaction) return (await req.attempt()) ?? req.timeoutReply ?? NULL_ARRAY;
  return ctx.server.blocking.wait(ctx.session.id, req);
}
