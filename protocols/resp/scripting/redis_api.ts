/**
 * The `redis` table scripts see (script_lua.c): call/pcall that suspend the script while the
 * command runs, error_reply/status_reply, sha1hex, log, setresp, set_repl and the constants.
 * @module
 */

import { createHash } from "node:crypto";
import { isErrorTable, pushErrorTable } from "./convert.ts";
import { SCRIPT_ERRORS } from "./errors.ts";
import { formatG } from "./number_format.ts";
import {
  bytes,
  lua,
  type LuaFunction,
  type LuaState,
  pushBytes,
  setFunction,
  setNumber,
  text,
  toBytes,
} from "./vm.ts";

/** The version redis.REDIS_VERSION reports: the one INFO and HELLO report. */
export { REDIS_VERSION } from "../info.ts";

/** "7.2.4" → 0x070204, as REDIS_VERSION_NUM encodes it. */
export function versionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map((p) => Number(p) || 0);
  return (major << 16) | (minor << 8) | patch;
}

/** Log levels as redis.log numbers them (LL_DEBUG … LL_WARNING). */
export type LogLevel = 0 | 1 | 2 | 3;

/** What the redis table needs from the run in progress. */
export interface ApiContext {
  /** The script's coroutine: redis.call can suspend only this thread. */
  readonly thread: LuaState;
  /** The protocol the script's commands reply in (redis.setresp). */
  resp: 2 | 3;
  /** Set by redis.call/pcall: the command the driver must run before resuming. */
  pending: Uint8Array[] | null;
  /** redis.acl_check_cmd: may the caller's user run `argv`? null for an unknown command. */
  aclCheck(argv: Uint8Array[]): boolean | null;
}

export interface ApiHost {
  /** The Redis version the server claims (INFO's redis_version). */
  readonly version: string;
  /** The run in progress, or null between scripts (and while a library loads). */
  current(): ApiContext | null;
  log(level: LogLevel, message: string): void;
}

/** Raises Redis's error table `{err = "ERR <message>"}`. */
export function raiseRedisError(L: LuaState, message: string): never {
  pushErrorTable(L, message.startsWith("-") ? message.slice(1) : "ERR " + message);
  lua.lua_error(L);
  throw new Error("unreachable: lua_error returned");
}

/** Redis's luaPushErrorBuff: "-CODE msg" keeps its code, anything else gets "ERR". */
function errorText(s: string): string {
  let code = "ERR";
  let msg = s;
  if (s.startsWith("-")) {
    const space = s.indexOf(" ");
    if (space < 0) msg = s.slice(1);
    else {
      code = s.slice(1, space);
      msg = s.slice(space + 1);
    }
  }
  return `${code} ${msg.replace(/^[\r\n]+|[\r\n]+$/g, "")}`;
}

/** The command arguments for redis.call, or an error text (luaArgsToRedisArgv). */
function commandArgs(L: LuaState): Uint8Array[] | string {
  const n = lua.lua_gettop(L);
  if (n === 0) return SCRIPT_ERRORS.noArgs;
  const argv: Uint8Array[] = [];
  for (let i = 1; i <= n; i++) {
    const t = lua.lua_type(L, i);
    if (t === lua.LUA_TNUMBER) argv.push(bytes(formatG(lua.lua_tonumber(L, i), 17)));
    // A Lua string's bytes never change (fengari copies on creation), so commands can share them.
    else if (t === lua.LUA_TSTRING) argv.push(toBytes(L, i)!);
    else return SCRIPT_ERRORS.badArgType;
  }
  return argv;
}

/** After the driver pushed the command's reply: redis.call raises error replies. */
const afterCall = (L: LuaState, _status: number, raiseErrors: number): number => {
  if (raiseErrors && isErrorTable(L, -1)) return lua.lua_error(L);
  return 1;
};

function command(host: ApiHost, raiseErrors: boolean): LuaFunction {
  return (L) => {
    const ctx = host.current();
    if (!ctx) raiseRedisError(L, SCRIPT_ERRORS.outsideScript("redis.call/pcall"));
    const argv = commandArgs(L);
    if (typeof argv === "string") {
      pushErrorTable(L, "ERR " + argv);
      return raiseErrors ? lua.lua_error(L) : 1;
    }
    if (L !== ctx.thread || !lua.lua_isyieldable(L)) {
      // The VM runs commands by suspending the script, which Lua cannot do from inside a
      // nested coroutine or a C callback (table.sort comparator, gsub replacement function).
      raiseRedisError(
        L,
        "redis.call/pcall cannot run inside a coroutine or a library callback here",
      );
    }
    ctx.pending = argv;
    lua.lua_settop(L, 0);
    return lua.lua_yieldk(L, 0, raiseErrors ? 1 : 0, afterCall);
  };
}

