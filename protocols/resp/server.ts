/**
 * The RESP connection loop: read, parse every complete command, run them in order, and write
 * all their replies with one write per batch. Writes are submitted to the store's loop in order
 * without awaiting each (a pipeline of writes shares one commit); a read first waits for the
 * connection's last write, so every reply reflects the connection's earlier commands. A blocking
 * command (BLPOP…) is awaited on its own, after the replies before it are sent, while the socket
 * is still read so a client that leaves is noticed; its later pipelined commands wait behind it.
 * @module
 */
import { type ConnWatch, type NetConn, writeAll } from "../../src/tcp.ts";
import { keepBytes } from "../../src/kept_bytes.ts";
import type { Auth } from "../../src/auth.ts";
import type { Logger } from "../../src/log.ts";
import type { RateLimiter } from "../../src/rate_limit.ts";
import type { Entry, Key, Store, WriteTx } from "../../src/store/mod.ts";
import type { CommandContext, CommandSpec, Reader, Session } from "./command.ts";
import type { CommandTable } from "./command_table.ts";
import { ERRORS, SERVER_ERRORS } from "./errors.ts";
import { invoke } from "./invoke.ts";
import { encodeReply, parseRequests, ReplyWriter } from "./codec/mod.ts";
import { type PushFrame, Subscriber } from "./pubsub.ts";
import { error, type Reply, simple } from "./reply.ts";
import type { ClientRecord, ServerState } from "./server_state.ts";
import { busyReply } from "./script_run.ts";
import { flagTransaction, queueInMulti } from "./transaction.ts";
import { writeUnit } from "./notify.ts";
import { writeHints } from "./write_hints.ts";
import { aclRefusal } from "./acl/gate.ts";

const QUEUED = simple("QUEUED");
/** What a RESP2 connection in subscribed mode may still run. */
const SUBSCRIBED_MODE = new Set([
  "subscribe",
  "unsubscribe",
  "psubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset",
]);
/** Read buffer size once a client sends more than a small request; grown for large arguments. */
const READ_CHUNK = 64 * 1024;
/** A new or quiet connection's buffers: small, so thousands of idle clients cost little. */
const IDLE_CHUNK = 4 * 1024;
/** A reply buffer grown past this is dropped after its batch, so idle connections stay small. */
const KEEP_WRITER_BYTES = 1024 * 1024;

/**
 * Outboxes whose bytes are on the socket, for the next subscriber's burst: a fresh buffer per
 * burst per subscriber was a zeroed native allocation each time. Shared by all connections and
 * bounded, so idle subscribers hold none.
 */
const spareOutboxes: ReplyWriter[] = [];
const SPARE_OUTBOXES = 16;

function recycleOutbox(w: ReplyWriter): void {
  if (spareOutboxes.length >= SPARE_OUTBOXES || w.length > READ_CHUNK) return;
  w.reset();
  spareOutboxes.push(w);
}

/** What the connection loop needs from the server. */
export interface ConnectionDeps {
  store: Store;
  auth: Auth;
  limiter: RateLimiter;
  rateLimit: number;
  log: Logger;
  state: ServerState;
  table: CommandTable;
}

/**
 * Arguments must outlive the read buffer, which the next read reuses: the batch's bytes are
 * copied once (no allocation of its own, see keepBytes) and its arguments become views of them.
 */
function detach(commands: Uint8Array[][], buf: Uint8Array, used: number): void {
  if (commands.length === 0) return;
  const copy = keepBytes(buf.subarray(0, used));
  for (const argv of commands) {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      // Inline commands' arguments are unescaped into arrays of their own.
      if (a.buffer !== buf.buffer) continue;
      const at = a.byteOffset - buf.byteOffset;
      argv[i] = copy.subarray(at, at + a.length);
    }
  }
}

/**
 * A command that may write gets arguments that each own their bytes: the store may cache them,
 * and handlers may put one in V8-serialized metadata, which would carry the whole batch along.
 */
function own(argv: Uint8Array[]): Uint8Array[] {
  return argv.map((a) => a.slice());
}

/** A command that passed the gates: its spec and full name ("client|list"). */
type Ran = { spec: CommandSpec; fullName: string };

