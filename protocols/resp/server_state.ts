/**
 * State one RESP server shares across its connections: the clients registry (CLIENT LIST/KILL,
 * INFO # Clients), stats counters (INFO # Stats), the start time and the CONFIG parameters.
 * @module
 */
import type { AclRegistry } from "./acl/registry.ts";
import type { Logger } from "../../src/log.ts";
import type { CommandSpec, Session } from "./command.ts";
import { Blocking } from "./blocking.ts";
import { ConfigParams } from "./config_params.ts";
import { PubSub, type Subscriber } from "./pubsub.ts";
import { Monitors } from "./monitor.ts";
import type { EventSink } from "./notify.ts";
import type { Fanout } from "./fanout.ts";
import { Tracking } from "./tracking.ts";
import { Pause } from "./pause.ts";
import { formatDouble } from "./codec/reply_encoder.ts";
import { REDIS_VERSION } from "./info.ts";
import type { ScriptEngine } from "./scripting/mod.ts";

/** How a client wants replies (CLIENT REPLY). */
export type ReplyMode = "on" | "off" | "skip";

/** One connected client, as CLIENT LIST shows it. */
export interface ClientRecord {
  session: Session;
  /** Its pub/sub subscriptions; also how pushed frames (invalidations) reach it. */
  subscriber: Subscriber;
  /** Local address "ip:port". */
  laddr: string;
  createdAt: number;
  lastActive: number;
  /** Full name of the last command, e.g. "client|list". */
  lastCommand: string;
  libName: string;
  libVer: string;
  replyMode: ReplyMode;
  noEvict: boolean;
  noTouch: boolean;
  /** In MONITOR mode (CLIENT LIST flag O). */
  monitoring: boolean;
  /** Set by QUIT / self-kill: send this batch's replies, then close. */
  closeAfterReply: boolean;
  /** Close the connection now (CLIENT KILL from another client). */
  kill(): void;
}

/** One command's INFO # Commandstats counters (Redis's per-command calls/usec/…). */
export interface CommandStats {
  /** Full name as cmdstat_ shows it ("get", "client|list"). */
  readonly name: string;
  calls: number;
  /** Microseconds from the command's start until its reply was ready. */
  usec: number;
  /** Refused before running (wrong arity, NOAUTH, rate limit). */
  rejected: number;
  /** Ran and answered with an error. */
  failed: number;
}

/** Counters INFO reports; CONFIG RESETSTAT zeroes them. */
export interface ServerStats {
  connectionsReceived: number;
  commandsProcessed: number;
  rejectedConnections: number;
  netInputBytes: number;
  netOutputBytes: number;
  errorReplies: number;
  /** Error replies by code word (ERR, WRONGTYPE, …) for INFO # Errorstats. */
  errorCodes: Map<string, number>;
  /** Per-command counters, created on a command's first call (INFO # Commandstats). */
  commands: Map<CommandSpec, CommandStats>;
}

function freshStats(): ServerStats {
  return {
    connectionsReceived: 0,
    commandsProcessed: 0,
    rejectedConnections: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errorReplies: 0,
    errorCodes: new Map(),
    commands: new Map(),
  };
}

/** Random hex of `n` characters (run_id, replication ids). */
function randomHex(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n / 2));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The shared state of one RESP server. */
export class ServerState implements EventSink {
  readonly startedAt = Date.now();
  readonly runId = randomHex(40);
  readonly replId = randomHex(40);
  readonly clients = new Map<number, ClientRecord>();
  readonly config: ConfigParams;
  /** Clients waiting in blocking commands (BLPOP, …). */
  readonly blocking = new Blocking();
  /** Bound TCP port (set once listening). */
  port = 0;
  /** Unix seconds of the last "save": every write is durable, so the start time or a SAVE. */
  lastSave = Math.floor(Date.now() / 1000);
  stats: ServerStats = freshStats();
  /** Every pub/sub subscription of this server's connections. */
  readonly pubsub = new PubSub();
  /** Clients in MONITOR mode. */
  readonly monitors = new Monitors();
  /** CLIENT TRACKING state and invalidations. */
  readonly tracking = new Tracking(this.clients);
  /** Pub/sub and key events across front-ends: set on a shared store only. */
  fanout: Fanout | null = null;
  /** CLIENT PAUSE. */
  readonly pause = new Pause();
  /** The Lua engine, once EVAL, SCRIPT, FUNCTION or a stored library has needed it. */
  #scripts: ScriptEngine | null = null;
  #loadingScripts: Promise<ScriptEngine> | null = null;
  readonly #log?: Pick<Logger, "debug" | "info" | "warn">;
  /**
   * ACL users, the denial log and counters. Null until something needs more than the default
   * user with every permission and no password (see {@link loadAcl}): while it is null every
   * command is permitted, so such a connection's per-command check stays one null test.
   */
  acl: AclRegistry | null = null;
  /** Makes {@link acl} on first need; the RESP service sets it when it starts without one. */
  aclLoader: (() => Promise<AclRegistry>) | null = null;
  #loadingAcl: Promise<AclRegistry> | null = null;
  /** The client whose script is running (its own later commands are not refused as BUSY). */
  scriptCaller: number | null = null;
  #nextId = 1;