function singleField(field: "ok" | "err"): LuaFunction {
  return (L) => {
    if (lua.lua_gettop(L) !== 1 || lua.lua_type(L, -1) !== lua.LUA_TSTRING) {
      pushErrorTable(L, "ERR wrong number or type of arguments");
      return 1;
    }
    if (field === "err") {
      const s = text(toBytes(L, -1)!);
      pushErrorTable(L, errorText(s.startsWith("-") ? s : "-" + s));
      return 1;
    }
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushvalue(L, -2);
    lua.lua_setfield(L, -2, bytes(field));
    return 1;
  };
}

function needsRun(host: ApiHost, name: string, L: LuaState): ApiContext {
  const ctx = host.current();
  if (!ctx) raiseRedisError(L, SCRIPT_ERRORS.outsideScript(name));
  return ctx;
}

/** SHA1 hex digest, as redis.sha1hex and the script cache compute it. */
export function sha1hex(data: Uint8Array): string {
  return createHash("sha1").update(data).digest("hex");
}

/** Builds the `redis` table (on the stack top) for the state `L`. */
export function pushRedisApi(L: LuaState, host: ApiHost): void {
  lua.lua_newtable(L);
  setFunction(L, "call", command(host, true));
  setFunction(L, "pcall", command(host, false));
  setFunction(L, "log", (L) => {
    const n = lua.lua_gettop(L);
    if (n < 2) raiseRedisError(L, "redis.log() requires two arguments or more.");
    if (!lua.lua_isnumber(L, 1)) raiseRedisError(L, "First argument must be a number (log level).");
    const level = Math.trunc(lua.lua_tonumber(L, 1));
    if (level < 0 || level > 3) raiseRedisError(L, "Invalid debug level.");
    const parts: string[] = [];
    for (let i = 2; i <= n; i++) {
      const s = toBytes(L, i);
      if (s) parts.push(text(s));
    }
    host.log(level as LogLevel, parts.join(" "));
    return 0;
  });
  setNumber(L, "LOG_DEBUG", 0);
  setNumber(L, "LOG_VERBOSE", 1);
  setNumber(L, "LOG_NOTICE", 2);
  setNumber(L, "LOG_WARNING", 3);
  setNumber(L, "REDIS_VERSION_NUM", versionNumber(host.version));
  pushBytes(L, host.version);
  lua.lua_setfield(L, -2, bytes("REDIS_VERSION"));
  setFunction(L, "setresp", (L) => {
    const ctx = needsRun(host, "redis.setresp", L);
    if (lua.lua_gettop(L) !== 1) raiseRedisError(L, "redis.setresp() requires one argument.");
    const resp = Math.trunc(lua.lua_tonumber(L, 1));
    if (resp !== 2 && resp !== 3) raiseRedisError(L, "RESP version must be 2 or 3.");
    ctx.resp = resp;
    return 0;
  });
  setFunction(L, "sha1hex", (L) => {
    if (lua.lua_gettop(L) !== 1) raiseRedisError(L, "wrong number of arguments");
    pushBytes(L, sha1hex(toBytes(L, 1) ?? new Uint8Array()));
    return 1;
  });
  setFunction(L, "error_reply", singleField("err"));
  setFunction(L, "status_reply", singleField("ok"));
  setFunction(L, "set_repl", (L) => {
    needsRun(host, "redis.set_repl", L);
    if (lua.lua_gettop(L) !== 1) raiseRedisError(L, "redis.set_repl() requires two arguments.");
    const flags = Math.trunc(lua.lua_tonumber(L, 1));
    if ((flags & ~3) !== 0) {
      raiseRedisError(
        L,
        "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.",
      );
    }
    return 0; // basekv has no replication stream: every write is in the store's commit.
  });
  setNumber(L, "REPL_NONE", 0);
  setNumber(L, "REPL_AOF", 1);
  setNumber(L, "REPL_SLAVE", 2);
  setNumber(L, "REPL_REPLICA", 2);
  setNumber(L, "REPL_ALL", 3);
  setFunction(L, "replicate_commands", (L) => {
    lua.lua_pushboolean(L, true);
    return 1;
  });
  setFunction(L, "breakpoint", (L) => {
    lua.lua_pushboolean(L, false);
    return 1;
  });
  setFunction(L, "debug", () => 0);
  setFunction(L, "acl_check_cmd", (L) => {
    const ctx = needsRun(host, "redis.acl_check_cmd", L);
    const argv = commandArgs(L);
    if (typeof argv === "string") raiseRedisError(L, argv);
    const allowed = ctx.aclCheck(argv);
    if (allowed === null) raiseRedisError(L, SCRIPT_ERRORS.aclCheckUnknown);
    lua.lua_pushboolean(L, allowed);
    return 1;
  });
}