/** A command of a batch awaiting its reply, with its counters and times (INFO commandstats). */
interface Pending {
  reply: Reply | Promise<Reply>;
  protocol: 2 | 3;
  /** The command that ran (null when it was refused before running). */
  ran: Ran | null;
  start: number;
  /** When its reply was ready; null while it is a promise (then: when that settles). */
  end: number | null;
}

/** A reply ready to encode. */
type Outgoing = { reply: Reply; protocol: 2 | 3 };
/** A command of a batch whose reply is ready. */
type Settled = Pending & Outgoing;

/** A batch being run: its replies in order, reads still running, and when the last one ended. */
interface Batch {
  pending: Pending[];
  reads: Promise<Reply>[];
  clock: number;
}

/** One client connection. */
class RespConnection {
  #conn: NetConn;
  #deps: ConnectionDeps;
  #session: Session;
  #record: ClientRecord;
  #ctx: CommandContext;
  #ip: string;
  #buf = new Uint8Array(IDLE_CHUNK);
  #len = 0;
  #writer = new ReplyWriter(IDLE_CHUNK);
  #watch: ConnWatch;
  /** Waiting on a blocking command: the idle timeout spares it, as Redis's does. */
  #blocked = false;
  /** Settles when the connection's latest submitted write is durable; null when none is pending. */
  #lastWrite: Promise<void> | null = null;
  /** Set when the running handler submitted a write before returning its promise. */
  #submitted = false;
  #skipNext = false;
  #killed = false;
  /** The client left while blocked. */
  #closed = false;
  #idle = false;
  /** Writes to the socket in order: batch replies and pushed messages share one queue. */
  #sending: Promise<void> = Promise.resolve();
  /** Writes queued and not yet done. */
  #writes = 0;
  /** A batch's reply is being written directly (see #writeNow). */
  #writingNow = false;
  /** Starts the writes queued behind the direct write, once it is done. */
  #afterNow: (() => void) | null = null;
  #queuedBytes = 0;
  /**
   * Pushed messages not yet on the socket, in the write queued last: messages published while
   * it waits join it, so a burst costs one socket write per subscriber, not one per message.
   */
  #outbox: ReplyWriter | null = null;
  /** Bytes the last outbox carried: the next starts that large, not grown by copies again. */
  #outboxSize = IDLE_CHUNK;
  /** Keys the running write command will touch, taken by its first write unit. */
  #hint: Key[] | undefined = undefined;
  #subscriber = new Subscriber((frame) => this.#deliver(frame));
  /** A socket read started while blocked, still running (its bytes land at `#len`). */
  #pendingRead: Promise<number | null> | null = null;
  /** Bytes arrived while blocked: parse them before reading again. */
  #arrived = false;

