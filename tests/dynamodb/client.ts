/**
 * Test helpers for the DynamoDB service: a started in-process server with an AWS SDK v3
 * client (and DocumentClient) pointed at it, plus a raw JSON request helper.
 * @module
 */
import {
  CreateTableCommand,
  DynamoDBClient,
  type ScalarAttributeType,
} from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { startTestServer, type TestServer } from "../helpers/server.ts";
import type { Config } from "../../src/config.ts";

/**
 * Headers of a well-formed SigV4 signature that no secret produced: DynamoDB refuses unsigned
 * requests, and without a password basekv checks only the signature's shape.
 */
export const DUMMY_SIGNATURE: Record<string, string> = {
  "x-amz-date": "20260101T000000Z",
  authorization: "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/dynamodb/aws4_request, " +
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64),
};

/** A running server with SDK clients; dispose it with `await using`. */
export interface DynamoFixture extends AsyncDisposable {
  server: TestServer;
  port: number;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  streams: DynamoDBStreamsClient;
  /** Run the TTL sweeper now (basekv's admin route); resolves to the items it deleted. */
  sweepTtl(): Promise<number>;
  /**
   * POST a raw JSON body for `target` with a dummy signature, returning status, headers and
   * parsed body.
   */
  raw(
    target: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
}

/** An SDK client for a port with fake credentials. */
export function sdkClient(port: number, secret = "fake"): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: secret },
    maxAttempts: 1,
  });
}

/** Start basekv with only DynamoDB and return SDK clients for it. */
export async function startDynamo(overrides: Partial<Config> = {}): Promise<DynamoFixture> {
  const server = await startTestServer({ protocols: ["dynamodb"], ...overrides });
  const port = server.ports.http;
  const client = sdkClient(port);
  const doc = DynamoDBDocumentClient.from(client);
  const streams = new DynamoDBStreamsClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "fake" },
    maxAttempts: 1,
  });
  return {
    server,
    port,
    client,
    doc,
    streams,
    async sweepTtl() {
      const res = await fetch(`http://127.0.0.1:${port}/_basekv/dynamodb/ttl-sweep`, {
        method: "POST",
      });
      return (await res.json()).ExpiredItems;
    },
    async raw(target, body, headers = {}) {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `DynamoDB_20120810.${target}`,
          ...DUMMY_SIGNATURE,
          ...headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
    },
    async [Symbol.asyncDispose]() {
      client.destroy();
      streams.destroy();
      await server[Symbol.asyncDispose]();
    },
  };
}

/** Capture the error a promise rejects with (fails when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: unknown }> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the request to fail");
}

/**
 * Create an on-demand table keyed by `keys` (attribute name to type, hash key first, then the
 * optional range key).
 */
export async function createTable(
  f: Pick<DynamoFixture, "client">,
  name: string,
  keys: Record<string, ScalarAttributeType>,
): Promise<void> {
  const names = Object.keys(keys);
  await f.client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: names.map((n, i) => ({ AttributeName: n, KeyType: i === 0 ? "HASH" : "RANGE" })),
      AttributeDefinitions: names.map((n) => ({ AttributeName: n, AttributeType: keys[n] })),
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
}
