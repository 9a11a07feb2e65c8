/**
 * The script engine behind EVAL/EVALSHA/SCRIPT: compiles and caches scripts by SHA1, runs one
 * at a time as a Lua coroutine that suspends on every redis.call while the bridge runs the
 * command, yields to the event loop during long computations, and can be killed.
 * @module
 */

import type { Reply } from "../reply.ts";
import { type DoubleFormatter, luaToReply, pushErrorTable, pushReply } from "./convert.ts";
import { SCRIPT_ERRORS } from "./errors.ts";
import { SCRIPT_FLAG_NAMES, type ScriptFlag } from "./flags.ts";
import { floatLiterals } from "./literals.ts";
import { type LibraryFunction, parseLibraryHeader, registerFunction } from "./library.ts";
import { LUA51_CHUNK } from "./lua51.ts";
import { type ApiContext, type LogLevel, REDIS_VERSION, sha1hex } from "./redis_api.ts";
import { Lrand48, newScriptState, setGlobalArray } from "./sandbox.ts";
import { bytes, lauxlib, lua, type LuaState, text, toBytes } from "./vm.ts";

export type { ScriptFlag };

/** How a script's redis.call reaches the store; the caller builds one per run. */
export interface ScriptBridge {
  /**
   * Runs one command for the script and returns its reply (errors as error replies, e.g.
   * SCRIPT_ERRORS.unknownCommand). `resp` is the protocol the script asked for
   * (redis.setresp), for commands whose reply shape depends on it. A reply known at once (a
   * refusal) may come without a promise.
   */
  call(argv: Uint8Array[], resp: 2 | 3): Reply | Promise<Reply>;
  /**
   * Whether the caller's ACL user may run `argv` (redis.acl_check_cmd); null when the command
   * does not exist. Absent: every command is allowed.
   */
  aclCheck?(argv: Uint8Array[]): boolean | null;
  /** True once the script ran a write command: SCRIPT KILL then answers UNKILLABLE. */
  wrote(): boolean;
}

/** A compiled script: its SHA1, and its shebang flags (null: no shebang, Redis's eval-compat mode). */
export interface CompiledScript {
  sha: string;
  flags: ScriptFlag[] | null;
}

export type RunKind = "eval" | "function";

export interface EngineOptions {
  /** RESP2 rendering of doubles for redis.call replies (the server's formatDouble). */
  formatDouble?: DoubleFormatter;
  /** redis.log sink. */
  log?: (level: LogLevel, message: string) => void;
  /** The version scripts see in redis.REDIS_VERSION (pass INFO's). */
  redisVersion?: string;
  /** Longest stretch of pure Lua computation before yielding to the event loop (ms). */
  tickMs?: number;
}

/** A loaded function library (FUNCTION LOAD). */
export interface Library {
  name: string;
  code: Uint8Array;
  functions: Map<string, LibraryFunction>;
}

interface Script extends CompiledScript {
  ref: number;
  body: Uint8Array;
}

interface Running extends ApiContext {
  name: string;
  kind: RunKind;
  bridge: ScriptBridge;
  started: number;
  lastTick: number;
  tick: boolean;
  killed: boolean;
}

/** Instructions between checks of the kill flag and the event-loop budget. */
const HOOK_EVERY = 1_000;
const DEFAULT_TICK_MS = 20;

function macrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Parses `#!lua flags=a,b` (eval.c evalExtractShebangFlags); returns [flags, shebang length]. */
export function parseShebang(body: Uint8Array): [ScriptFlag[] | null, number] | string {
  if (body[0] !== 0x23 || body[1] !== 0x21) return [null, 0];
  const end = body.indexOf(0x0a);
  if (end < 0) return "ERR Invalid script shebang";
  const parts = text(body.subarray(0, end)).trim().split(/\s+/);
  if (parts[0] !== "#!lua") return SCRIPT_ERRORS.shebangEngine(parts[0]);
  const flags: ScriptFlag[] = [];
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return SCRIPT_ERRORS.shebangOption(part);
    for (const flag of part.slice(6).split(",")) {
      if (flag === "") continue;
      if (!SCRIPT_FLAG_NAMES.has(flag)) return SCRIPT_ERRORS.shebangFlag(flag);
      flags.push(flag as ScriptFlag);
    }
  }
  return [flags, end];
}

