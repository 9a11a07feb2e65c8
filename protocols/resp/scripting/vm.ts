/**
 * Loads the Lua VM (fengari: Lua 5.3 in JavaScript) configured to print integral floats like
 * Lua 5.1 ("3", not "3.0"), and the few byte-string helpers the scripting modules share.
 * @module
 */

// fengari reads its compile-time options from FENGARICONF when its modules first load, so the
// variable must be set before the dynamic import and is restored right after.
const CONF = JSON.stringify({ LUA_COMPAT_FLOATSTRING: true });
let previous: string | undefined;
try {
  previous = Deno.env.get("FENGARICONF");
  Deno.env.set("FENGARICONF", CONF);
} catch {
  // Without env permission fengari keeps Lua 5.3's "3.0" float printing; scripts still run.
}
// deno-lint-ignore no-explicit-any
const fengari: any = await import("fengari");
try {
  if (previous === undefined) Deno.env.delete("FENGARICONF");
  else Deno.env.set("FENGARICONF", previous);
} catch {
  // see above
}

/** An opaque Lua thread (fengari's lua_State). */
export type LuaState = { readonly __luaState: unique symbol };
/** A function Lua can call: returns how many results it pushed. */
export type LuaFunction = (L: LuaState) => number;

// deno-lint-ignore no-explicit-any
export const lua: any = fengari.lua;
// deno-lint-ignore no-explicit-any
export const lauxlib: any = fengari.lauxlib;
// deno-lint-ignore no-explicit-any
export const lualib: any = fengari.lualib;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a JS string (fengari's Lua strings are byte arrays). */
export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes bytes as UTF-8 for messages and names (never for user values). */
export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** Pushes a binary-safe Lua string. */
export function pushBytes(L: LuaState, data: Uint8Array | string): void {
  const b = typeof data === "string" ? encoder.encode(data) : data;
  lua.lua_pushlstring(L, b, b.length);
}

/** The bytes of the string (or number, converted by Lua) at `idx`, or null. */
export function toBytes(L: LuaState, idx: number): Uint8Array | null {
  return lua.lua_tolstring(L, idx) ?? null;
}

/** Raises a Lua error with `message` and the caller's position, like luaL_error. */
export function raise(L: LuaState, message: string): never {
  lauxlib.luaL_error(L, bytes(message.replaceAll("%", "%%")));
  throw new Error("unreachable: luaL_error returned");
}

/** Sets `t[name] = fn` on the table at the top of the stack. */
export function setFunction(L: LuaState, name: string, fn: LuaFunction): void {
  lua.lua_pushjsfunction(L, fn);
  lua.lua_setfield(L, -2, bytes(name));
}

/** Sets `t[name] = n` on the table at the top of the stack. */
export function setNumber(L: LuaState, name: string, n: number): void {
  lua.lua_pushnumber(L, n);
  lua.lua_setfield(L, -2, bytes(name));
}

/** Registers a library table `name` with `functions` as a global. */
export function openLibrary(
  L: LuaState,
  name: string,
  functions: Record<string, LuaFunction>,
): void {
  lua.lua_newtable(L);
  for (const [key, fn] of Object.entries(functions)) setFunction(L, key, fn);
  lua.lua_setglobal(L, bytes(name));
}
