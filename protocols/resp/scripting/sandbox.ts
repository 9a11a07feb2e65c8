/**
 * Builds a Lua state the way Redis 7.2 does for scripts: the allowed libraries, cjson,
 * cmsgpack, bit, struct, the `redis` table, Redis's deterministic math.random, an `os` with
 * only `clock`, and a locked global table.
 * @module
 */

import { openBit } from "./libs/bit.ts";
import { openCjson } from "./libs/cjson.ts";
import { openCmsgpack } from "./libs/cmsgpack.ts";
import { openStruct } from "./libs/struct.ts";
import { installLua51 } from "./lua51.ts";
import { type ApiHost, pushRedisApi } from "./redis_api.ts";
import {
  bytes,
  lauxlib,
  lua,
  lualib,
  type LuaState,
  openLibrary,
  raise,
  text,
  toBytes,
} from "./vm.ts";

/** Redis's rand.c: the 48-bit lrand48 generator; its sequence runs on across scripts. */
export class Lrand48 {
  #x = 0n;
  constructor() {
    this.seed(0);
  }
  seed(seed: number): void {
    this.#x = ((BigInt(Math.trunc(seed)) & 0xffffffffn) << 16n) | 0x330en;
  }
  next(): number {
    this.#x = (0x5deece66dn * this.#x + 0xbn) & 0xffffffffffffn;
    return Number(this.#x >> 17n);
  }
}

const LRAND48_MAX = 2147483647;

function openMathRandom(L: LuaState, rand: Lrand48): void {
  lua.lua_getglobal(L, bytes("math"));
  lua.lua_pushjsfunction(L, (L: LuaState) => {
    const r = (rand.next() % LRAND48_MAX) / LRAND48_MAX;
    switch (lua.lua_gettop(L)) {
      case 0:
        lua.lua_pushnumber(L, r);
        return 1;
      case 1: {
        const u = Math.trunc(lauxlib.luaL_checknumber(L, 1));
        lauxlib.luaL_argcheck(L, 1 <= u, 1, bytes("interval is empty"));
        lua.lua_pushnumber(L, Math.floor(r * u) + 1);
        return 1;
      }
      case 2: {
        const l = Math.trunc(lauxlib.luaL_checknumber(L, 1));
        const u = Math.trunc(lauxlib.luaL_checknumber(L, 2));
        lauxlib.luaL_argcheck(L, l <= u, 2, bytes("interval is empty"));
        lua.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
        return 1;
      }
      default:
        return raise(L, "wrong number of arguments");
    }
  });
  lua.lua_setfield(L, -2, bytes("random"));
  lua.lua_pushjsfunction(L, (L: LuaState) => {
    rand.seed(lauxlib.luaL_checknumber(L, 1));
    return 0;
  });
  lua.lua_setfield(L, -2, bytes("randomseed"));
  lua.lua_pop(L, 1);
}

/** Locks `_G`: reading a missing global and creating one are errors, as in Redis 7. */
function protectGlobals(L: LuaState): void {
  lua.lua_pushglobaltable(L);
  lua.lua_createtable(L, 0, 3);
  lua.lua_pushjsfunction(L, (L: LuaState) => {
    const name = toBytes(L, 2);
    raise(L, `Script attempted to access nonexistent global variable '${name ? text(name) : "?"}'`);
  });
  lua.lua_setfield(L, -2, bytes("__index"));
  lua.lua_pushjsfunction(L, (L: LuaState) => raise(L, "Attempt to modify a readonly table"));
  lua.lua_setfield(L, -2, bytes("__newindex"));
  lua.lua_pushboolean(L, false);
  lua.lua_setfield(L, -2, bytes("__metatable"));
  lua.lua_setmetatable(L, -2);
  lua.lua_pop(L, 1);
}

const LIBRARIES: [string, unknown][] = [
  ["_G", lualib.luaopen_base],
  ["table", lualib.luaopen_table],
  ["string", lualib.luaopen_string],
  ["math", lualib.luaopen_math],
  ["coroutine", lualib.luaopen_coroutine],
];

/** Globals Lua 5.3's base library adds that Redis's sandbox does not have. */
const REMOVED = ["print", "dofile", "loadfile", "require"];

/** A fresh script state; `redis` gets the functions of `host`, math.random uses `rand`. */
export function newScriptState(host: ApiHost, rand: Lrand48): LuaState {
  const L = lauxlib.luaL_newstate();
  for (const [name, open] of LIBRARIES) {
    lauxlib.luaL_requiref(L, bytes(name), open, 1);
    lua.lua_pop(L, 1);
  }
  openCjson(L);
  openCmsgpack(L);
  openBit(L);
  openStruct(L);
  openLibrary(L, "os", {
    clock: (L) => {
      lua.lua_pushnumber(L, performance.now() / 1000);
      return 1;
    },
  });
  pushRedisApi(L, host);
  lua.lua_setglobal(L, bytes("redis"));
  openMathRandom(L, rand);
  installLua51(L);
  for (const name of REMOVED) {
    lua.lua_pushnil(L);
    lua.lua_setglobal(L, bytes(name));
  }
  protectGlobals(L);
  return L;
}

/** Sets a global in a locked state (KEYS, ARGV), bypassing the lock as Redis does. */
export function setGlobalArray(L: LuaState, name: string, items: Uint8Array[]): void {
  lua.lua_pushglobaltable(L);
  lua.lua_pushstring(L, bytes(name));
  lua.lua_createtable(L, items.length, 0);
  for (let i = 0; i < items.length; i++) {
    lua.lua_pushlstring(L, items[i], items[i].length);
    lua.lua_rawseti(L, -2, i + 1);
  }
  lua.lua_rawset(L, -3);
  lua.lua_pop(L, 1);
}
