/**
 * The RESP codec in one import: the request parser (client → server), the reply encoder
 * (server → client, RESP2/RESP3) and the reply decoder (tests and benchmark clients).
 * @module
 */
export * from "./request_parser.ts";
export * from "./reply_encoder.ts";