/**
 * Where the error at the top of a dead coroutine was raised (Redis's __redis__err__handler):
 * the innermost script frame, skipping library functions and our Lua 5.1 shims.
 */
function errorLocation(co: LuaState): { source: string; line: number } | null {
  const ar = new lua.lua_Debug();
  for (let level = 0; level < 32 && lua.lua_getstack(co, level, ar); level++) {
    lua.lua_getinfo(co, bytes("Sl"), ar);
    const what = text(ar.what);
    const source = text(ar.source);
    if (what === "C" || what === "J" || source === LUA51_CHUNK) continue;
    return { source, line: ar.currentline };
  }
  return null;
}

/** The error reply for a script that raised `value` (top of `co`), as luaCallFunction formats it. */
function scriptError(co: LuaState, name: string): Reply {
  lua.lua_checkstack(co, 4); // a dead coroutine's frame has no free slots
  let message: string;
  const t = lua.lua_type(co, -1);
  if (t === lua.LUA_TTABLE) {
    lua.lua_getfield(co, -1, bytes("err"));
    const err = lua.lua_type(co, -1) === lua.LUA_TSTRING ? text(toBytes(co, -1)!) : null;
    lua.lua_pop(co, 1);
    message = err ?? "ERR unknown error";
  } else if (t === lua.LUA_TSTRING || t === lua.LUA_TNUMBER) {
    message = "ERR " + text(toBytes(co, -1)!);
  } else {
    message = "ERR " + text(lauxlib.luaL_tolstring(co, -1));
    lua.lua_pop(co, 1);
  }
  const at = errorLocation(co);
  if (at && at.line >= 0) message += ` script: ${name}, on ${at.source}:${at.line}.`;
  return { type: "error", value: message };
}

export class ScriptEngine {
  readonly #formatDouble: DoubleFormatter;
  readonly #log: (level: LogLevel, message: string) => void;
  readonly #tickMs: number;
  readonly #version: string;
  readonly #rand = new Lrand48();
  #L: LuaState;
  #scripts = new Map<string, Script>();
  /** Functions live in their own state, which SCRIPT FLUSH leaves alone (as Redis's). */
  #fL: LuaState;
  #libraries = new Map<string, Library>();
  #functions = new Map<string, { library: string; fn: LibraryFunction }>();
  #run: Running | null = null;
  /** Per Lua state, a coroutine that finished its last run normally, ready for the next. */
  #idleThreads = new Map<LuaState, LuaState>();
  #tail: Promise<void> = Promise.resolve();

  constructor(options: EngineOptions = {}) {
    this.#formatDouble = options.formatDouble ?? String;
    this.#log = options.log ?? (() => {});
    this.#tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    this.#version = options.redisVersion ?? REDIS_VERSION;
    this.#L = this.#newState();
    this.#fL = this.#newState();
  }

