/**
 * `--aws-credentials`: only the listed access keys sign, each with its own secret; unknown keys,
 * wrong secrets and skewed clocks get DynamoDB's errors (AWS SDK v3 over a real socket).
 * @module
 */
import assert from "node:assert/strict";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { startDynamo } from "./client.ts";
import { testConfig } from "../helpers/server.ts";
import { parseCredentials } from "../../protocols/dynamodb/credentials.ts";

function client(port: number, id: string, secret: string, offsetMs = 0): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: id, secretAccessKey: secret },
    systemClockOffset: offsetMs,
    maxAttempts: 1,
  });
}

async function failure(
  p: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected a rejection");
}

Deno.test("credentials files: AWS INI profiles and KEY SECRET lines", () => {
  const ini = parseCredentials(
    "[default]\naws_access_key_id = AKIDONE\naws_secret_access_key = s1\nregion = x\n\n" +
      "; comment\n[other]\naws_secret_access_key=s2\naws_access_key_id=AKIDTWO\n",
  );
  assert.deepEqual([...ini], [["AKIDONE", "s1"], ["AKIDTWO", "s2"]]);
  assert.deepEqual([...parseCredentials("# keys\nAKID1 sec1\n  AKID2   sec2  \n")], [
    ["AKID1", "sec1"],
    ["AKID2", "sec2"],
  ]);
  assert.throws(() => parseCredentials("one two three\n"), /line 1/);
  assert.throws(() => parseCredentials("# nothing\n"), /no access key/);
});

Deno.test("--aws-credentials: right, wrong, unknown keys and a skewed clock", async () => {
  const file = await Deno.makeTempFile({ suffix: ".credentials" });
  await Deno.writeTextFile(file, "AKIDGOOD goodsecret\nAKIDOTHER othersecret\n");
  const base = testConfig().serviceFlags;
  await using f = await startDynamo({ serviceFlags: { ...base, "aws-credentials": file } });
  const clients: DynamoDBClient[] = [];
  const make = (id: string, secret: string, offset = 0) => {
    const c = client(f.port, id, secret, offset);
    clients.push(c);
    return c;
  };
  try {
    assert.deepEqual(
      (await make("AKIDGOOD", "goodsecret").send(new ListTablesCommand({}))).TableNames,
      [],
    );
    assert.deepEqual(
      (await make("AKIDOTHER", "othersecret").send(new ListTablesCommand({}))).TableNames,
      [],
    );
    const unknown = await failure(make("AKIDNOPE", "goodsecret").send(new ListTablesCommand({})));
    assert.deepEqual(unknown, {
      name: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
      status: 400,
    });
    const wrong = await failure(make("AKIDGOOD", "othersecret").send(new ListTablesCommand({})));
    assert.equal(wrong.name, "InvalidSignatureException");
    assert.equal(wrong.status, 400);
    assert.equal(
      wrong.message,
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. " +
        "Consult the service documentation for details.",
    );
    const late = await failure(
      make("AKIDGOOD", "goodsecret", -20 * 60 * 1000).send(new ListTablesCommand({})),
    );
    assert.equal(late.name, "InvalidSignatureException");
    assert.match(
      late.message,
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    const [, date, earliest, now] = /(\S+) is now earlier than (\S+) \((\S+)/.exec(late.message)!;
    const ms = (d: string) =>
      Date.UTC(
        +d.slice(0, 4),
        +d.slice(4, 6) - 1,
        +d.slice(6, 8),
        +d.slice(9, 11),
        +d.slice(11, 13),
        +d.slice(13, 15),
      );
    assert.equal(ms(now) - ms(earliest), 15 * 60 * 1000);
    assert.ok(ms(earliest) - ms(date) >= 4 * 60 * 1000);
    const early = await failure(
      make("AKIDGOOD", "goodsecret", 20 * 60 * 1000).send(new ListTablesCommand({})),
    );
    assert.equal(early.name, "InvalidSignatureException");
    assert.match(
      early.message,
      /^Signature not yet current: \S+ is still later than \S+ \(\S+ \+ 15 min\.\)$/,
    );
    // A skew inside the 15 minutes is accepted.
    assert.deepEqual(
      (await make("AKIDGOOD", "goodsecret", -10 * 60 * 1000).send(new ListTablesCommand({})))
        .TableNames,
      [],
    );
  } finally {
    for (const c of clients) c.destroy();
    await Deno.remove(file);
  }
});