  constructor(conn: NetConn, deps: ConnectionDeps, watch: ConnWatch) {
    this.#conn = conn;
    this.#deps = deps;
    this.#watch = watch;
    watch.exempt = () => this.#blocked || this.#subscriber.active;
    const remote = conn.remoteAddr as Deno.NetAddr;
    const local = conn.localAddr as Deno.NetAddr;
    this.#ip = remote.hostname;
    this.#session = {
      id: deps.state.nextClientId(),
      db: 0,
      protocol: 2,
      name: null,
      authenticated: deps.state.acl ? deps.state.acl.startsLoggedIn() : !deps.auth.required,
      user: "default",
      addr: `${remote.hostname}:${remote.port}`,
      multi: null,
      watches: [],
    };
    const now = Date.now();
    this.#record = {
      session: this.#session,
      subscriber: this.#subscriber,
      laddr: `${local.hostname}:${local.port}`,
      createdAt: now,
      lastActive: now,
      lastCommand: "NULL",
      libName: "",
      libVer: "",
      replyMode: "on",
      noEvict: false,
      noTouch: false,
      monitoring: false,
      closeAfterReply: false,
      kill: () => {
        this.#killed = true;
        try {
          this.#conn.close();
        } catch {
          // Already closed.
        }
      },
    };
    this.#ctx = this.#context(deps.store);
  }

  /** ctx.peek for a write's hints: a write's look, not a client's read (see Store.peek). */
  #hintPeek = (key: Key) => this.#lastWrite ? undefined : this.#deps.store.peek(key, true);

  #context(store: Store): CommandContext {
    const reader: Reader = {
      get now() {
        return Date.now();
      },
      get: (key) => store.get(key),
      getMany: (keys) => store.getMany(keys),
      async list<M>(
        selector: Parameters<Store["list"]>[0],
        options?: Parameters<Store["list"]>[1],
      ) {
        const out: Entry<M>[] = [];
        for await (const entry of store.list<M>(selector, options)) out.push(entry);
        return out;
      },
    };
    return {
      session: this.#session,
      store,
      server: this.#deps.state,
      auth: this.#deps.auth,
      commands: this.#deps.table,
      log: this.#deps.log,
      subscriber: this.#subscriber,
      read: (fn) => this.#lastWrite ? this.#lastWrite.then(() => fn(reader)) : fn(reader),
      peek: <M>(key: Key) => this.#lastWrite ? undefined : store.peek<M>(key),
      pendingWrites: () => this.#lastWrite,
      write: (fn, keys) => this.#write(store, fn, keys ?? this.#takeHint()),
      queued: () => {
        this.#submitted = true;
      },
    };
  }

  /** The running command's write hint, for its first write unit only. */
  #takeHint(): Key[] | undefined {
    const hint = this.#hint;
    this.#hint = undefined;
    return hint;
  }

  /** Submit a write unit (not awaited by the loop: its reply waits for the commit). */
  #write<T>(
    store: Store,
    fn: (tx: WriteTx) => T | Promise<T>,
    keys: readonly Key[] | undefined,
  ): Promise<T> {
    const done = writeUnit(this.#deps.state, this.#session, store, fn, keys ? { keys } : undefined);
    this.#submitted = true;
    // Cleared as it settles, before the reads chained on it run: one promise per write.
    const clear = () => {
      if (this.#lastWrite === settled) this.#lastWrite = null;
    };
    // A unit that fails (INCR on text) is rejected at once, while the writes submitted before it
    // may still be staged: reads wait for those too (a pipelined SET k, failing INCR, GET k read
    // nil). Commits resolve in submission order, so only the failure path needs the chain.
    const before = this.#lastWrite;
    const settled: Promise<void> = done.then(
      clear,
      before === null ? clear : () => before.then(clear),
    );
    this.#lastWrite = settled;
    return done;
  }

  /** Serve until the client leaves, is killed, or the server shuts down. */
  async run(signal: AbortSignal): Promise<void> {
    const { state } = this.#deps;
    state.clients.set(this.#session.id, this.#record);
    state.stats.connectionsReceived++;
    const onAbort = () => {
      if (this.#idle) this.#record.kill();
    };
    signal.addEventListener("abort", onAbort);
    try {
      await this.#loop(signal);
    } catch (e) {
      if (!this.#killed && !(e instanceof Deno.errors.BadResource)) {
        this.#deps.log.debug(`redis: connection ${this.#session.addr} ended: ${e}`);
      }
    } finally {
      signal.removeEventListener("abort", onAbort);
      state.blocking.cancel(this.#session.id);
      state.clients.delete(this.#session.id);
      state.pubsub.leave(this.#subscriber);
      state.monitors.remove(this.#session.id);
      state.tracking.disable(this.#session.id);
      state.fanout?.changed().catch(() => {});
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let need = 1;
    while (!signal.aborted && !this.#killed && !this.#closed) {
      if (!this.#arrived) {
        const growable = this.#pendingRead === null;
        if (
          growable &&
          (this.#buf.length - this.#len < this.#buf.length / 4 || this.#buf.length < need)
        ) {
          this.#grow(Math.max(need, this.#len + READ_CHUNK));
        }
        this.#idle = true;
        const n = await (this.#pendingRead ?? this.#conn.read(this.#buf.subarray(this.#len)));
        this.#pendingRead = null;
        this.#idle = false;
        if (n === null) return;
        this.#deps.state.stats.netInputBytes += n;
        this.#len += n;
      }
      this.#arrived = false;
      // Redis stamps a client's last interaction per read, not per command.
      const now = this.#record.lastActive = Date.now();
      const limits = this.#deps.state.config.connection;
      if (this.#len > limits.queryBufferLimit) {
        // Redis closes such a client without a reply (client-query-buffer-limit).
        this.#deps.log.warn(
          `redis: closing client ${this.#session.addr} that reached max query buffer length`,
        );
        return;
      }
      if (this.#len < need) {
        this.#watch.heard(0, true, now);
        continue;
      }
      const parsed = parseRequests(
        this.#buf.subarray(0, this.#len),
        this.#session.authenticated ? limits.request : limits.unauthenticated,
      );
      const commands = parsed.commands;
      detach(commands, this.#buf, parsed.used);
      this.#buf.copyWithin(0, parsed.used, this.#len);
      this.#len -= parsed.used;
      this.#watch.heard(commands.length, this.#len > 0, now);
      need = parsed.error ? 0 : Math.max(1, parsed.need - parsed.used);
      const ran = this.#runBatch(commands);
      const replies: Outgoing[] = ran instanceof Promise ? await ran : ran;
      if (parsed.error) {
        const text = SERVER_ERRORS.protocol(parsed.error);
        this.#deps.state.countError(text);
        replies.push({ reply: error(text), protocol: this.#session.protocol });
      }
      const sent = this.#flush(replies);
      if (sent) await sent;
      if (parsed.error || this.#record.closeAfterReply) return;
      if (
        this.#pendingRead === null && this.#buf.length > READ_CHUNK * 4 && this.#len < READ_CHUNK
      ) {
        this.#buf = this.#buf.slice(0, READ_CHUNK);
      } else if (this.#pendingRead === null && this.#len === 0 && this.#buf.length > IDLE_CHUNK) {
        // Drained: a connection that goes quiet now holds only a small buffer.
        this.#buf = new Uint8Array(IDLE_CHUNK);
      }
    }
  }

  /**
   * Grow towards `size`, at most doubling per call: a declared 512 MiB argument is buffered as
   * its bytes arrive rather than allocated up front on the strength of its header.
   */
  #grow(size: number): void {
    let cap = this.#buf.length;
    while (cap < size && cap < this.#len * 2 + READ_CHUNK) cap = Math.min(cap * 2, size);
    if (cap === this.#buf.length) return;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /**
   * Run commands in order. A command that has submitted its write is not awaited (its reply
   * only waits for the commit); consecutive read-only commands run concurrently, and the next
   * command that may write starts only after them, so replies match a serial execution. A batch
   * whose commands all answer at once (cached reads) runs without a single await.
   */
  #runBatch(commands: Uint8Array[][]): Settled[] | Promise<Settled[]> {
    const batch: Batch = { pending: [], reads: [], clock: performance.now() };
    for (let i = 0; i < commands.length; i++) {
      if (this.#stopped()) break;
      const waiting = this.#runOne(commands[i], batch);
      if (waiting) return this.#finishBatch(waiting, commands, i + 1, batch);
    }
    return this.#settle(batch.pending);
  }

  /** Whether the rest of a batch must not run: the client is closing or was killed. */
  #stopped(): boolean {
    return this.#record.closeAfterReply || this.#killed || this.#closed;
  }

  /** The rest of a batch once one of its commands had to wait. */
  async #finishBatch(
    waiting: Promise<void>,
    commands: Uint8Array[][],
    next: number,
    batch: Batch,
  ): Promise<Settled[]> {
    await waiting;
    for (let i = next; i < commands.length; i++) {
      if (this.#stopped()) break;
      const more = this.#runOne(commands[i], batch);
      if (more) await more;
    }
    return await this.#settle(batch.pending);
  }

  /**
   * Run one command of `batch` and queue its reply; a promise when it had to wait first (for
   * earlier reads, a pause, a block or its own write), undefined when done at once.
   */
  #runOne(given: Uint8Array[], batch: Batch): Promise<void> | undefined {
    const found = this.#admit(given);
    const start = batch.clock;
    if ("reply" in found) {
      if (found.reply.type === "error") flagTransaction(this.#session);
      this.#queueReply(batch, found.reply, null, start);
      return undefined;
    }
    const { spec } = found;
    const readonly = spec.flags.includes("readonly");
    const argv = readonly ? given : own(given);
    if (queueInMulti(this.#session, spec, argv)) {
      // Counted when EXEC runs it, not when queued.
      this.#queueReply(batch, QUEUED, null, start);
      return undefined;
    }
    if (this.#deps.state.pause.hold(spec)) {
      // CLIENT PAUSE: earlier replies go out, then this command waits for the pause to end.
      return (async () => {
        await this.#drain(batch);
        for (let p; (p = this.#deps.state.pause.hold(spec));) await p;
        this.#deps.state.tracking.observe(this.#session.id, spec, argv);
        this.#submitted = false;
        let reply = invoke(spec.handler, this.#ctx, argv, this.#deps.log);
        this.#monitor(spec, argv, reply);
        if (reply instanceof Promise && !this.#submitted) reply = await reply;
        this.#queueReply(batch, reply, found, start);
      })();
    }
    if (spec.flags.includes("blocking")) {
      return (async () => {
        // Earlier replies go out before the wait, as Redis writes them while this client blocks.
        await this.#drain(batch);
        const pending = invoke(spec.handler, this.#ctx, argv, this.#deps.log);
        this.#monitor(spec, argv, pending);
        const reply = await this.#whileBlocked(pending);
        this.#queueReply(batch, reply, found, start);
      })();
    }
    if (!readonly && batch.reads.length > 0) {
      const reads = batch.reads;
      batch.reads = [];
      return Promise.all(reads).then(() => this.#invoke(found, argv, false, batch, start));
    }
    return this.#invoke(found, argv, readonly, batch, start);
  }

  /** Run a command that needs no wait before it; a promise when it must be awaited after. */
  #invoke(
    found: Ran,
    argv: Uint8Array[],
    readonly: boolean,
    batch: Batch,
    start: number,
  ): Promise<void> | undefined {
    const { spec } = found;
    this.#deps.state.tracking.observe(this.#session.id, spec, argv);
    this.#submitted = false;
    // A write command's first unit carries the keys its table entry names (prefetched).
    this.#hint = readonly ? undefined : writeHints(spec, argv, this.#session.db, this.#hintPeek);
    const reply = invoke(spec.handler, this.#ctx, argv, this.#deps.log);
    this.#hint = undefined;
    if (this.#deps.state.monitors.active) this.#monitor(spec, argv, reply);
    if (reply instanceof Promise) {
      if (readonly) batch.reads.push(reply);
      else if (!this.#submitted) {
        return reply.then((r) => this.#queueReply(batch, r, found, start));
      }
    }
    this.#queueReply(batch, reply, found, start);
    return undefined;
  }

  /**
   * Show a command that ran to the MONITOR clients, with the db it left the client in (SELECT
   * shows its new db). EXEC shows once its queue has run: after the commands it ran.
   */
  #monitor(spec: CommandSpec, argv: Uint8Array[], reply: Reply | Promise<Reply>): void {
    const monitors = this.#deps.state.monitors;
    if (!monitors.active) return;
    const session = this.#session;
    if (reply instanceof Promise && spec.name === "exec") {
      reply.then(() => monitors.command(spec, session.db, session.addr, argv));
    } else monitors.command(spec, session.db, session.addr, argv);
  }

  /** Earlier reads settled and earlier replies on the socket: before a pause or a block. */
  async #drain(batch: Batch): Promise<void> {
    await Promise.all(batch.reads);
    batch.reads = [];
    await this.#flush(await this.#settle(batch.pending.splice(0)));
  }

  /**
   * Queue a command's reply (or drop it under CLIENT REPLY OFF/SKIP). A ready reply with none
   * still pending before it is encoded at once, so a batch of cached reads keeps no record.
   */
  #queueReply(
    batch: Batch,
    reply: Reply | Promise<Reply>,
    ran: Ran | null,
    start: number,
  ): void {
    const now = batch.clock = performance.now();
    if (this.#dropReply()) {
      if (ran) this.#deps.state.commandStats(ran.spec, ran.fullName).calls++;
      return;
    }
    const protocol = this.#session.protocol;
    if (reply instanceof Promise || batch.pending.length > 0) {
      const end = reply instanceof Promise ? null : now;
      batch.pending.push({ reply, protocol, ran, start, end });
      return;
    }
    this.#count(ran, start, now, reply);
    this.#encode(reply, protocol);
  }

  /** Every reply of `pending`, counted once done, as Redis's call() does. */
  #settle(pending: Pending[]): Settled[] | Promise<Settled[]> {
    for (const p of pending) if (p.reply instanceof Promise) return this.#settleLater(pending);
    for (const p of pending) this.#count(p.ran, p.start, p.end!, p.reply as Reply);
    return pending as Settled[];
  }

  async #settleLater(pending: Pending[]): Promise<Settled[]> {
    for (const p of pending) {
      p.reply = await p.reply;
      this.#count(p.ran, p.start, p.end ?? performance.now(), p.reply);
    }
    return pending as Settled[];
  }

  /** A command's INFO commandstats figures (INFO does not see its own call). */
  #count(ran: Ran | null, start: number, end: number, reply: Reply): void {
    if (!ran) return;
    const stats = this.#deps.state.commandStats(ran.spec, ran.fullName);
    stats.calls++;
    stats.usec += (end - start) * 1000;
    if (reply.type === "error") stats.failed++;
  }

  /** Append a reply to the batch's bytes. */
  #encode(reply: Reply, protocol: 2 | 3): void {
    if (reply.type === "error") this.#deps.state.countError(reply.value);
    encodeReply(this.#writer, reply, protocol);
  }

  /**
   * Await a blocking command's reply while reading the socket: bytes that arrive are kept for
   * after it, and a client that leaves (or is killed) is taken off the wait.
   */
  async #whileBlocked(reply: Reply | Promise<Reply>): Promise<Reply> {
    let settled = false;
    this.#blocked = true;
    const done = Promise.resolve(reply).then((r) => {
      settled = true;
      this.#blocked = false;
      return r;
    });
    while (!settled) {
      if (this.#pendingRead === null) {
        if (this.#buf.length - this.#len < this.#buf.length / 4) {
          this.#grow(this.#len + READ_CHUNK);
        }
        this.#pendingRead = this.#conn.read(this.#buf.subarray(this.#len)).catch(() => null);
      }
      this.#idle = true;
      const got = await Promise.race([done.then(() => "done" as const), this.#pendingRead]);
      this.#idle = false;
      if (got === "done") break;
      this.#pendingRead = null;
      if (got === null) {
        this.#closed = true;
        this.#deps.state.blocking.cancel(this.#session.id);
        break;
      }
      this.#deps.state.stats.netInputBytes += got;
      this.#len += got;
      this.#arrived = true;
    }
    return await done;
  }

  /** CLIENT REPLY OFF / SKIP: whether the command just run gets no reply. */
  #dropReply(): boolean {
    if (this.#skipNext) {
      this.#skipNext = false;
      return true;
    }
    if (this.#record.replyMode === "off") return true;
    if (this.#record.replyMode === "skip") {
      this.#record.replyMode = "on";
      this.#skipNext = true;
      return true;
    }
    return false;
  }

  /** Look the command up and apply the gates before it (auth, rate limit), in Redis's order. */
  #admit(argv: Uint8Array[]): { spec: CommandSpec; fullName: string } | { reply: Reply } {
    const { state, table, limiter } = this.#deps;
    state.stats.commandsProcessed++;
    const found = table.lookup(argv);
    if ("error" in found) {
      if (found.spec) state.commandStats(found.spec, found.fullName!).rejected++;
      return { reply: error(found.error) };
    }
    this.#record.lastCommand = found.fullName;
    if (!this.#session.authenticated && !found.spec.flags.includes("no_auth")) {
      state.commandStats(found.spec, found.fullName).rejected++;
      return { reply: error(ERRORS.noAuth) };
    }
    const refused = aclRefusal(
      this.#ctx,
      found.spec,
      found.fullName,
      argv,
      this.#session.multi ? "multi" : "toplevel",
    );
    if (refused) {
      state.commandStats(found.spec, found.fullName).rejected++;
      return { reply: error(refused) };
    }
    if (limiter.enabled && !limiter.take(this.#ip)) {
      state.commandStats(found.spec, found.fullName).rejected++;
      return { reply: error(SERVER_ERRORS.rateLimited(this.#deps.rateLimit)) };
    }
    if (
      this.#session.protocol === 2 && this.#subscriber.active &&
      !SUBSCRIBED_MODE.has(found.spec.name)
    ) {
      return { reply: error(SERVER_ERRORS.subscribedMode(found.fullName)) };
    }
    const busy = busyReply(state, this.#session, found.spec);
    if (busy) return { reply: busy };
    return found;
  }

  /** Queue bytes behind everything already queued for this socket. */
  #send(bytes: Uint8Array): Promise<void> {
    // Messages published after this reply go out after it.
    this.#outbox = null;
    this.#queuedBytes += bytes.length;
    return this.#enqueue(() => bytes, true);
  }

  /**
   * Write what `take` gives once every earlier write is on the socket; its bytes, already counted
   * in `#queuedBytes`, leave the count when written (or failed).
   */
  #enqueue(take: () => Uint8Array, eager = false): Promise<void> {
    if (this.#writingNow && this.#afterNow === null) {
      this.#sending = new Promise((resolve) => this.#afterNow = resolve);
    }
    let bytes: Uint8Array | null = null;
    const write = () => writeAll(this.#conn, bytes = take());
    // A reply with nothing ahead of it goes out now, not a turn later; pushed messages wait
    // that turn, so the others published in it join them.
    const started = eager && this.#writes === 0 ? write() : this.#sending.then(write);
    this.#writes++;
    const sent = started.finally(() => {
      this.#writes--;
      this.#queuedBytes -= bytes?.length ?? 0;
    });
    this.#sending = sent.catch(() => {});
    return sent;
  }

  /** A published message for this connection; a subscriber too slow to read it is cut off. */
  #deliver(frame: PushFrame): void {
    const hard = this.#deps.state.config.connection.pubsubOutputHard;
    if (hard > 0 && this.#queuedBytes > hard) {
      this.#record.kill();
      return;
    }
    let box = this.#outbox;
    if (!box) {
      const taken = box = this.#outbox = spareOutboxes.pop() ?? new ReplyWriter(this.#outboxSize);
      this.#enqueue(() => {
        if (this.#outbox === taken) this.#outbox = null;
        this.#outboxSize = Math.min(Math.max(taken.length, IDLE_CHUNK), READ_CHUNK);
        return taken.view();
      }).then(() => recycleOutbox(taken), () => {});
    }
    const bytes = frame.bytes(this.#session.protocol);
    box.bytes(bytes);
    this.#queuedBytes += bytes.length;
    this.#deps.state.stats.netOutputBytes += bytes.length;
  }

  /**
   * Encode replies after those encoded already and queue the batch's bytes for the socket;
   * settles once written (undefined: nothing to write).
   */
  #flush(replies: readonly Outgoing[]): Promise<void> | undefined {
    for (const { reply, protocol } of replies) this.#encode(reply, protocol);
    const w = this.#writer;
    if (w.length === 0) return undefined;
    // A normal client whose replies pass the hard output limit is closed instead (Redis's
    // client-output-buffer-limit normal; subscribers answer to the pubsub class).
    const limits = this.#deps.state.config.connection;
    const hard = this.#subscriber.active ? limits.pubsubOutputHard : limits.normalOutputHard;
    if (hard > 0 && w.length + this.#queuedBytes > hard) {
      w.reset();
      this.#deps.log.warn(
        `redis: closing client ${this.#session.addr} for overcoming of output buffer limits`,
      );
      this.#record.kill();
      return undefined;
    }
    this.#deps.state.stats.netOutputBytes += w.length;
    if (this.#writes === 0) return this.#writeNow(w);
    // The writer's buffer is on its way to the socket: reused only once written.
    return this.#send(w.view()).finally(() => this.#reuse(w));
  }

  /**
   * Write a batch's replies when nothing is queued ahead of them (the common case): straight to
   * the socket, without a queue entry's promises. Writes queued meanwhile (pushed messages)
   * start once it is done.
   */
  async #writeNow(w: ReplyWriter): Promise<void> {
    const bytes = w.view();
    this.#writes++;
    this.#writingNow = true;
    this.#queuedBytes += bytes.length;
    try {
      // conn.write straight away, not through writeAll: one async frame less per batch.
      const n = await this.#conn.write(bytes);
      if (n < bytes.length) await writeAll(this.#conn, bytes.subarray(n));
    } finally {
      this.#writes--;
      this.#writingNow = false;
      this.#queuedBytes -= bytes.length;
      this.#reuse(w);
      const after = this.#afterNow;
      this.#afterNow = null;
      after?.();
    }
  }

  /** The reply buffer once its bytes are written: kept for the next batch unless grown large. */
  #reuse(w: ReplyWriter): void {
    if (w.length > KEEP_WRITER_BYTES) this.#writer = new ReplyWriter();
    else w.reset();
  }
}

/** Serve one TCP connection with the RESP protocol. */
export function serveConnection(
  conn: NetConn,
  signal: AbortSignal,
  deps: ConnectionDeps,
  watch: ConnWatch,
): Promise<void> {
  return new RespConnection(conn, deps, watch).run(signal);
}
