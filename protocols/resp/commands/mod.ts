/**
 * Every command family the RESP server knows, in COMMAND's order. A new family is one line
 * here: its file exports `COMMANDS`, a plain table of top-level handlers.
 * @module
 */
import type { CommandFamily } from "../command_table.ts";
import { COMMANDS as ACL } from "./acl.ts";
import { COMMANDS as ADMIN } from "./admin.ts";
import { COMMANDS as BLOCKING_LISTS } from "./blocking_lists.ts";
import { COMMANDS as BLOCKING_SORTED_SETS } from "./blocking_sorted_sets.ts";
import { COMMANDS as BITMAPS } from "./bitmaps.ts";
import { COMMANDS as CLIENT } from "./client.ts";
import { COMMANDS as COMMAND } from "./command_info.ts";
import { COMMANDS as CONFIG } from "./config.ts";
import { COMMANDS as CONNECTION } from "./connection.ts";
import { COMMANDS as DUMP } from "./dump.ts";
import { COMMANDS as GEO } from "./geo.ts";
import { COMMANDS as HASHES } from "./hashes.ts";
import { COMMANDS as HYPERLOGLOG } from "./hyperloglog.ts";
import { COMMANDS as INFO } from "./info.ts";
import { COMMANDS as KEYS } from "./keys.ts";
import { COMMANDS as LISTS } from "./lists.ts";
import { COMMANDS as REPLICATION } from "./replication.ts";
import { COMMANDS as PUBSUB } from "./pubsub.ts";
import { COMMANDS as SCAN } from "./scan.ts";
import { COMMANDS as SCRIPTING } from "./scripting.ts";
import { COMMANDS as SETS } from "./sets.ts";
import { COMMANDS as SORT } from "./sort.ts";
import { COMMANDS as SORTED_SETS } from "./sorted_sets.ts";
import { COMMANDS as STREAMS } from "./streams.ts";
import { COMMANDS as STREAM_GROUPS } from "./stream_groups.ts";
import { COMMANDS as STREAM_INFO } from "./stream_info.ts";
import { COMMANDS as STRINGS } from "./strings.ts";
import { COMMANDS as TRANSACTIONS } from "./transactions.ts";

/** Each family with the COMMAND DOCS group its commands belong to. */
export const FAMILIES: readonly CommandFamily[] = [
  { group: "connection", commands: CONNECTION },
  { group: "connection", commands: CLIENT },
  { group: "server", commands: REPLICATION },
  { group: "server", commands: INFO },
  { group: "server", commands: COMMAND },
  { group: "server", commands: CONFIG },
  { group: "server", commands: ADMIN },
  { group: "server", commands: ACL },
  { group: "string", commands: STRINGS },
  { group: "generic", commands: KEYS },
  { group: "hash", commands: HASHES },
  { group: "list", commands: LISTS },
  { group: "list", commands: BLOCKING_LISTS },
  { group: "transactions", commands: TRANSACTIONS },
  { group: "pubsub", commands: PUBSUB },
  { group: "set", commands: SETS },
  { group: "generic", commands: SCAN },
  { group: "generic", commands: SORT },
  { group: "bitmap", commands: BITMAPS },
  { group: "hyperloglog", commands: HYPERLOGLOG },
  { group: "generic", commands: DUMP },
  { group: "sorted-set", commands: SORTED_SETS },
  { group: "sorted-set", commands: BLOCKING_SORTED_SETS },
  { group: "geo", commands: GEO },
  { group: "stream", commands: STREAMS },
  { group: "stream", commands: STREAM_GROUPS },
  { group: "stream", commands: STREAM_INFO },
  { group: "scripting", commands: SCRIPTING },
];
