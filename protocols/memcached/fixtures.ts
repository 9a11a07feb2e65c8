/**
 * The `memcached` section of a fixture: `{ "<key>": { value, flags?, ttl?, encoding? } }` (or
 * a plain string value), loaded with `set` and exported from the live items.
 * @module
 */
import {
  decodeBase64,
  encodeBase64,
  FixtureError,
  member,
  objectAt,
  stringAt,
  ttlAt,
} from "../../src/fixtures.ts";
import type { Items } from "./storage/items.ts";

const FIELDS = new Set(["value", "flags", "ttl", "encoding"]);
/** memcached reads larger exptimes as absolute Unix times. */
const MAX_RELATIVE_EXPTIME = 30 * 24 * 3600;
const encoder = new TextEncoder();
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** One item as a fixture holds it. */
interface FixtureItem {
  value: string;
  flags?: number;
  ttl?: number;
  encoding?: "base64";
}

/** Load a `memcached` section. */
export async function seedMemcached(items: Items, section: unknown, path: string): Promise<void> {
  for (const [name, raw] of Object.entries(objectAt(section, path))) {
    const at = member(path, name);
    const spec = typeof raw === "string" ? { value: raw } : objectAt(raw, at);
    for (const field of Object.keys(spec)) {
      if (!FIELDS.has(field)) throw new FixtureError(member(at, field), "unknown field");
    }
    const key = encoder.encode(name);
    if (key.length === 0 || key.length > 250 || key.some((b) => b <= 0x20 || b === 0x7f)) {
      throw new FixtureError(at, "not a memcached key (1-250 bytes, no spaces or control bytes)");
    }
    if (spec.encoding !== undefined && spec.encoding !== "base64") {
      throw new FixtureError(member(at, "encoding"), 'expected "base64"');
    }
    const text = stringAt(spec.value, member(at, "value"));
    let value: Uint8Array;
    try {
      value = spec.encoding === "base64" ? decodeBase64(text) : encoder.encode(text);
    } catch {
      throw new FixtureError(member(at, "value"), "expected base64");
    }
    const flags = spec.flags ?? 0;
    if (typeof flags !== "number" || !Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
      throw new FixtureError(member(at, "flags"), "expected a whole number 0-4294967295");
    }
    const ttl = ttlAt(spec.ttl, member(at, "ttl"));
    const seconds = ttl === null ? 0 : Math.max(1, Math.round(ttl));
    const exptime = seconds <= MAX_RELATIVE_EXPTIME
      ? seconds
      : Math.floor(Date.now() / 1000) + seconds;
    if (!items.fits(key.length, value.length, flags)) {
      throw new FixtureError(at, `larger than the item size limit (${items.itemMax} bytes)`);
    }
    const result = await items.store({ mode: "set", key, value, flags, exptime });
    if (result.status !== "ok") throw new FixtureError(at, `not stored (${result.status})`);
  }
}

/** Every live item as a `memcached` section. */
export async function exportMemcached(items: Items): Promise<Record<string, FixtureItem>> {
  const out: Record<string, FixtureItem> = {};
  const listed = await items.listing(Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < listed.length; i += 100) {
    const keys = listed.slice(i, i + 100).map((info) => info.key);
    const found = await items.getMany(keys);
    found.forEach((item) => {
      if (!item) return;
      const entry: FixtureItem = { value: "" };
      try {
        entry.value = utf8.decode(item.value);
      } catch {
        entry.value = encodeBase64(item.value);
        entry.encoding = "base64";
      }
      if (item.flags !== 0) entry.flags = item.flags;
      if (item.expiresAt !== null) {
        entry.ttl = Math.max(1, Math.round((item.expiresAt - Date.now()) / 1000));
      }
      out[new TextDecoder().decode(item.key)] = entry;
    });
  }
  return out;
}