  /** `log` receives redis.log lines (debug and verbose as debug, notice as info, warning). */
  constructor(config: ConfigParams, log?: Pick<Logger, "debug" | "info" | "warn">) {
    this.config = config;
    this.#log = log;
  }

  /**
   * The ACL registry, loaded on first use (an ACL command, AUTH, HELLO AUTH): users, rules and
   * the category index are about 50 KB of modules a start without --users or --password skips.
   */
  loadAcl(): Promise<AclRegistry> {
    if (this.acl) return Promise.resolve(this.acl);
    const loader = this.aclLoader;
    if (!loader) return Promise.reject(new Error("ACL registry not started"));
    return this.#loadingAcl ??= loader().then(
      (acl) => this.acl = acl,
      (error) => {
        // A failed import is retried by the next call rather than remembered.
        this.#loadingAcl = null;
        throw error;
      },
    );
  }

  /** Whether a new or RESET connection starts logged in as `default`. */
  startsLoggedIn(): boolean {
    // Until the registry loads, `default` is the on, nopass user it would make.
    return this.acl?.startsLoggedIn() ?? true;
  }

  /** Whether the ACL user `name` exists (before the registry loads, only `default` does). */
  hasUser(name: string): boolean {
    return this.acl ? this.acl.get(name) !== undefined : name === "default";
  }

  /**
   * The Lua engine and script cache of EVAL, SCRIPT and FUNCTION; only after {@link loadScripts}
   * (the scripting commands load it before they run).
   */
  get scripts(): ScriptEngine {
    if (this.#scripts === null) throw new Error("the script engine is not loaded");
    return this.#scripts;
  }

  /** The Lua engine if something has loaded it, else null (no script can be running). */
  get loadedScripts(): ScriptEngine | null {
    return this.#scripts;
  }

  /**
   * Loads the Lua engine on first use: fengari and the sandbox take about 100 ms, which a start
   * (and every user who never runs a script) should not pay.
   */
  loadScripts(): Promise<ScriptEngine> {
    return this.#loadingScripts ??= import("./scripting/engine.ts").then(({ ScriptEngine }) => {
      const log = this.#log;
      return this.#scripts = new ScriptEngine({
        formatDouble,
        redisVersion: REDIS_VERSION,
        log: log && ((level, message) => {
          if (level <= 1) log.debug(`redis.log: ${message}`);
          else if (level === 2) log.info(`redis.log: ${message}`);
          else log.warn(`redis.log: ${message}`);
        }),
      });
    });
  }

  /** notify-keyspace-events as bits (read on every write unit). */
  flags(): number {
    return this.config.notifyFlags;
  }

  /** The next client id (Redis's ids start at 1 and only grow). */
  nextClientId(): number {
    return this.#nextId++;
  }

  /** Count an error reply under its code word. */
  countError(text: string): void {
    this.stats.errorReplies++;
    const code = text.split(" ", 1)[0];
    this.stats.errorCodes.set(code, (this.stats.errorCodes.get(code) ?? 0) + 1);
  }

  /** A command's counters (one record per command, made on its first call). */
  commandStats(spec: CommandSpec, fullName: string): CommandStats {
    let stats = this.stats.commands.get(spec);
    if (!stats) {
      stats = { name: fullName, calls: 0, usec: 0, rejected: 0, failed: 0 };
      this.stats.commands.set(spec, stats);
    }
    return stats;
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.stats = freshStats();
  }
}
