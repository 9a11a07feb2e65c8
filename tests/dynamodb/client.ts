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
import { startTestServer, type TestServer } from "../helpers/server.ts";
import type { Config } from "../../src/config.ts";

/** A running server with SDK clients; dispose it with `await using`. */
export interface DynamoFixture extends AsyncDisposable {
  server: TestServer;
  port: number;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** POST a raw JSON body for `target`, returning status, headers and parsed body. */
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
  return {
    server,
    port,
    client,
    doc,
    async raw(target, body, headers = {}) {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": `DynamoDB_20120810.${target}`,
          ...headers,
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
    },
    async [Symbol.asyncDispose]() {
      client.destroy();
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
