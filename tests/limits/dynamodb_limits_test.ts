/**
 * DynamoDB's HTTP limits: the 16 MiB body (413 as AWS answers it), the header limits of Deno's
 * HTTP layer, and the request timeout for a body that trickles in.
 * @module
 */
import assert from "node:assert/strict";
import { RawClient } from "../helpers/net.ts";
import { startTestServer } from "../helpers/server.ts";

Deno.test("dynamodb: a body over 16 MiB answers 413 RequestEntityTooLarge", async () => {
  await using s = await startTestServer({ protocols: ["dynamodb"] });
  const res = await fetch(`http://127.0.0.1:${s.ports.http}/`, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": "DynamoDB_20120810.ListTables",
    },
    body: new Uint8Array(16 * 1024 * 1024 + 1),
  });
  assert.equal(res.status, 413);
  assert.match(await res.text(), /RequestEntityTooLarge/);
});

Deno.test({
  name: "dynamodb: oversized headers are refused by the HTTP layer, the server lives on",
  // Deno.serve's answers; node:http's (a connection cap) are in dynamodb_connections_test.ts.
  ignore: Deno.env.get("BASEKV_DYNAMODB_MAX_CONNECTIONS") !== undefined,
}, async () => {
  await using s = await startTestServer({ protocols: ["dynamodb"] });
  using big = await RawClient.connect(s.ports.http);
  await big.send(`POST / HTTP/1.1\r\nhost: a\r\nx-big: ${"x".repeat(80 * 1024)}\r\n\r\n`);
  assert.match(await big.readText("\r\n"), /^HTTP\/1.1 400 /);
  using many = await RawClient.connect(s.ports.http);
  const headers = Array.from({ length: 200 }, (_, i) => `x-h${i}: v\r\n`).join("");
  await many.send(`POST / HTTP/1.1\r\nhost: a\r\n${headers}\r\n`);
  assert.match(await many.readText("\r\n"), /^HTTP\/1.1 400 /);
  const ok = await fetch(`http://127.0.0.1:${s.ports.http}/`);
  assert.equal(ok.status, 200);
  await ok.text();
});

Deno.test("dynamodb: a body trickling in past the request timeout answers 408 and closes", async () => {
  await using s = await startTestServer({ protocols: ["dynamodb"], requestTimeoutMs: 1000 });
  using c = await RawClient.connect(s.ports.http);
  await c.send(
    "POST / HTTP/1.1\r\nhost: a\r\ncontent-type: application/x-amz-json-1.0\r\n" +
      "x-amz-target: DynamoDB_20120810.ListTables\r\ncontent-length: 100\r\n\r\n{",
  );
  let got = "";
  for (let i = 0; i < 40 && !got; i++) {
    await c.send(" ").catch(() => {});
    got = new TextDecoder().decode(
      await c.readUntil((b) => b.indexOf(10), 200).catch(() => new Uint8Array()),
    );
  }
  assert.match(got, /^HTTP\/1.1 408 /);
});
