/**
 * The DynamoDB service: an HTTP endpoint (Deno.serve) speaking DynamoDB's JSON 1.0 API over
 * the store's `dynamodb` namespace.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";
import { createHandler } from "./server.ts";
import { countTables } from "./storage/tables.ts";

/** The DynamoDB service. */
export const dynamodbService: Service = {
  name: "dynamodb",
  port: { flag: "http-port", default: 8000, help: "DynamoDB HTTP port" },
  start(ctx, listen) {
    const pending = new Set<Promise<unknown>>();
    function background(task: Promise<unknown>) {
      const tracked = task.catch((error) =>
        ctx.log.error(`dynamodb background task failed: ${error}`)
      ).finally(() => pending.delete(tracked));
      pending.add(tracked);
    }
    // DescribeTable's ItemCount and sizes read counters kept in the same commits as the items.
    countTables(ctx.store);
    const handler = createHandler(ctx, background);
    return new Promise((resolve, reject) => {
      let server: Deno.HttpServer<Deno.NetAddr>;
      try {
        server = Deno.serve({
          hostname: listen.hostname,
          port: listen.port,
          onListen: (addr) =>
            resolve({
              address: `http://${listen.hostname}:${addr.port}`,
              port: addr.port,
              close: async () => {
                await server.shutdown();
                await Promise.all(pending);
              },
            }),
        }, handler);
      } catch (error) {
        reject(listenError("dynamodb", listen.hostname, listen.port, error));
      }
    });
  },
};
