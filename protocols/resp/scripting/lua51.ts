/**
 * The Lua 5.1 surface Redis scripts expect, on top of Lua 5.3: `unpack`, `loadstring`,
 * Redis's `pcall`, `math.pow`/`math.mod`, `table.getn`/`table.maxn`, `string.gfind`, double-only numbers (with
 * literals.ts), `tostring` and `string.format` printing numbers as C does.
 * @module
 */

import { floatLiterals } from "./literals.ts";
import { formatG } from "./number_format.ts";
import { bytes, lauxlib, lua, type LuaState, pushBytes, raise, text, toBytes } from "./vm.ts";

/** Lua run once per state, before the globals are locked; gets the JS helpers as arguments. */
const PRELUDE = `
local rewrite, tostring_js, format_js, rearm_hooks = ...
local lua_load, type, select, floor, ceil, tonum = load, type, select, math.floor, math.ceil, tonumber
unpack = table.unpack
table.getn = function(t) return #t end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
math.ldexp = function(m, e) return m * 2.0 ^ e end
math.floor = function(x) return floor(x) + 0.0 end
math.ceil = function(x) return ceil(x) + 0.0 end
tonumber = function(...) local n = tonum(...) if n then return n + 0.0 end return n end
tostring = tostring_js
string.format = format_js
gcinfo = function() return collectgarbage("count") end
local function load51(chunk, name, mode, env)
  if type(chunk) == "string" then chunk = rewrite(chunk) end
  if env == nil then return lua_load(chunk, name, "t") end
  return lua_load(chunk, name, "t", env)
end
load = load51
loadstring = function(s, name) return load51(s, name) end
-- Redis 7's pcall hands back the text of a redis.call error table, as Redis 6 did.
local lua_pcall, lua_xpcall = pcall, xpcall
local function pcall_result(ok, ...)
  if ok then return ok, ... end
  local e = ...
  if type(e) == "table" and (type(e.err) == "string" or type(e.err) == "number") then
    return false, e.err
  end
  return false, ...
end
pcall = function(...) return pcall_result(rearm_hooks(lua_pcall(...))) end
xpcall = function(...) return rearm_hooks(lua_xpcall(...)) end
string.gfind = string.gmatch
table.maxn = function(t)
  local max = 0
  for k in pairs(t) do
    if type(k) == "number" and k > max then max = k end
  end
  return max
end
_VERSION = "Lua 5.1"
`;

/** The chunk name of the shims, which error locations skip. */
export const LUA51_CHUNK = "=lua51";

const INTEGER_CONVERSIONS = new Set(["d", "i", "o", "u", "x", "X", "c"]);

/** C printf of one integer conversion: the part Lua 5.3 (32-bit in fengari) cannot do. */
function formatInteger(
  flags: string,
  width: number,
  precision: number | null,
  conv: string,
  n: number,
): string {
  const value = BigInt(Math.trunc(n));
  if (conv === "c") return String.fromCharCode(Number(BigInt.asUintN(8, value)));
  const signed = conv === "d" || conv === "i";
  const v = signed ? value : BigInt.asUintN(64, value);
  const neg = v < 0n;
  const radix = conv === "o" ? 8 : conv === "x" || conv === "X" ? 16 : 10;
  let digits = (neg ? -v : v).toString(radix);
  if (conv === "X") digits = digits.toUpperCase();
  if (precision !== null) {
    digits = precision === 0 && v === 0n ? "" : digits.padStart(precision, "0");
  }
  let prefix = neg
    ? "-"
    : signed && flags.includes("+")
    ? "+"
    : signed && flags.includes(" ")
    ? " "
    : "";
  if (flags.includes("#") && v !== 0n) {
    if (conv === "x") prefix += "0x";
    else if (conv === "X") prefix += "0X";
    else if (conv === "o" && !digits.startsWith("0")) digits = "0" + digits;
  }
  const len = prefix.length + digits.length;
  if (len >= width) return prefix + digits;
  if (flags.includes("-")) return prefix + digits + " ".repeat(width - len);
  if (flags.includes("0") && precision === null) return prefix + "0".repeat(width - len) + digits;
  return " ".repeat(width - len) + prefix + digits;
}

