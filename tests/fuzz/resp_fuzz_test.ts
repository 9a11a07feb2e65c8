/**
 * Fuzzing the RESP request parser and the RESP port: random and mutated inputs, split at random
 * offsets, never throw out of the parser, and never take the server down or hang it.
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseRequests } from "../../protocols/resp/codec/mod.ts";
import { startTestServer } from "../helpers/server.ts";
import { command, replyText, RespClient } from "../resp/resp_client.ts";
import { decodeReplies } from "../resp/reply_decoder.ts";
import { concat, mutated, noise, PARAMS, sendAndDrain, split } from "./fuzz_lib.ts";

const SAFE = ["SET", "GET", "INCR", "HSET", "HGET", "PING", "ECHO", "DEL", "EXISTS", "APPEND"];

const arg = fc.uint8Array({ maxLength: 40 });
const argv: fc.Arbitrary<Uint8Array[]> = fc.tuple(
  fc.constantFrom(...SAFE),
  fc.array(arg, {
    maxLength: 4,
  }),
).map(([name, rest]) => [new TextEncoder().encode(name), ...rest]);
const requests = fc.array(argv, { minLength: 1, maxLength: 6 });
const encoded = (cmds: Uint8Array[][]) => concat(cmds.map((c) => command(...c)));

/** Feed chunks the way the connection loop does: keep what is unconsumed, parse again. */
function parseIncrementally(chunks: Uint8Array[]): { commands: Uint8Array[][]; error: boolean } {
  const commands: Uint8Array[][] = [];
  let pending: Uint8Array = new Uint8Array(0);
  for (const chunk of chunks) {
    pending = concat([pending, chunk]);
    const result = parseRequests(pending);
    assert.ok(result.used <= pending.length);
    commands.push(...result.commands.map((c) => c.map((a) => a.slice())));
    if (result.error !== null) return { commands, error: true };
    pending = pending.slice(result.used);
  }
  return { commands, error: false };
}

Deno.test("RESP parser: any bytes, split anywhere, parse without throwing", () => {
  fc.assert(
    fc.property(fc.oneof(noise, mutated(requests.map(encoded))), fc.array(fc.nat()), (b, cuts) => {
      const result = parseIncrementally(split(b, cuts));
      assert.ok(Array.isArray(result.commands));
    }),
    PARAMS,
  );
});

Deno.test("RESP parser: valid requests split at random offsets parse to the same commands", () => {
  fc.assert(
    fc.property(requests, fc.array(fc.nat(), { maxLength: 8 }), (cmds, cuts) => {
      const result = parseIncrementally(split(encoded(cmds), cuts));
      assert.equal(result.error, false);
      assert.deepEqual(result.commands, cmds);
    }),
    PARAMS,
  );
});

Deno.test("RESP port: hostile input gets well-formed replies or a close, and the server lives on", async () => {
  await using server = await startTestServer({ protocols: ["redis"] });
  const port = server.ports.redis;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(noise, mutated(requests.map(encoded))),
      fc.array(fc.nat(), { maxLength: 4 }),
      async (bytes, cuts) => {
        const reply = await sendAndDrain(port, split(bytes, cuts));
        const { used } = decodeReplies(reply);
        assert.equal(used, reply.length, "every reply byte belongs to a complete RESP reply");
      },
    ),
    { ...PARAMS, numRuns: Math.max(20, Math.floor(PARAMS.numRuns / 5)) },
  );
  using client = await RespClient.connect(port);
  assert.equal(replyText(await client.call("PING")), "PONG");
});
