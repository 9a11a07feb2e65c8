/**
 * Redis's `cjson` library (lua-cjson 2.1 as bundled): encode/decode with its defaults —
 * `%.14g` numbers, `\/` escaping, `{}` for an empty table, errors for sparse arrays and
 * NaN/Inf, and `cjson.null` (a light userdata) for JSON null.
 * @module
 */

import { formatG } from "../number_format.ts";
import {
  bytes,
  lauxlib,
  lua,
  type LuaState,
  openLibrary,
  pushBytes,
  raise,
  text,
  toBytes,
} from "../vm.ts";

/** The value behind `cjson.null` (a C NULL light userdata in Redis). */
export const JSON_NULL = Object.freeze({ cjsonNull: true });
const MAX_DEPTH = 1000;
const SPARSE_RATIO = 2;
const SPARSE_SAFE = 10;

const ESCAPES: (string | null)[] = [];
for (let c = 0; c < 256; c++) {
  ESCAPES.push(c < 32 ? "\\u" + c.toString(16).padStart(4, "0") : null);
}
ESCAPES[0x08] = "\\b";
ESCAPES[0x09] = "\\t";
ESCAPES[0x0a] = "\\n";
ESCAPES[0x0c] = "\\f";
ESCAPES[0x0d] = "\\r";
ESCAPES[0x22] = '\\"';
ESCAPES[0x2f] = "\\/";
ESCAPES[0x5c] = "\\\\";

class Out {
  parts: Uint8Array[] = [];
  str(s: string): void {
    this.parts.push(bytes(s));
  }
  raw(b: Uint8Array): void {
    this.parts.push(b);
  }
  join(): Uint8Array {
    let n = 0;
    for (const p of this.parts) n += p.length;
    const out = new Uint8Array(n);
    n = 0;
    for (const p of this.parts) {
      out.set(p, n);
      n += p.length;
    }
    return out;
  }
}

function encodeString(out: Out, s: Uint8Array): void {
  out.str('"');
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const esc = ESCAPES[s[i]];
    if (esc === null) continue;
    if (i > from) out.raw(s.subarray(from, i));
    out.str(esc);
    from = i + 1;
  }
  if (from < s.length) out.raw(s.subarray(from));
  out.str('"');
}

function encodeNumber(L: LuaState, out: Out, n: number): void {
  if (!Number.isFinite(n)) raise(L, "Cannot serialise number: must not be NaN or Inf");
  out.str(formatG(n, 14));
}

/** Array length when every key is a positive integer (-1 otherwise), as lua_array_length. */
function arrayLength(L: LuaState): number {
  let max = 0;
  let items = 0;
  lua.lua_pushnil(L);
  while (lua.lua_next(L, -2)) {
    const k = lua.lua_type(L, -2) === lua.LUA_TNUMBER ? lua.lua_tonumber(L, -2) : NaN;
    if (!(Number.isInteger(k) && k >= 1)) {
      lua.lua_pop(L, 2);
      return -1;
    }
    if (k > max) max = k;
    items++;
    lua.lua_pop(L, 1);
  }
  if (max > items * SPARSE_RATIO && max > SPARSE_SAFE) {
    raise(L, "Cannot serialise table: excessively sparse array");
  }
  return max;
}