const SPEC = /^([-+ #0]*)(\d*)(?:\.(\d*))?([a-zA-Z%])/;

/** string.format: integers and numbers as C prints doubles, the rest by Lua's own format. */
function makeFormat(originalRef: number) {
  return (L: LuaState): number => {
    const fmt = lauxlib.luaL_checklstring(L, 1) as Uint8Array;
    const parts: Uint8Array[] = [];
    let arg = 1;
    let from = 0;
    for (let i = 0; i < fmt.length; i++) {
      if (fmt[i] !== 0x25) continue;
      if (i > from) parts.push(fmt.subarray(from, i));
      const m = SPEC.exec(text(fmt.subarray(i + 1, i + 40)));
      if (!m) raise(L, `invalid option '%${String.fromCharCode(fmt[i + 1] ?? 0x20)}' to 'format'`);
      const [whole, flags, width, precision, conv] = m;
      from = i + 1 + whole.length;
      i = from - 1;
      if (conv === "%") {
        parts.push(bytes("%"));
        continue;
      }
      arg++;
      if (INTEGER_CONVERSIONS.has(conv)) {
        const n = lauxlib.luaL_checknumber(L, arg);
        const prec = precision === undefined ? null : Number(precision || "0");
        parts.push(bytes(formatInteger(flags, Number(width || "0"), prec, conv, n)));
        continue;
      }
      lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, originalRef);
      pushBytes(L, "%" + whole);
      if (lua.lua_isnone(L, arg)) lauxlib.luaL_argerror(L, arg, bytes("no value"));
      lua.lua_pushvalue(L, arg);
      lua.lua_call(L, 2, 1);
      parts.push(toBytes(L, -1)!.slice());
      lua.lua_pop(L, 1);
    }
    if (from < fmt.length) parts.push(fmt.subarray(from));
    let n = 0;
    for (const p of parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of parts) (out.set(p, n), n += p.length);
    pushBytes(L, out);
    return 1;
  };
}

/** tostring with Lua 5.1's `%.14g` for numbers (and C's inf/nan). */
function makeTostring(originalRef: number) {
  return (L: LuaState): number => {
    lauxlib.luaL_checkany(L, 1);
    if (lua.lua_type(L, 1) === lua.LUA_TNUMBER) {
      const n = lua.lua_tonumber(L, 1);
      pushBytes(L, formatG(n, 14));
      return 1;
    }
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, originalRef);
    lua.lua_pushvalue(L, 1);
    lua.lua_call(L, 1, 1);
    return 1;
  };
}

/**
 * fengari 0.1.5 forgets to save `allowhook` when a yieldable pcall starts (lapi.js lua_pcallk
 * clears CIST_OAH but never sets it), so after a pcall catches an error the thread's hooks stay
 * off: no more SCRIPT KILL checks or event-loop ticks. pcall/xpcall re-enable them on return;
 * outside a hook they are always meant to be on. Returns its arguments unchanged.
 */
function rearmHooks(L: LuaState): number {
  (L as unknown as { allowhook: number }).allowhook = 1;
  return lua.lua_gettop(L);
}

function refGlobal(L: LuaState, path: string[]): number {
  lua.lua_getglobal(L, bytes(path[0]));
  for (const key of path.slice(1)) {
    lua.lua_getfield(L, -1, bytes(key));
    lua.lua_remove(L, -2);
  }
  return lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
}

/** Installs the 5.1 surface (Redis 7 has no setfenv/getfenv/newproxy, so neither do we). */
export function installLua51(L: LuaState): void {
  if (
    lauxlib.luaL_loadbufferx(L, bytes(PRELUDE), null, bytes(LUA51_CHUNK), bytes("t")) !== lua.LUA_OK
  ) {
    throw new Error(`lua51 prelude: ${text(toBytes(L, -1)!)}`);
  }
  lua.lua_pushjsfunction(L, (L: LuaState) => {
    const src = lauxlib.luaL_checklstring(L, 1);
    pushBytes(L, floatLiterals(src));
    return 1;
  });
  lua.lua_pushjsfunction(L, makeTostring(refGlobal(L, ["tostring"])));
  lua.lua_pushjsfunction(L, makeFormat(refGlobal(L, ["string", "format"])));
  lua.lua_pushjsfunction(L, rearmHooks);
  if (lua.lua_pcall(L, 4, 0, 0) !== lua.LUA_OK) {
    throw new Error(`lua51 prelude: ${text(toBytes(L, -1)!)}`);
  }
}
