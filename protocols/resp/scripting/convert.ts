/**
 * Redis's conversion rules between Lua values and RESP replies (script_lua.c): a command's reply
 * becomes a Lua value for redis.call, and a script's return value becomes the client's reply.
 * @module
 */

import type { Reply } from "../reply.ts";
import { bytes, lua, type LuaState, pushBytes, text, toBytes } from "./vm.ts";

/** Prints a RESP3 double the way RESP2 sends it (a bulk string); the wiring passes Redis's. */
export type DoubleFormatter = (d: number) => string;

const LLONG_MIN = -9223372036854775808n;
const MAX_DEPTH = 200;

/** `(long long)d` as C does on x86-64: truncation, and LLONG_MIN when out of range or NaN. */
export function luaNumberToInteger(n: number): number | bigint {
  if (!Number.isFinite(n)) return LLONG_MIN;
  const t = Math.trunc(n);
  if (Number.isSafeInteger(t)) return t === 0 ? 0 : t;
  if (t >= 9223372036854775808 || t < -9223372036854775808) return LLONG_MIN;
  return BigInt(t);
}

/** Pushes `t[name]` (raw) for the table at `idx` and returns its Lua type. */
function rawField(L: LuaState, idx: number, name: string): number {
  lua.lua_pushstring(L, bytes(name));
  return lua.lua_rawget(L, idx < 0 ? idx - 1 : idx);
}

/** Redis maps \r and \n to spaces in status texts so the reply stays one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]/g, " ");
}

/**
 * The reply for the Lua value at the top of the stack (left in place). `resp` is the script's
 * own protocol (redis.setresp): it decides how booleans render, as in luaReplyToRedisReply.
 */
export function luaToReply(L: LuaState, resp: 2 | 3, depth = 0): Reply {
  if (depth > MAX_DEPTH || !lua.lua_checkstack(L, 4)) {
    return { type: "error", value: "ERR reached lua stack limit" };
  }
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return { type: "bulk", value: toBytes(L, -1)!.slice() };
    case lua.LUA_TBOOLEAN: {
      const b = lua.lua_toboolean(L, -1);
      if (resp === 3) return { type: "boolean", value: b };
      return b ? { type: "integer", value: 1 } : { type: "null" };
    }
    case lua.LUA_TNUMBER:
      return { type: "integer", value: luaNumberToInteger(lua.lua_tonumber(L, -1)) };
    case lua.LUA_TTABLE:
      return tableToReply(L, resp, depth);
    default:
      return { type: "null" };
  }
}

function stringField(L: LuaState, name: string): string | null {
  const t = rawField(L, -1, name);
  const s = t === lua.LUA_TSTRING ? text(toBytes(L, -1)!) : null;
  lua.lua_pop(L, 1);
  return s;
}

function tableToReply(L: LuaState, resp: 2 | 3, depth: number): Reply {
  const err = stringField(L, "err");
  if (err !== null) return { type: "error", value: err };
  const ok = stringField(L, "ok");
  if (ok !== null) return { type: "simple", value: oneLine(ok) };
  if (rawField(L, -1, "double") === lua.LUA_TNUMBER) {
    const d = lua.lua_tonumber(L, -1);
    lua.lua_pop(L, 1);
    return { type: "double", value: d };
  }
  lua.lua_pop(L, 1);
  const big = stringField(L, "big_number");
  if (big !== null) return bigNumber(oneLine(big));
  if (rawField(L, -1, "verbatim_string") === lua.LUA_TTABLE) {
    const format = stringField(L, "format");
    const str = stringField(L, "string");
    lua.lua_pop(L, 1);
    if (format !== null && str !== null) return { type: "verbatim", format, value: str };
  } else lua.lua_pop(L, 1);
  if (rawField(L, -1, "map") === lua.LUA_TTABLE) {
    const entries: [Reply, Reply][] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pushvalue(L, -2);
      const key = luaToReply(L, resp, depth + 1);
      lua.lua_pop(L, 1);
      entries.push([key, luaToReply(L, resp, depth + 1)]);
      lua.lua_pop(L, 1);
    }
    lua.lua_pop(L, 1);
    return { type: "map", value: entries };
  }
  lua.lua_pop(L, 1);
  if (rawField(L, -1, "set") === lua.LUA_TTABLE) {
    const members: Reply[] = [];
    lua.lua_pushnil(L);
    while (lua.lua_next(L, -2)) {
      lua.lua_pop(L, 1);
      members.push(luaToReply(L, resp, depth + 1));
    }
    lua.lua_pop(L, 1);
    return { type: "set", value: members };
  }
  lua.lua_pop(L, 1);
  const items: Reply[] = [];
  for (let j = 1;; j++) {
    if (lua.lua_rawgeti(L, -1, j) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    items.push(luaToReply(L, resp, depth + 1));
    lua.lua_pop(L, 1);
  }
  return { type: "array", value: items };
}

