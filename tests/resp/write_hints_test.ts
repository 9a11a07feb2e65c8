/**
 * Write hints: a write command names its key's meta entry, and a collection command whose key's
 * meta is in memory also names the member entries its unit reads (so a member that is not cached
 * is fetched before the unit runs, not inside it). Hints built over a real store's peek.
 * @module
 */
import assert from "node:assert/strict";
import { openStore } from "../../src/store/mod.ts";
import { CommandTable } from "../../protocols/resp/command_table.ts";
import { COMMANDS as HASHES } from "../../protocols/resp/commands/hashes.ts";
import { COMMANDS as SETS } from "../../protocols/resp/commands/sets.ts";
import { COMMANDS as SORTED_SETS } from "../../protocols/resp/commands/sorted_sets.ts";
import { COMMANDS as STRINGS } from "../../protocols/resp/commands/strings.ts";
import { writeHints } from "../../protocols/resp/write_hints.ts";
import { fieldKey, type KeyMeta, metaKey } from "../../protocols/resp/storage/layout.ts";
import { memberKey as scoreKey } from "../../protocols/resp/storage/zset.ts";
import { keyId } from "../../src/store/keys.ts";

const TABLE = new CommandTable([
  { group: "hash", commands: HASHES },
  { group: "set", commands: SETS },
  { group: "sorted-set", commands: SORTED_SETS },
  { group: "string", commands: STRINGS },
]);
const enc = new TextEncoder();
const args = (...parts: string[]) => parts.map((p) => enc.encode(p));
const b = (s: string) => enc.encode(s);

Deno.test("write hints name the member entries of a collection whose meta is cached", async () => {
  await using store = await openStore({ memory: true, sweepIntervalMs: 0 });
  const metas: [string, KeyMeta][] = [
    ["h", { t: "hash", g: "gh", n: 1 }],
    ["s", { t: "set", g: "gs", n: 1 }],
    ["z", { t: "zset", g: "gz", n: 1 }],
    ["str", { t: "string" }],
  ];
  for (const [key, meta] of metas) await store.set(metaKey(0, b(key)), { meta });
  const peek = (key: Deno.KvKey) => store.peek(key);
  const hints = (...argv: string[]) => {
    const spec = TABLE.get(argv[0].toLowerCase())!;
    return writeHints(spec, args(...argv), 0, peek)?.map((k) => keyId(k));
  };
  const ids = (...keys: Deno.KvKey[]) => keys.map((k) => keyId(k));

  assert.deepEqual(
    hints("HSET", "h", "f1", "v1", "f2", "v2"),
    ids(metaKey(0, b("h")), fieldKey("gh", b("f1")), fieldKey("gh", b("f2"))),
  );
  assert.deepEqual(
    hints("HINCRBY", "h", "f", "1"),
    ids(metaKey(0, b("h")), fieldKey("gh", b("f"))),
  );
  assert.deepEqual(
    hints("SADD", "s", "a", "b"),
    ids(metaKey(0, b("s")), fieldKey("gs", b("a")), fieldKey("gs", b("b"))),
  );
  assert.deepEqual(
    hints("ZADD", "z", "NX", "ch", "1", "a", "2", "b"),
    ids(metaKey(0, b("z")), scoreKey("gz", b("a")), scoreKey("gz", b("b"))),
  );
  assert.deepEqual(
    hints("ZINCRBY", "z", "1", "a"),
    ids(metaKey(0, b("z")), scoreKey("gz", b("a"))),
  );
  // Another type than the command's, an absent key, or no peek: the meta entry alone.
  assert.deepEqual(hints("HSET", "s", "f", "v"), ids(metaKey(0, b("s"))));
  assert.deepEqual(hints("SADD", "nokey", "a"), ids(metaKey(0, b("nokey"))));
  assert.deepEqual(hints("SET", "str", "v"), ids(metaKey(0, b("str"))));
  assert.deepEqual(
    writeHints(TABLE.get("hset")!, args("HSET", "h", "f", "v"), 0)?.map((k) => keyId(k)),
    ids(metaKey(0, b("h"))),
  );
});
