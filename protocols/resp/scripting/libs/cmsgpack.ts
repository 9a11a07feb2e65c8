/**
 * Redis's `cmsgpack` library (lua-cmsgpack 0.4): pack any number of Lua values into
 * MessagePack and unpack them back, with its choices: integral numbers as the smallest int,
 * others as float32 when exact else float64, tables as arrays when keys are 1..n, and at most
 * 16 levels of nesting (deeper tables pack as nil).
 * @module
 */

import {
  bytes,
  lauxlib,
  lua,
  type LuaState,
  openLibrary,
  pushBytes,
  raise,
  toBytes,
} from "../vm.ts";

const MAX_NESTING = 16;

class Writer {
  buf = new Uint8Array(64);
  len = 0;
  view = new DataView(this.buf.buffer);
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.reserve(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }
  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.view.setBigUint64(this.len, BigInt.asUintN(64, v));
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
}

function packInteger(w: Writer, n: number): void {
  if (n >= 0) {
    if (n <= 127) w.u8(n);
    else if (n <= 0xff) (w.u8(0xcc), w.u8(n));
    else if (n <= 0xffff) (w.u8(0xcd), w.u16(n));
    else if (n <= 0xffffffff) (w.u8(0xce), w.u32(n));
    else (w.u8(0xcf), w.u64(BigInt(n)));
  } else {
    if (n >= -32) w.u8(n & 0xff);
    else if (n >= -128) (w.u8(0xd0), w.u8(n & 0xff));
    else if (n >= -32768) (w.u8(0xd1), w.u16(n & 0xffff));
    else if (n >= -2147483648) (w.u8(0xd2), w.u32(n >>> 0));
    else (w.u8(0xd3), w.u64(BigInt(n)));
  }
}

function packNumber(w: Writer, n: number): void {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return packInteger(w, n);
  if (Math.fround(n) === n || Number.isNaN(n)) {
    w.u8(0xca);
    w.reserve(4);
    w.view.setFloat32(w.len, n);
    w.len += 4;
  } else {
    w.u8(0xcb);
    w.reserve(8);
    w.view.setFloat64(w.len, n);
    w.len += 8;
  }
}

function packString(w: Writer, s: Uint8Array): void {
  const n = s.length;
  if (n < 32) w.u8(0xa0 | n);
  else if (n <= 0xff) (w.u8(0xd9), w.u8(n));
  else if (n <= 0xffff) (w.u8(0xda), w.u16(n));
  else (w.u8(0xdb), w.u32(n));
  w.bytes(s);
}

function header(w: Writer, n: number, fix: number, b16: number): void {
  if (n < 16) w.u8(fix | n);
  else if (n <= 0xffff) (w.u8(b16), w.u16(n));
  else (w.u8(b16 + 1), w.u32(n));
}

/** The table's length when its keys are exactly 1..n, else -1 (table_is_an_array). */
function arrayLength(L: LuaState): number {
  let count = 0;
  let max = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    lua.lua_pop(L, 1);
    const k = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -1) : NaN;
    if (!(Number.isInteger(k) && k >= 1)) {
      lua.lua_pop(L, 1);
      return -1;
    }
    if (k > max) max = k;
    count++;
  }
  return count === max ? max : -1;
}

function packValue(L: LuaState, w: Writer, level: number): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return packString(w, toBytes(L, -1)!);
    case lua.LUA_TNUMBER:
      return packNumber(w, lua.lua_tonumber(L, -1));
    case lua.LUA_TBOOLEAN:
      return w.u8(lua.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
    case lua.LUA_TTABLE: {
      if (level >= MAX_NESTING) return w.u8(0xc0);
      lua.lua_checkstack(L, 3);
      const len = arrayLength(L);
      if (len >= 0) {
        header(w, len, 0x90, 0xdc);
        for (let i = 1; i <= len; i++) {
          lua.lua_rawgeti(L, -1, i);
          packValue(L, w, level + 1);
          lua.lua_pop(L, 1);
        }
        return;
      }
      let n = 0;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) (n++, lua.lua_pop(L, 1));
      header(w, n, 0x80, 0xde);
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        lua.lua_pushvalue(L, -2);
        packValue(L, w, level + 1);
        lua.lua_pop(L, 1);
        packValue(L, w, level + 1);
        lua.lua_pop(L, 1);
      }
      return;
    }
    default:
      return w.u8(0xc0);
  }
}

