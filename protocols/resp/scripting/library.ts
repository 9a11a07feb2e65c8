/**
 * Redis 7 function libraries (function_lua.c, functions.c): the `#!lua name=<lib>` header and
 * redis.register_function's two call forms, with Redis's error texts.
 * @module
 */
import { SCRIPT_ERRORS } from "./errors.ts";
import { SCRIPT_FLAG_NAMES, type ScriptFlag } from "./flags.ts";
import { bytes, lauxlib, lua, type LuaState, raise, text, toBytes } from "./vm.ts";

/** A function a library registered: its callback's registry slot and its flags. */
export interface LibraryFunction {
  name: string;
  ref: number;
  flags: ScriptFlag[];
  description: string | null;
}

const NAME = /^[A-Za-z0-9_]+$/;

/** `#!lua name=<lib>` (functionExtractLibMetaData): [name, header length] or the error reply. */
export function parseLibraryHeader(code: Uint8Array): [string, number] | string {
  if (code[0] !== 0x23 || code[1] !== 0x21) return SCRIPT_ERRORS.missingLibraryMetadata;
  const end = code.indexOf(0x0a);
  if (end < 0) return SCRIPT_ERRORS.invalidLibraryMetadata;
  const parts = text(code.subarray(2, end)).trim().split(/\s+/);
  const engine = parts[0];
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() !== "name=") {
      return `ERR Invalid metadata value given: ${part}`;
    }
    if (name !== null) return SCRIPT_ERRORS.libraryNameTwice;
    name = part.slice(5);
  }
  if (name === null) return "ERR Library name was not given";
  if (engine.toLowerCase() !== "lua") return `ERR Engine '${engine}' not found`;
  if (!NAME.test(name)) return SCRIPT_ERRORS.badLibraryName;
  return [name, end];
}

function checkName(L: LuaState, name: string | null): string {
  if (name === null || !NAME.test(name)) raise(L, SCRIPT_ERRORS.badFunctionName);
  return name!;
}

function readFlags(L: LuaState, idx: number): ScriptFlag[] {
  const flags: ScriptFlag[] = [];
  if (lua.lua_type(L, idx) !== lua.LUA_TTABLE) {
    raise(
      L,
      "flags argument to redis.register_function must be a table representing function flags",
    );
  }
  const n = lua.lua_rawlen(L, idx);
  for (let i = 1; i <= n; i++) {
    lua.lua_rawgeti(L, idx, i);
    const flag = lua.lua_type(L, -1) === lua.LUA_TSTRING ? text(toBytes(L, -1)!) : null;
    lua.lua_pop(L, 1);
    if (flag === null || !SCRIPT_FLAG_NAMES.has(flag)) raise(L, "unknown flag given");
    flags.push(flag as ScriptFlag);
  }
  return flags;
}

/**
 * redis.register_function as a library sees it while loading: `(name, callback)` or a table
 * `{function_name=, callback=, flags=, description=}`; adds to `into`.
 */
export function registerFunction(L: LuaState, into: Map<string, LibraryFunction>): number {
  let name: string | null;
  let flags: ScriptFlag[] = [];
  let description: string | null = null;
  const argc = lua.lua_gettop(L);
  if (argc === 1 && lua.lua_type(L, 1) === lua.LUA_TTABLE) {
    lua.lua_getfield(L, 1, bytes("function_name"));
    name = lua.lua_type(L, -1) === lua.LUA_TSTRING ? text(toBytes(L, -1)!) : null;
    lua.lua_getfield(L, 1, bytes("description"));
    if (lua.lua_type(L, -1) === lua.LUA_TSTRING) description = text(toBytes(L, -1)!);
    lua.lua_getfield(L, 1, bytes("flags"));
    if (!lua.lua_isnil(L, -1)) flags = readFlags(L, lua.lua_gettop(L));
    lua.lua_getfield(L, 1, bytes("callback"));
    lua.lua_replace(L, 1);
    lua.lua_settop(L, 1);
  } else if (argc === 2) {
    name = lua.lua_type(L, 1) === lua.LUA_TSTRING ? text(toBytes(L, 1)!) : null;
    lua.lua_remove(L, 1);
  } else {
    return raise(L, "wrong number of arguments to redis.register_function");
  }
  const checked = checkName(L, name);
  if (lua.lua_type(L, 1) !== lua.LUA_TFUNCTION) {
    raise(L, "callback argument given to redis.register_function must be a function");
  }
  if (into.has(checked)) raise(L, "Function already exists in the library");
  lua.lua_settop(L, 1);
  const ref = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  into.set(checked, { name: checked, ref, flags, description });
  return 0;
}
