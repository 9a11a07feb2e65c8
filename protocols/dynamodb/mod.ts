/**
 * The DynamoDB HTTP front-end (stub until the DynamoDB issue lands): answers ListTables.
 * @module
 */
import type { Service } from "../../src/server.ts";
import { listenError } from "../../src/tcp.ts";

/** The DynamoDB service. */
export const dynamodbService: Service = {
  name: "dynamodb",
  start(_ctx, listen) {
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
              close: () => server.shutdown(),
            }),
        }, (req) => {
          const target = req.headers.get("x-amz-target") ?? "";
          if (req.method === "POST" && target.endsWith(".ListTables")) {
            return Response.json({ TableNames: [] }, {
              headers: { "content-type": "application/x-amz-json-1.0" },
            });
          }
          return Response.json({
            __type: "com.amazon.coral.service#UnknownOperationException",
          }, { status: 400 });
        });
      } catch (error) {
        reject(listenError("dynamodb", listen.hostname, listen.port, error));
      }
    });
  },
};
