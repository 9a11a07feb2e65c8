/**
 * The RESP wire codec in one import, pure over bytes: the request parser (client → server) and
 * the reply encoder (server → client, RESP2/RESP3). The reply decoder is a test helper
 * (tests/resp/reply_decoder.ts).
 * @module
 */
export * from "./request_parser.ts";
export * from "./reply_encoder.ts";
