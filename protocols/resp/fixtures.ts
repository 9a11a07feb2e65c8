/**
 * The `redis` section of a fixture: `{ "<db>": { "<key>": { type, value, ttl? } } }` with
 * value a string (string), an object (hash), an array (list, set); `"encoding": "base64"`
 * when the key's strings are bytes. Loaded and exported through the command handlers.
 * @module
 */
import {
  arrayAt,
  decodeBase64,
  encodeBase64,
  FixtureError,
  member,
  objectAt,
  stringAt,
  ttlAt,
} from "../../src/fixtures.ts";
import type { LocalCall } from "./local_client.ts";
import { DATABASES } from "./storage/layout.ts";
import type { Reply } from "./reply.ts";

const TYPES = ["string", "hash", "list", "set"] as const;
type KeyType = typeof TYPES[number];
const FIELDS = new Set(["type", "value", "ttl", "encoding"]);

/** One key as a fixture holds it. */
interface FixtureKey {
  type: KeyType;
  value: string | string[] | Record<string, string>;
  ttl?: number;
  encoding?: "base64";
}

function ok(reply: Reply, path: string): Reply {
  if (reply.type === "error") throw new FixtureError(path, reply.value);
  return reply;
}

/** Load a `redis` section (only database `onlyDb` when given). */
export async function seedRedis(
  call: LocalCall,
  section: unknown,
  path: string,
  onlyDb?: string,
): Promise<void> {
  for (const [dbText, keys] of Object.entries(objectAt(section, path))) {
    if (onlyDb !== undefined && Number(dbText) !== Number(onlyDb)) continue;
    const dbPath = member(path, dbText);
    const db = Number(dbText);
    if (!/^\d+$/.test(dbText) || db >= DATABASES) {
      throw new FixtureError(dbPath, `expected a database number 0-${DATABASES - 1}`);
    }
    for (const [name, spec] of Object.entries(objectAt(keys, dbPath))) {
      await seedKey(call, db, name, spec, member(dbPath, name));
    }
  }
}

async function seedKey(
  call: LocalCall,
  db: number,
  name: string,
  raw: unknown,
  path: string,
): Promise<void> {
  const spec = typeof raw === "string" ? { type: "string", value: raw } : objectAt(raw, path);
  for (const field of Object.keys(spec)) {
    if (!FIELDS.has(field)) throw new FixtureError(member(path, field), "unknown field");
  }
  const type = spec.type as KeyType;
  if (!TYPES.includes(type)) {
    throw new FixtureError(member(path, "type"), `expected one of ${TYPES.join(", ")}`);
  }
  if (spec.encoding !== undefined && spec.encoding !== "base64") {
    throw new FixtureError(member(path, "encoding"), 'expected "base64"');
  }
  const base64 = spec.encoding === "base64";
  const at = member(path, "value");
  const bytes = (v: unknown, p: string): string | Uint8Array => {
    const text = stringAt(v, p);
    if (!base64) return text;
    try {
      return decodeBase64(text);
    } catch {
      throw new FixtureError(p, "expected base64");
    }
  };
  const ttl = ttlAt(spec.ttl, member(path, "ttl"));
  ok(await call(db, "DEL", name), path);
  if (type === "string") {
    ok(await call(db, "SET", name, bytes(spec.value, at)), at);
  } else if (type === "hash") {
    const fields = Object.entries(objectAt(spec.value, at));
    if (fields.length === 0) throw new FixtureError(at, "a hash needs at least one field");
    const args = fields.flatMap(([f, v]) => [bytes(f, member(at, f)), bytes(v, member(at, f))]);
    ok(await call(db, "HSET", name, ...args), at);
  } else {
    const items = arrayAt(spec.value, at).map((v, i) => bytes(v, member(at, i)));
    if (items.length === 0) throw new FixtureError(at, `a ${type} needs at least one element`);
    ok(await call(db, type === "list" ? "RPUSH" : "SADD", name, ...items), at);
  }
  if (ttl !== null) {
    ok(await call(db, "PEXPIRE", name, String(Math.max(1, Math.round(ttl * 1000)))), path);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function bulkBytes(reply: Reply): Uint8Array {
  if (reply.type !== "bulk") throw new Error(`Unexpected reply ${reply.type}`);
  return typeof reply.value === "string" ? new TextEncoder().encode(reply.value) : reply.value;
}

function elements(reply: Reply): Reply[] {
  if (reply.type === "array" || reply.type === "set") return reply.value;
  if (reply.type === "map") return reply.value.flat();
  throw new Error(`Unexpected reply ${reply.type}`);
}

/** Every key of every database as a `redis` section (keys that expire meanwhile are skipped). */
export async function exportRedis(call: LocalCall): Promise<Record<string, unknown>> {
  const out: Record<string, Record<string, FixtureKey>> = {};
  for (let db = 0; db < DATABASES; db++) {
    let cursor = "0";
    const keys: Record<string, FixtureKey> = {};
    do {
      const [next, names] = elements(await call(db, "SCAN", cursor, "COUNT", "1000"));
      cursor = new TextDecoder().decode(bulkBytes(next));
      for (const nameReply of elements(names)) {
        const name = bulkBytes(nameReply);
        const key = await exportKey(call, db, name);
        if (key) keys[new TextDecoder().decode(name)] = key;
      }
    } while (cursor !== "0");
    if (Object.keys(keys).length > 0) out[String(db)] = keys;
  }
  return out;
}

async function exportKey(
  call: LocalCall,
  db: number,
  name: Uint8Array,
): Promise<FixtureKey | null> {
  const typeReply = await call(db, "TYPE", name);
  const type = typeReply.type === "simple" ? typeReply.value as KeyType : null;
  if (type === null || !TYPES.includes(type)) return null;
  let parts: Uint8Array[];
  if (type === "string") {
    const r = await call(db, "GET", name);
    if (r.type !== "bulk") return null;
    parts = [bulkBytes(r)];
  } else {
    const command = type === "hash" ? "HGETALL" : type === "list" ? "LRANGE" : "SMEMBERS";
    const args = type === "list" ? ["0", "-1"] : [];
    parts = elements(await call(db, command, name, ...args)).map(bulkBytes);
    if (parts.length === 0) return null;
  }
  const pttl = await call(db, "PTTL", name);
  let base64 = false;
  try {
    for (const p of parts) utf8.decode(p);
  } catch {
    base64 = true;
  }
  const text = (b: Uint8Array) => base64 ? encodeBase64(b) : utf8.decode(b);
  const value = type === "string" ? text(parts[0]) : type === "hash"
    ? Object.fromEntries(
      Array.from(
        { length: parts.length / 2 },
        (_, i) => [text(parts[2 * i]), text(parts[2 * i + 1])],
      ),
    )
    : parts.map(text);
  const key: FixtureKey = { type, value };
  if (pttl.type === "integer" && Number(pttl.value) > 0) key.ttl = Number(pttl.value) / 1000;
  if (base64) key.encoding = "base64";
  return key;
}
