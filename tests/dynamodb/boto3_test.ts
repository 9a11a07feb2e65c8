/**
 * Debian's boto3 (python3-boto3 1.26 with botocore 1.29, what Python CI jobs on bookworm use)
 * against basekv's DynamoDB API: tests/dynamodb/boto3_client.py drives the client and resource
 * APIs (waiters, paginators, conditions, Decimal numbers, batch_writer, transactions, PartiQL,
 * errors) and prints OK or every failed check; the test fails with that output.
 * @module
 */
import assert from "node:assert/strict";
import { startDynamo } from "./client.ts";
import { PYTHON } from "../helpers/python.ts";

const SCRIPT = new URL("./boto3_client.py", import.meta.url).pathname;

Deno.test("boto3: tables, waiters, items with conditions, Decimal, batches, paginators, transactions, PartiQL, errors", async () => {
  await using f = await startDynamo();
  const out = await new Deno.Command(PYTHON, {
    args: [SCRIPT, String(f.port)],
    // No AWS profile, proxy or retry settings of the machine change what the script sends.
    env: { AWS_CONFIG_FILE: "/dev/null", AWS_SHARED_CREDENTIALS_FILE: "/dev/null", NO_PROXY: "*" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal((dec.decode(out.stdout) + dec.decode(out.stderr)).trim(), "OK");
});
