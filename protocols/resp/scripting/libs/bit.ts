/**
 * LuaBitOp's `bit` library as Redis ships it: 32-bit operations on Lua numbers, results as
 * signed 32-bit numbers, arguments normalised the way LuaBitOp's barg() does.
 * @module
 */

import { bytes, lauxlib, lua, type LuaFunction, type LuaState, openLibrary } from "../vm.ts";

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);

/** LuaBitOp's number-to-bits conversion: round to nearest via the 2^52+2^51 trick, keep 32 bits. */
export function tobit(n: number): number {
  f64[0] = n + 6755399441055744.0;
  return i32[0];
}

function arg(L: LuaState, i: number): number {
  return tobit(lauxlib.luaL_checknumber(L, i));
}

function ret(L: LuaState, n: number): number {
  lua.lua_pushnumber(L, n | 0);
  return 1;
}

function fold(op: (a: number, b: number) => number): LuaFunction {
  return (L) => {
    let acc = arg(L, 1);
    for (let i = lua.lua_gettop(L); i > 1; i--) acc = op(acc, arg(L, i));
    return ret(L, acc);
  };
}

function shift(op: (a: number, n: number) => number): LuaFunction {
  return (L) => ret(L, op(arg(L, 1), arg(L, 2) & 31));
}

export function openBit(L: LuaState): void {
  openLibrary(L, "bit", {
    tobit: (L) => ret(L, arg(L, 1)),
    bnot: (L) => ret(L, ~arg(L, 1)),
    band: fold((a, b) => a & b),
    bor: fold((a, b) => a | b),
    bxor: fold((a, b) => a ^ b),
    lshift: shift((a, n) => a << n),
    rshift: shift((a, n) => a >>> n),
    arshift: shift((a, n) => a >> n),
    rol: shift((a, n) => (a << n) | (a >>> (32 - n))),
    ror: shift((a, n) => (a >>> n) | (a << (32 - n))),
    bswap: (L) => {
      const b = arg(L, 1);
      return ret(L, (b >>> 24) | ((b >> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24));
    },
    tohex: (L) => {
      let b = arg(L, 1);
      let n = lua.lua_isnone(L, 2) ? 8 : arg(L, 2);
      let digits = "0123456789abcdef";
      if (n < 0) {
        n = -n;
        digits = "0123456789ABCDEF";
      }
      if (n > 8) n = 8;
      let out = "";
      for (let i = n; i-- > 0;) {
        out = digits[b & 15] + out;
        b >>>= 4;
      }
      lua.lua_pushstring(L, bytes(out));
      return 1;
    },
  });
}