  #newState(): LuaState {
    const host = { version: this.#version, current: () => this.#run, log: this.#log };
    return newScriptState(host, this.#rand);
  }

  /** Compiles and caches `body` (SCRIPT LOAD, and EVAL's first step). */
  compile(body: Uint8Array): CompiledScript | { error: string } {
    const sha = sha1hex(body);
    const cached = this.#scripts.get(sha);
    if (cached) return { sha, flags: cached.flags };
    const shebang = parseShebang(body);
    if (typeof shebang === "string") return { error: shebang };
    const [flags, skip] = shebang;
    const L = this.#L;
    const source = floatLiterals(body.subarray(skip));
    const status = lauxlib.luaL_loadbufferx(
      L,
      source,
      source.length,
      bytes("@user_script"),
      bytes("t"),
    );
    if (status !== lua.LUA_OK) {
      // Lua 5.1 quotes the end-of-input token: "near '<eof>'".
      const detail = text(toBytes(L, -1) ?? bytes("?")).replace(/near <eof>$/, "near '<eof>'");
      lua.lua_pop(L, 1);
      return { error: SCRIPT_ERRORS.compile(detail) };
    }
    const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
    this.#scripts.set(sha, { sha, flags, ref, body });
    return { sha, flags };
  }

  /** SCRIPT EXISTS. */
  exists(sha: string): boolean {
    return this.#scripts.has(sha.toLowerCase());
  }

  /** The cached script's flags, or undefined when the SHA is unknown (EVALSHA's NOSCRIPT). */
  flags(sha: string): ScriptFlag[] | null | undefined {
    return this.#scripts.get(sha.toLowerCase())?.flags;
  }

  /** SCRIPT FLUSH: forgets every script and starts a fresh Lua state (not while one runs). */
  flush(): void {
    if (this.#run) throw new Error("SCRIPT FLUSH while a script runs");
    this.#scripts.clear();
    this.#idleThreads.delete(this.#L);
    this.#L = this.#newState();
  }

  /** Milliseconds the current script has been running, or null when none runs. */
  runningFor(): number | null {
    return this.#run ? performance.now() - this.#run.started : null;
  }

  /** The running script's SHA1 or function name (FUNCTION STATS), or null. */
  runningName(): string | null {
    return this.#run?.name ?? null;
  }

  /** What is running: "eval" (EVAL*), "function" (FCALL*) or null. */
  runningKind(): RunKind | null {
    return this.#run?.kind ?? null;
  }

  /** True while a script has run longer than `thresholdMs` (busy-reply-threshold). */
  isBusy(thresholdMs: number): boolean {
    const t = this.runningFor();
    return t !== null && thresholdMs > 0 && t >= thresholdMs;
  }

  /** The BUSY error other clients get while the running script is past the threshold. */
  busyError(): string {
    return this.#run?.kind === "function" ? SCRIPT_ERRORS.busyFunction : SCRIPT_ERRORS.busyEval;
  }

  /**
   * FUNCTION LOAD: runs the library's code with redis.register_function available and keeps
   * what it registered; returns the library name or Redis's error.
   */
  loadLibrary(code: Uint8Array, replace: boolean): { name: string } | { error: string } {
    const header = parseLibraryHeader(code);
    if (typeof header === "string") return { error: header };
    const [name, skip] = header;
    const old = this.#libraries.get(name);
    if (old && !replace) return { error: SCRIPT_ERRORS.libraryExists(name) };
    const L = this.#fL;
    const top = lua.lua_gettop(L);
    const source = floatLiterals(code.subarray(skip));
    const registered = new Map<string, LibraryFunction>();
    const fail = (error: string) => {
      for (const fn of registered.values()) lauxlib.luaL_unref(L, lua.LUA_REGISTRYINDEX, fn.ref);
      lua.lua_settop(L, top);
      return { error };
    };
    const status = lauxlib.luaL_loadbufferx(
      L,
      source,
      source.length,
      bytes("@user_function"),
      bytes("t"),
    );
    if (status !== lua.LUA_OK) {
      return fail(`ERR Error compiling function: ${text(toBytes(L, -1) ?? bytes("?"))}`);
    }
    lua.lua_getglobal(L, bytes("redis"));
    lua.lua_pushjsfunction(L, (L: LuaState) => registerFunction(L, registered));
    lua.lua_setfield(L, -2, bytes("register_function"));
    lua.lua_pop(L, 1);
    const ran = lua.lua_pcall(L, 0, 0, 0);
    lua.lua_getglobal(L, bytes("redis"));
    lua.lua_pushnil(L);
    lua.lua_setfield(L, -2, bytes("register_function"));
    lua.lua_pop(L, 1);
    if (ran !== lua.LUA_OK) {
      let message: string;
      if (lua.lua_type(L, -1) === lua.LUA_TTABLE) {
        lua.lua_getfield(L, -1, bytes("err"));
        message = text(toBytes(L, -1) ?? bytes("unknown error"));
      } else message = text(toBytes(L, -1) ?? bytes("unknown error"));
      return fail(`ERR Error registering functions: ${message}`);
    }
    if (registered.size === 0) return fail(SCRIPT_ERRORS.noFunctions);
    for (const fname of registered.keys()) {
      const owner = this.#functions.get(fname);
      if (owner && owner.library !== name) return fail(SCRIPT_ERRORS.functionExists(fname));
    }
    if (old) this.deleteLibrary(name);
    this.#libraries.set(name, { name, code, functions: registered });
    for (const fn of registered.values()) this.#functions.set(fn.name, { library: name, fn });
    return { name };
  }

  /** FUNCTION DELETE: false when no library has that name. */
  deleteLibrary(name: string): boolean {
    const lib = this.#libraries.get(name);
    if (!lib) return false;
    for (const fn of lib.functions.values()) {
      this.#functions.delete(fn.name);
      lauxlib.luaL_unref(this.#fL, lua.LUA_REGISTRYINDEX, fn.ref);
    }
    this.#libraries.delete(name);
    return true;
  }

  /** FUNCTION FLUSH. */
  flushLibraries(): void {
    for (const name of [...this.#libraries.keys()]) this.deleteLibrary(name);
  }

  /** Every loaded library, in load order (FUNCTION LIST, STATS). */
  libraries(): Library[] {
    return [...this.#libraries.values()];
  }

  /** A function's flags, or undefined when no library registered it (FCALL's error). */
  functionFlags(name: string): ScriptFlag[] | undefined {
    return this.#functions.get(name)?.fn.flags;
  }

  /** FCALL: runs the function `name` with its keys and args tables. */
  async callFunction(
    name: string,
    keys: Uint8Array[],
    argv: Uint8Array[],
    bridge: ScriptBridge,
  ): Promise<Reply> {
    return await this.#exclusive(() => {
      const found = this.#functions.get(name);
      if (!found) return Promise.resolve({ type: "error", value: SCRIPT_ERRORS.functionNotFound });
      const L = this.#fL;
      for (const items of [keys, argv]) {
        lua.lua_createtable(L, items.length, 0);
        items.forEach((item, i) => {
          lua.lua_pushlstring(L, item, item.length);
          lua.lua_rawseti(L, -2, i + 1);
        });
      }
      return this.#drive(L, found.fn.ref, 2, name, "function", bridge);
    });
  }

  /** SCRIPT KILL (`kind` "eval") or FUNCTION KILL ("function"); returns the reply. */
  kill(kind: RunKind = "eval"): Reply {
    const run = this.#run;
    if (!run) return { type: "error", value: SCRIPT_ERRORS.notBusy };
    if (run.bridge.wrote()) return { type: "error", value: SCRIPT_ERRORS.unkillable };
    if (kind !== run.kind) return { type: "error", value: this.busyError() };
    run.killed = true;
    lua.lua_sethook(run.thread, this.#hook, lua.LUA_MASKCOUNT, 1);
    return { type: "simple", value: "OK" };
  }

  /**
   * EVAL/EVALSHA: runs the script `target` (a body, compiled and cached first, or a SHA1)
   * with KEYS and ARGV. Scripts run one at a time; a call while one runs waits its turn.
   */
  run(
    target: { body: Uint8Array } | { sha: string },
    keys: Uint8Array[],
    argv: Uint8Array[],
    bridge: ScriptBridge,
  ): Promise<Reply> {
    let sha: string;
    if ("body" in target) {
      const compiled = this.compile(target.body);
      if ("error" in compiled) return Promise.resolve({ type: "error", value: compiled.error });
      sha = compiled.sha;
    } else sha = target.sha.toLowerCase();
    // Not awaited here: each async layer between the write unit and the coroutine costs hops.
    return this.#exclusive(() => {
      const script = this.#scripts.get(sha);
      if (!script) return Promise.resolve({ type: "error", value: SCRIPT_ERRORS.noScript });
      const L = this.#L;
      setGlobalArray(L, "KEYS", keys);
      setGlobalArray(L, "ARGV", argv);
      return this.#drive(this.#L, script.ref, 0, sha, "eval", bridge);
    });
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.#tail;
    let release!: () => void;
    this.#tail = new Promise((resolve) => release = resolve);
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }

  readonly #hook = (L: LuaState): void => {
    const run = this.#run;
    if (!run) return;
    if (run.killed) {
      pushErrorTable(L, SCRIPT_ERRORS.killed);
      lua.lua_error(L);
    }
    if (
      L === run.thread && lua.lua_isyieldable(L) && performance.now() - run.lastTick >= this.#tickMs
    ) {
      run.tick = true;
      lua.lua_yield(L, 0);
    }
  };

  /**
   * Runs the function in registry slot `ref` with the `nargs` values the caller pushed on the
   * main state (moved onto the coroutine), resuming it across redis.call and ticks.
   */
  async #drive(
    L: LuaState,
    ref: number,
    nargs: number,
    name: string,
    kind: RunKind,
    bridge: ScriptBridge,
  ): Promise<Reply> {
    const base = lua.lua_gettop(L) - nargs;
    // The coroutine of the last run that returned normally is idle at its base level and is
    // resumed afresh (Lua allows it): a new thread per run cost a stack and a frame each time.
    let co = this.#idleThreads.get(L);
    this.#idleThreads.delete(L);
    if (co === undefined) {
      co = lua.lua_newthread(L) as LuaState;
      lua.lua_pop(L, 1); // fengari's threads live as long as JS references them
    }
    lua.lua_rawgeti(co, lua.LUA_REGISTRYINDEX, ref);
    for (let i = 1; i <= nargs; i++) {
      lua.lua_pushvalue(L, base + i);
      lua.lua_xmove(L, co, 1);
    }
    const now = performance.now();
    const run: Running = {
      thread: co,
      resp: 2,
      pending: null,
      aclCheck: (argv) => bridge.aclCheck ? bridge.aclCheck(argv) : true,
      name,
      kind,
      bridge,
      started: now,
      lastTick: now,
      tick: false,
      killed: false,
    };
    this.#run = run;
    lua.lua_sethook(co, this.#hook, lua.LUA_MASKCOUNT, HOOK_EVERY);
    try {
      let pass = nargs;
      for (;;) {
        const status = lua.lua_resume(co, L, pass);
        if (status === lua.LUA_OK) {
          lua.lua_settop(co, 1);
          const reply = luaToReply(co, run.resp);
          lua.lua_settop(co, 0);
          this.#idleThreads.set(L, co);
          return reply;
        }
        if (status !== lua.LUA_YIELD) return scriptError(co, name);
        if (run.tick) {
          run.tick = false;
          await macrotask();
          // Only a macrotask lets other connections in: a command's await may be microtasks.
          run.lastTick = performance.now();
          pass = 0;
        } else if (run.pending) {
          const argv = run.pending;
          run.pending = null;
          const answer = bridge.call(argv, run.resp);
          const reply = answer instanceof Promise ? await answer : answer;
          pushReply(co, reply, run.resp, this.#formatDouble);
          pass = 1;
        } else {
          // A coroutine.yield() at the script's top level: Redis would fail it the same way.
          pushErrorTable(co, "ERR attempt to yield across metamethod/C-call boundary");
          return scriptError(co, name);
        }
      }
    } catch (e) {
      // A fault in the VM itself (never a script error): start over with a clean state.
      if (L === this.#L) {
        this.#scripts.clear();
        this.#idleThreads.delete(L);
        this.#L = this.#newState();
      }
      return { type: "error", value: `ERR script engine failure: ${(e as Error).message}` };
    } finally {
      this.#run = null;
      if (this.#L === L || this.#fL === L) lua.lua_settop(L, base);
    }
  }
}
