/** Every protocol service basekv can start, in start order. */
import type { Service } from "../src/server.ts";
import { redisService } from "./resp/mod.ts";
import { memcachedService } from "./memcached/mod.ts";
import { dynamodbService } from "./dynamodb/mod.ts";

export const SERVICES: readonly Service[] = [redisService, memcachedService, dynamodbService];
