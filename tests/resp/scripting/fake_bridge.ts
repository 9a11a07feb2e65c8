/**
 * A command bridge for driving the script engine before EVAL is wired into the server: a tiny
 * in-memory keyspace with the handful of commands the scripting tests call.
 * @module
 */
import type { Reply } from "../../../protocols/resp/reply.ts";
import type { ScriptBridge } from "../../../protocols/resp/scripting/mod.ts";
import { SCRIPT_ERRORS } from "../../../protocols/resp/scripting/mod.ts";

const dec = new TextDecoder();
const enc = new TextEncoder();
const WRITES = new Set(["set", "del", "incr", "hset", "rpush"]);

export class FakeBridge implements ScriptBridge {
  strings = new Map<string, Uint8Array>();
  hashes = new Map<string, Map<string, Uint8Array>>();
  lists = new Map<string, Uint8Array[]>();
  calls: string[][] = [];
  #wrote = false;

  wrote(): boolean {
    return this.#wrote;
  }

  call(argv: Uint8Array[], _resp: 2 | 3): Promise<Reply> {
    const args = argv.map((a) => dec.decode(a));
    this.calls.push(args);
    const name = args[0].toLowerCase();
    if (WRITES.has(name)) this.#wrote = true;
    return Promise.resolve(this.#run(name, args, argv));
  }

  #run(name: string, args: string[], argv: Uint8Array[]): Reply {
    switch (name) {
      case "get": {
        const v = this.strings.get(args[1]);
        return v ? { type: "bulk", value: v } : { type: "null" };
      }
      case "set":
        this.strings.set(args[1], argv[2]);
        return { type: "simple", value: "OK" };
      case "del": {
        let n = 0;
        for (const k of args.slice(1)) if (this.strings.delete(k)) n++;
        return { type: "integer", value: n };
      }
      case "incr": {
        const v = Number(dec.decode(this.strings.get(args[1]) ?? enc.encode("0")));
        if (!Number.isInteger(v)) {
          return { type: "error", value: "ERR value is not an integer or out of range" };
        }
        this.strings.set(args[1], enc.encode(String(v + 1)));
        return { type: "integer", value: v + 1 };
      }
      case "hset": {
        const h = this.hashes.get(args[1]) ?? new Map();
        this.hashes.set(args[1], h);
        let added = 0;
        for (let i = 2; i + 1 < argv.length; i += 2) {
          if (!h.has(args[i])) added++;
          h.set(args[i], argv[i + 1]);
        }
        return { type: "integer", value: added };
      }
      case "hgetall": {
        const h = this.hashes.get(args[1]) ?? new Map();
        return {
          type: "map",
          value: [...h].map((
            [k, v],
          ): [Reply, Reply] => [{ type: "bulk", value: k }, { type: "bulk", value: v }]),
        };
      }
      case "rpush": {
        const l = this.lists.get(args[1]) ?? [];
        this.lists.set(args[1], l);
        l.push(...argv.slice(2));
        return { type: "integer", value: l.length };
      }
      case "lrange": {
        const l = this.lists.get(args[1]) ?? [];
        return { type: "array", value: l.map((v): Reply => ({ type: "bulk", value: v })) };
      }
      case "zscore":
        return { type: "double", value: 1.5 };
      case "exists":
        return { type: "boolean", value: this.strings.has(args[1]) };
      case "ping":
        return { type: "simple", value: "PONG" };
      default:
        return { type: "error", value: SCRIPT_ERRORS.unknownCommand };
    }
  }
}

/** A reply as plain data for assertions: bulk → string, errors/status → {err}/{ok}. */
export type Plain =
  | string
  | number
  | bigint
  | boolean
  | null
  | Plain[]
  | { err: string }
  | { ok: string }
  | { map: [Plain, Plain][] }
  | { set: Plain[] }
  | { double: number }
  | { big: bigint }
  | { verbatim: string };

export function plain(r: Reply): Plain {
  switch (r.type) {
    case "bulk":
      return typeof r.value === "string" ? r.value : dec.decode(r.value);
    case "integer":
      return r.value;
    case "null":
    case "nullArray":
      return null;
    case "simple":
      return { ok: r.value };
    case "error":
    case "bulkError":
      return { err: r.value };
    case "array":
    case "push":
      return r.value.map(plain);
    case "map":
      return { map: r.value.map(([k, v]): [Plain, Plain] => [plain(k), plain(v)]) };
    case "set":
      return { set: r.value.map(plain) };
    case "double":
      return { double: r.value };
    case "boolean":
      return r.value;
    case "bignum":
      return { big: r.value };
    case "verbatim":
      return { verbatim: r.value };
    default:
      return null;
  }
}
