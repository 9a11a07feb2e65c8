/**
 * The DynamoDB service: an HTTP endpoint (Deno.serve) speaking DynamoDB's JSON 1.0 API over
 * the store's `dynamodb` namespace.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";
import { createHandler } from "./server.ts";
import type { OperationContext } from "./context.ts";
import { clearTables, exportDynamo, itemPrefixes, seedDynamo, tableFilter } from "./fixtures.ts";

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
    const handler = createHandler(ctx, background);
    const opCtx: OperationContext = {
      store: ctx.store,
      region: "us-east-1",
      log: ctx.log,
      background,
    };
    const admin = {
      seed: (section: unknown, path: string, part?: { param: string; value: string }) =>
        seedDynamo(
          opCtx,
          section,
          path,
          part ? tableFilter(part.param, part.value) ?? undefined : undefined,
        ),
      exportFixture: () => exportDynamo(opCtx),
      async resetPart(param: string, value: string) {
        const only = tableFilter(param, value);
        if (only === null) return false;
        await clearTables(ctx.store, only);
        return true;
      },
      partPrefixes(param: string, value: string) {
        const only = tableFilter(param, value);
        return only === null ? Promise.resolve(null) : itemPrefixes(ctx.store, only);
      },
    };
    return new Promise((resolve, reject) => {
      let server: Deno.HttpServer<Deno.NetAddr>;
      try {
        server = Deno.serve({
          hostname: listen.hostname,
          port: listen.port,
          onListen: (addr) =>
            resolve({
              ...admin,
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