function encodeValue(L: LuaState, out: Out, depth: number): void {
  switch (lua.lua_type(L, -1)) {
    case lua.LUA_TSTRING:
      return encodeString(out, toBytes(L, -1)!);
    case lua.LUA_TNUMBER:
      return encodeNumber(L, out, lua.lua_tonumber(L, -1));
    case lua.LUA_TBOOLEAN:
      return out.str(lua.lua_toboolean(L, -1) ? "true" : "false");
    case lua.LUA_TNIL:
      return out.str("null");
    case lua.LUA_TLIGHTUSERDATA:
      if (lua.lua_touserdata(L, -1) === JSON_NULL) return out.str("null");
      break;
    case lua.LUA_TTABLE: {
      if (++depth > MAX_DEPTH) raise(L, `Cannot serialise, excessive nesting (${depth})`);
      lua.lua_checkstack(L, 3);
      const len = arrayLength(L);
      if (len > 0) {
        out.str("[");
        for (let i = 1; i <= len; i++) {
          if (i > 1) out.str(",");
          lua.lua_rawgeti(L, -1, i);
          encodeValue(L, out, depth);
          lua.lua_pop(L, 1);
        }
        out.str("]");
        return;
      }
      out.str("{");
      let first = true;
      lua.lua_pushnil(L);
      while (lua.lua_next(L, -2)) {
        if (!first) out.str(",");
        first = false;
        const kt = lua.lua_type(L, -2);
        if (kt === lua.LUA_TSTRING) encodeString(out, toBytes(L, -2)!);
        else if (kt === lua.LUA_TNUMBER) {
          out.str('"');
          encodeNumber(L, out, lua.lua_tonumber(L, -2));
          out.str('"');
        } else raise(L, "Cannot serialise table: table key must be a number or string");
        out.str(":");
        encodeValue(L, out, depth);
        lua.lua_pop(L, 1);
      }
      out.str("}");
      return;
    }
  }
  raise(
    L,
    `Cannot serialise ${text(lua.lua_typename(L, lua.lua_type(L, -1)))}: type not supported`,
  );
}

class Decoder {
  pos = 0;
  constructor(readonly L: LuaState, readonly s: Uint8Array) {}

  fail(expected: string, found?: string): never {
    const what = found ?? this.tokenName();
    raise(this.L, `Expected ${expected} but found ${what} at character ${this.pos + 1}`);
  }

  tokenName(): string {
    const c = this.s[this.pos];
    if (c === undefined) return "T_END";
    if (c === 0x7b) return "T_OBJ_BEGIN";
    if (c === 0x7d) return "T_OBJ_END";
    if (c === 0x5b) return "T_ARR_BEGIN";
    if (c === 0x5d) return "T_ARR_END";
    if (c === 0x2c) return "T_COMMA";
    if (c === 0x3a) return "T_COLON";
    if (c === 0x22) return "T_STRING";
    return "invalid token";
  }

  ws(): void {
    const s = this.s;
    while (
      s[this.pos] === 0x20 || s[this.pos] === 0x09 || s[this.pos] === 0x0a || s[this.pos] === 0x0d
    ) {
      this.pos++;
    }
  }

