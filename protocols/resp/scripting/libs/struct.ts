/**
 * Redis's `struct` library (Roberto Ierusalimschy's struct 0.2): pack/unpack/size of binary
 * records with `<` `>` `=` `!n` `x` `b B h H l L T i[n] I[n] f d s c[n]`.
 * @module
 */

import { bytes, lauxlib, lua, type LuaState, openLibrary, pushBytes, raise } from "../vm.ts";

const MAX_INT_SIZE = 8;
const NATIVE_ALIGN = 8;

interface Option {
  code: string;
  size: number;
}

class Format {
  pos = 0;
  little = true;
  align = 1;
  constructor(readonly L: LuaState, readonly fmt: string) {}

  number(dflt: number): number {
    const m = /^\d+/.exec(this.fmt.slice(this.pos));
    if (!m) return dflt;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** The next data option, after applying any endianness/alignment controls; null at the end. */
  next(): Option | null {
    while (this.pos < this.fmt.length) {
      const code = this.fmt[this.pos++];
      switch (code) {
        case "b":
        case "B":
        case "x":
          return { code, size: 1 };
        case "h":
        case "H":
          return { code, size: 2 };
        case "l":
        case "L":
        case "T":
          return { code, size: 8 };
        case "f":
          return { code, size: 4 };
        case "d":
          return { code, size: 8 };
        case "s":
          return { code, size: 0 };
        case "c":
          return { code, size: this.number(1) };
        case "i":
        case "I": {
          const size = this.number(4);
          if (size > MAX_INT_SIZE) {
            raise(this.L, `integral size ${size} is larger than limit of ${MAX_INT_SIZE}`);
          }
          return { code, size };
        }
        case " ":
          break;
        case ">":
          this.little = false;
          break;
        case "<":
        case "=":
          this.little = true;
          break;
        case "!":
          this.align = this.number(NATIVE_ALIGN);
          break;
        default:
          raise(this.L, `invalid format option '${code}'`);
      }
    }
    return null;
  }

  padding(at: number, opt: Option): number {
    if (opt.code === "c" || opt.code === "s" || opt.code === "x") return 0;
    const a = Math.min(opt.size, this.align);
    if (a <= 1) return 0;
    if ((a & (a - 1)) !== 0) raise(this.L, "alignment must be power of 2");
    return (a - (at & (a - 1))) & (a - 1);
  }
}

function writeInt(out: number[], value: number, size: number, little: boolean): void {
  let v = BigInt.asUintN(64, BigInt(Math.trunc(value)));
  const b: number[] = [];
  for (let i = 0; i < size; i++) {
    b.push(Number(v & 0xffn));
    v >>= 8n;
  }
  out.push(...(little ? b : b.reverse()));
}

function readInt(
  s: Uint8Array,
  at: number,
  size: number,
  little: boolean,
  signed: boolean,
): number {
  let v = 0n;
  for (let i = 0; i < size; i++) {
    v = (v << 8n) | BigInt(s[little ? at + size - 1 - i : at + i]);
  }
  if (signed) v = BigInt.asIntN(size * 8, v);
  return Number(v);
}

export function openStruct(L: LuaState): void {
  openLibrary(L, "struct", {
    pack: (L) => {
      const f = new Format(L, new TextDecoder().decode(lauxlib.luaL_checklstring(L, 1)));
      const out: number[] = [];
      let arg = 2;
      for (let opt = f.next(); opt; opt = f.next()) {
        for (let p = f.padding(out.length, opt); p > 0; p--) out.push(0);
        const { code, size } = opt;
        if (code === "x") out.push(0);
        else if (code === "f" || code === "d") {
          const dv = new DataView(new ArrayBuffer(size));
          const n = lauxlib.luaL_checknumber(L, arg++);
          if (size === 4) dv.setFloat32(0, n, f.little);
          else dv.setFloat64(0, n, f.little);
          out.push(...new Uint8Array(dv.buffer));
        } else if (code === "s" || code === "c") {
          const s: Uint8Array = lauxlib.luaL_checklstring(L, arg++);
          const n = code === "s" || size === 0 ? s.length : size;
          if (code === "c" && s.length < n) raise(L, "string too short");
          out.push(...s.subarray(0, n));
          if (code === "s") {
            if (s.includes(0)) raise(L, "string contains zeros");
            out.push(0);
          }
        } else writeInt(out, lauxlib.luaL_checknumber(L, arg++), size, f.little);
      }
      pushBytes(L, Uint8Array.from(out));
      return 1;
    },
    unpack: (L) => {
      const f = new Format(L, new TextDecoder().decode(lauxlib.luaL_checklstring(L, 1)));
      const s: Uint8Array = lauxlib.luaL_checklstring(L, 2);
      let at = lua.lua_isnoneornil(L, 3) ? 0 : lauxlib.luaL_checknumber(L, 3) - 1;
      if (at < 0 || at > s.length) lauxlib.luaL_argerror(L, 3, bytes("offset out of range"));
      let count = 0;
      let lastNumber = 0;
      for (let opt = f.next(); opt; opt = f.next()) {
        at += f.padding(at, opt);
        const { code } = opt;
        let size = opt.size;
        if (code === "c" && size === 0) {
          if (count === 0 || lua.lua_type(L, -1) !== lua.LUA_TNUMBER) {
            raise(L, "format 'c0' needs a previous size");
          }
          size = lastNumber;
          lua.lua_pop(L, 1);
          count--;
        }
        if (code === "s") {
          const end = s.indexOf(0, at);
          if (end < 0) raise(L, "unfinished string in data");
          size = end - at + 1;
        }
        if (at + size > s.length) lauxlib.luaL_argerror(L, 2, bytes("data string too short"));
        lua.lua_checkstack(L, 2);
        if (code === "x") {
          at += size;
          continue;
        }
        if (code === "s" || code === "c") {
          pushBytes(L, s.subarray(at, code === "s" ? at + size - 1 : at + size));
        } else if (code === "f" || code === "d") {
          const dv = new DataView(s.buffer, s.byteOffset + at, size);
          lua.lua_pushnumber(
            L,
            size === 4 ? dv.getFloat32(0, f.little) : dv.getFloat64(0, f.little),
          );
        } else {
          const signed = code === "b" || code === "h" || code === "l" || code === "i";
          lastNumber = readInt(s, at, size, f.little, signed);
          lua.lua_pushnumber(L, lastNumber);
        }
        at += size;
        count++;
      }
      lua.lua_pushnumber(L, at + 1);
      return count + 1;
    },
    size: (L) => {
      const f = new Format(L, new TextDecoder().decode(lauxlib.luaL_checklstring(L, 1)));
      let at = 0;
      for (let opt = f.next(); opt; opt = f.next()) {
        if (opt.code === "s" || (opt.code === "c" && opt.size === 0)) {
          lauxlib.luaL_argerror(L, 1, bytes("options 'c0' - 's' have undefined sizes"));
        }
        at += f.padding(at, opt) + opt.size;
      }
      lua.lua_pushnumber(L, at);
      return 1;
    },
  });
}
