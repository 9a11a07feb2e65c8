/**
 * The DynamoDB service: an HTTP endpoint (Deno.serve) speaking DynamoDB's JSON 1.0 API over
 * the store's `dynamodb` namespace.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";
import { createHandler } from "./server.ts";
import { startTtlSweeper, TTL_DELAY_FLAG } from "./ttl_sweeper.ts";

/** The DynamoDB service. */
export const dynamodbService: Service = {
  name: "dynamodb",
  port: { flag: "http-port", default: 8000, help: "DynamoDB HTTP port" },
  flags: {
    [TTL_DELAY_FLAG]: {
      default: "2",
      min: 0,
      help: "seconds an item past its TTL stays readable before deletion (0 = next sweep)",
    },
  },
  start(ctx, listen) {
    const pending = new Set<Promise<unknown>>();
    function background(task: Promise<unknown>) {
      const tracked = task.catch((error) =>
        ctx.log.error(`dynamodb background task failed: ${error}`)
      ).finally(() => pending.delete(tracked));
      pending.add(tracked);
    }
    const delay = Number(ctx.config.serviceFlags[TTL_DELAY_FLAG] ?? 2) * 1000;
    const ttl = startTtlSweeper(ctx.store, delay, ctx.log);
    const handler = createHandler(ctx, background, ttl);
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
                await ttl.stop();
                await Promise.all(pending);
              },
            }),
        }, handler);
      } catch (error) {
        ttl.stop();
        reject(listenError("dynamodb", listen.hostname, listen.port, error));
      }
    });
  },
};