  value(depth: number): void {
    const L = this.L;
    this.ws();
    const c = this.s[this.pos];
    if (c === 0x22) return this.string();
    if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_DEPTH) {
        raise(L, `Found too many nested data structures (${depth}) at character ${this.pos + 1}`);
      }
      lua.lua_checkstack(L, 3);
      return c === 0x7b ? this.object(depth) : this.array(depth);
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    for (const [word, push] of LITERALS) {
      if (this.matches(word)) {
        this.pos += word.length;
        return push(L);
      }
    }
    this.fail("value");
  }

  matches(word: string): boolean {
    for (let i = 0; i < word.length; i++) {
      if (this.s[this.pos + i] !== word.charCodeAt(i)) return false;
    }
    return true;
  }

  number(): void {
    const start = this.pos;
    const s = this.s;
    while (this.pos < s.length && /[-+0-9.eE]/.test(String.fromCharCode(s[this.pos]))) this.pos++;
    const n = Number(text(s.subarray(start, this.pos)));
    if (Number.isNaN(n)) {
      this.pos = start;
      this.fail("value");
    }
    lua.lua_pushnumber(this.L, n);
  }

  string(): void {
    const s = this.s;
    const out: number[] = [];
    this.pos++;
    for (;;) {
      const c = s[this.pos];
      if (c === undefined) this.fail("value", "unexpected end of string");
      this.pos++;
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      const e = s[this.pos++];
      const simple = ({
        0x22: 0x22,
        0x5c: 0x5c,
        0x2f: 0x2f,
        0x62: 8,
        0x66: 12,
        0x6e: 10,
        0x72: 13,
        0x74: 9,
      } as Record<number, number>)[e];
      if (simple !== undefined) out.push(simple);
      else if (e === 0x75) {
        let cp = this.hex4();
        if (cp >= 0xd800 && cp <= 0xdbff && s[this.pos] === 0x5c && s[this.pos + 1] === 0x75) {
          this.pos += 2;
          const low = this.hex4();
          cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        out.push(...bytes(String.fromCodePoint(cp)));
      } else {
        this.pos -= 2;
        this.fail("value", "invalid escape code");
      }
    }
    pushBytes(this.L, Uint8Array.from(out));
  }

  hex4(): number {
    const h = text(this.s.subarray(this.pos, this.pos + 4));
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("value", "invalid unicode escape code");
    this.pos += 4;
    return parseInt(h, 16);
  }

  object(depth: number): void {
    const L = this.L;
    lua.lua_newtable(L);
    this.pos++;
    this.ws();
    if (this.s[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== 0x22) this.fail("object key string");
      this.string();
      this.ws();
      if (this.s[this.pos] !== 0x3a) this.fail("colon");
      this.pos++;
      this.value(depth);
      lua.lua_rawset(L, -3);
      this.ws();
      const c = this.s[this.pos];
      if (c === 0x7d) {
        this.pos++;
        return;
      }
      if (c !== 0x2c) this.fail("comma or object end");
      this.pos++;
    }
  }

  array(depth: number): void {
    const L = this.L;
    lua.lua_newtable(L);
    this.pos++;
    this.ws();
    if (this.s[this.pos] === 0x5d) {
      this.pos++;
      return;
    }
    for (let i = 1;; i++) {
      this.value(depth);
      lua.lua_rawseti(L, -2, i);
      this.ws();
      const c = this.s[this.pos];
      if (c === 0x5d) {
        this.pos++;
        return;
      }
      if (c !== 0x2c) this.fail("comma or array end");
      this.pos++;
    }
  }
}

const LITERALS: [string, (L: LuaState) => void][] = [
  ["true", (L) => lua.lua_pushboolean(L, true)],
  ["false", (L) => lua.lua_pushboolean(L, false)],
  ["null", (L) => lua.lua_pushlightuserdata(L, JSON_NULL)],
];

function setting(current: number) {
  return (L: LuaState) => {
    lua.lua_pushnumber(L, current);
    return 1;
  };
}

export function openCjson(L: LuaState): void {
  openLibrary(L, "cjson", {
    encode: (L) => {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, bytes("expected 1 argument"));
      const out = new Out();
      encodeValue(L, out, 0);
      pushBytes(L, out.join());
      return 1;
    },
    decode: (L) => {
      if (lua.lua_gettop(L) !== 1) lauxlib.luaL_argerror(L, 1, bytes("expected 1 argument"));
      const d = new Decoder(L, lauxlib.luaL_checklstring(L, 1));
      d.value(0);
      d.ws();
      if (d.pos < d.s.length) d.fail("the end");
      return 1;
    },
    encode_sparse_array: setting(0),
    encode_max_depth: setting(MAX_DEPTH),
    decode_max_depth: setting(MAX_DEPTH),
    encode_number_precision: setting(14),
    encode_keep_buffer: setting(1),
    encode_invalid_numbers: setting(0),
    decode_invalid_numbers: setting(1),
  });
  lua.lua_getglobal(L, bytes("cjson"));
  lua.lua_pushlightuserdata(L, JSON_NULL);
  lua.lua_setfield(L, -2, bytes("null"));
  lua.lua_pushstring(L, bytes("lua-cjson"));
  lua.lua_setfield(L, -2, bytes("_NAME"));
  lua.lua_pushstring(L, bytes("2.1.0"));
  lua.lua_setfield(L, -2, bytes("_VERSION"));
  lua.lua_pop(L, 1);
}