class Reader {
  pos = 0;
  view: DataView;
  constructor(readonly L: LuaState, readonly s: Uint8Array) {
    this.view = new DataView(s.buffer, s.byteOffset, s.byteLength);
  }
  need(n: number): void {
    if (this.pos + n > this.s.length) throw new Truncated();
  }
  u8(): number {
    this.need(1);
    return this.s[this.pos++];
  }
  take(n: number, read: (at: number) => number | bigint): number {
    this.need(n);
    const v = read(this.pos);
    this.pos += n;
    return Number(v);
  }
  str(n: number): void {
    this.need(n);
    pushBytes(this.L, this.s.subarray(this.pos, this.pos + n));
    this.pos += n;
  }
  array(n: number): void {
    const L = this.L;
    lua.lua_checkstack(L, 3);
    lua.lua_createtable(L, n, 0);
    for (let i = 1; i <= n; i++) {
      this.value();
      lua.lua_rawseti(L, -2, i);
    }
  }
  map(n: number): void {
    const L = this.L;
    lua.lua_checkstack(L, 3);
    lua.lua_createtable(L, 0, n);
    for (let i = 0; i < n; i++) {
      this.value();
      this.value();
      if (lua.lua_isnil(L, -2)) lua.lua_pop(L, 2);
      else lua.lua_rawset(L, -3);
    }
  }
  value(): void {
    const L = this.L;
    const v = this.view;
    const c = this.u8();
    if (c <= 0x7f) return lua.lua_pushnumber(L, c);
    if (c >= 0xe0) return lua.lua_pushnumber(L, c - 256);
    if ((c & 0xe0) === 0xa0) return this.str(c & 0x1f);
    if ((c & 0xf0) === 0x90) return this.array(c & 0x0f);
    if ((c & 0xf0) === 0x80) return this.map(c & 0x0f);
    switch (c) {
      case 0xc0:
        return lua.lua_pushnil(L);
      case 0xc2:
      case 0xc3:
        return lua.lua_pushboolean(L, c === 0xc3);
      case 0xca:
        return lua.lua_pushnumber(L, this.take(4, (p) => v.getFloat32(p)));
      case 0xcb:
        return lua.lua_pushnumber(L, this.take(8, (p) => v.getFloat64(p)));
      case 0xcc:
        return lua.lua_pushnumber(L, this.u8());
      case 0xcd:
        return lua.lua_pushnumber(L, this.take(2, (p) => v.getUint16(p)));
      case 0xce:
        return lua.lua_pushnumber(L, this.take(4, (p) => v.getUint32(p)));
      case 0xcf:
        return lua.lua_pushnumber(L, this.take(8, (p) => v.getBigUint64(p)));
      case 0xd0:
        return lua.lua_pushnumber(L, this.take(1, (p) => v.getInt8(p)));
      case 0xd1:
        return lua.lua_pushnumber(L, this.take(2, (p) => v.getInt16(p)));
      case 0xd2:
        return lua.lua_pushnumber(L, this.take(4, (p) => v.getInt32(p)));
      case 0xd3:
        return lua.lua_pushnumber(L, this.take(8, (p) => v.getBigInt64(p)));
      case 0xc4:
      case 0xd9:
        return this.str(this.u8());
      case 0xc5:
      case 0xda:
        return this.str(this.take(2, (p) => v.getUint16(p)));
      case 0xc6:
      case 0xdb:
        return this.str(this.take(4, (p) => v.getUint32(p)));
      case 0xdc:
        return this.array(this.take(2, (p) => v.getUint16(p)));
      case 0xdd:
        return this.array(this.take(4, (p) => v.getUint32(p)));
      case 0xde:
        return this.map(this.take(2, (p) => v.getUint16(p)));
      case 0xdf:
        return this.map(this.take(4, (p) => v.getUint32(p)));
      default:
        throw new BadType();
    }
  }
}

class Truncated extends Error {}
class BadType extends Error {}

/** Unpacks up to `limit` objects (0: all) from `offset`; pushes them, returns [count, next]. */
function unpack(L: LuaState, s: Uint8Array, offset: number, limit: number): [number, number] {
  const r = new Reader(L, s);
  r.pos = offset;
  let count = 0;
  const top = lua.lua_gettop(L);
  try {
    while (r.pos < s.length && (limit === 0 || count < limit)) {
      lua.lua_checkstack(L, 1);
      r.value();
      count++;
    }
  } catch (e) {
    if (!(e instanceof Truncated || e instanceof BadType)) throw e;
    lua.lua_settop(L, top);
    raise(L, e instanceof Truncated ? "Missing bytes in input." : "Bad data format in input.");
  }
  return [count, r.pos];
}

export function openCmsgpack(L: LuaState): void {
  openLibrary(L, "cmsgpack", {
    pack: (L) => {
      const n = lua.lua_gettop(L);
      if (n === 0) raise(L, "MessagePack pack needs input.");
      const w = new Writer();
      for (let i = 1; i <= n; i++) {
        lua.lua_pushvalue(L, i);
        packValue(L, w, 0);
        lua.lua_pop(L, 1);
      }
      pushBytes(L, w.buf.subarray(0, w.len));
      return 1;
    },
    unpack: (L) => {
      const s = lauxlib.luaL_checklstring(L, 1);
      return unpack(L, s, 0, 0)[0];
    },
    unpack_one: (L) => unpackLimited(L, 1),
    unpack_limit: (L) => unpackLimited(L, lauxlib.luaL_checknumber(L, 2)),
  });
  lua.lua_getglobal(L, bytes("cmsgpack"));
  lua.lua_pushstring(L, bytes("lua-cmsgpack 0.4.0"));
  lua.lua_setfield(L, -2, bytes("_VERSION"));
  lua.lua_pop(L, 1);
}

/** unpack_one / unpack_limit: returns the next offset (-1 at the end) followed by the values. */
function unpackLimited(L: LuaState, limit: number): number {
  const s: Uint8Array = lauxlib.luaL_checklstring(L, 1);
  const offset = lua.lua_isnoneornil(L, limit === 1 ? 2 : 3)
    ? 0
    : lauxlib.luaL_checknumber(L, limit === 1 ? 2 : 3);
  if (offset < 0 || limit < 0) {
    raise(L, "Invalid request to unpack with offset of " + offset + " and limit of " + limit + ".");
  }
  const base = lua.lua_gettop(L);
  lua.lua_pushnil(L);
  const [count, next] = unpack(L, s, offset, limit);
  lua.lua_pushnumber(L, next >= s.length ? -1 : next);
  lua.lua_replace(L, base + 1);
  return count + 1;
}