function bigNumber(s: string): Reply {
  try {
    return { type: "bignum", value: BigInt(s) };
  } catch {
    // Redis sends whatever text the script gave; a bulk string is the closest lossless form.
    return { type: "bulk", value: s };
  }
}

/** Pushes `{err = message}` (Redis's error table). */
export function pushErrorTable(L: LuaState, message: string | Uint8Array): void {
  lua.lua_createtable(L, 0, 1);
  pushBytes(L, message);
  lua.lua_setfield(L, -2, bytes("err"));
}

function pushSingleField(L: LuaState, field: string, push: () => void): void {
  lua.lua_createtable(L, 0, 1);
  push();
  lua.lua_setfield(L, -2, bytes(field));
}

/**
 * Pushes the Lua value redis.call returns for `reply`, as the script client (protocol `resp`)
 * would have received it: under RESP2 maps arrive flat, doubles as strings, null as false.
 */
export function pushReply(
  L: LuaState,
  reply: Reply,
  resp: 2 | 3,
  formatDouble: DoubleFormatter,
): void {
  lua.lua_checkstack(L, 4);
  switch (reply.type) {
    case "simple":
      return pushSingleField(L, "ok", () => pushBytes(L, reply.value));
    case "error":
    case "bulkError":
      return pushErrorTable(L, reply.value.replace(/[\r\n]+$/, ""));
    case "integer":
      return lua.lua_pushnumber(L, Number(reply.value));
    case "bulk":
      return pushBytes(L, reply.value);
    case "null":
    case "nullArray":
      return resp === 3 ? lua.lua_pushnil(L) : lua.lua_pushboolean(L, false);
    case "array":
    case "push":
      return pushArray(L, reply.value, resp, formatDouble);
    case "set":
      if (resp === 2) return pushArray(L, reply.value, resp, formatDouble);
      return pushSingleField(L, "set", () => {
        lua.lua_createtable(L, 0, reply.value.length);
        for (const member of reply.value) {
          pushReply(L, member, resp, formatDouble);
          lua.lua_pushboolean(L, true);
          lua.lua_rawset(L, -3);
        }
      });
    case "map":
      if (resp === 2) return pushArray(L, reply.value.flat(), resp, formatDouble);
      return pushSingleField(L, "map", () => {
        lua.lua_createtable(L, 0, reply.value.length);
        for (const [k, v] of reply.value) {
          pushReply(L, k, resp, formatDouble);
          pushReply(L, v, resp, formatDouble);
          lua.lua_rawset(L, -3);
        }
      });
    case "double":
      if (resp === 2) return pushBytes(L, formatDouble(reply.value));
      return pushSingleField(L, "double", () => lua.lua_pushnumber(L, reply.value));
    case "boolean":
      if (resp === 2) return lua.lua_pushnumber(L, reply.value ? 1 : 0);
      return lua.lua_pushboolean(L, reply.value);
    case "bignum":
      if (resp === 2) return pushBytes(L, reply.value.toString());
      return pushSingleField(L, "big_number", () => pushBytes(L, reply.value.toString()));
    case "verbatim":
      if (resp === 2) return pushBytes(L, reply.value);
      return pushSingleField(L, "verbatim_string", () => {
        lua.lua_createtable(L, 0, 2);
        pushBytes(L, reply.value);
        lua.lua_setfield(L, -2, bytes("string"));
        pushBytes(L, reply.format);
        lua.lua_setfield(L, -2, bytes("format"));
      });
    case "attribute":
      return pushReply(L, reply.reply, resp, formatDouble);
    case "none":
      return lua.lua_pushnil(L);
  }
}

function pushArray(L: LuaState, items: Reply[], resp: 2 | 3, fd: DoubleFormatter): void {
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    pushReply(L, items[i], resp, fd);
    lua.lua_rawseti(L, -2, i + 1);
  }
}

/** True when the value at `idx` is an error table (a string `err` field). */
export function isErrorTable(L: LuaState, idx: number): boolean {
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) return false;
  const t = rawField(L, idx, "err");
  lua.lua_pop(L, 1);
  return t === lua.LUA_TSTRING;
}
