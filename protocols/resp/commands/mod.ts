/**
 * Every command family the RESP server knows, in COMMAND's order. A new family is one line
 * here: its file exports `COMMANDS`, a plain table of top-level handlers.
 * @module
 */
import type { CommandFamily } from "../command_table.ts";
import { COMMANDS as ADMIN } from "./admin.ts";
import { COMMANDS as CLIENT } from "./client.ts";
import { COMMANDS as COMMAND } from "./command_info.ts";
import { COMMANDS as CONFIG } from "./config.ts";
import { COMMANDS as CONNECTION } from "./connection.ts";
import { COMMANDS as GEO } from "./geo.ts";
import { COMMANDS as HASHES } from "./hashes.ts";
import { COMMANDS as INFO } from "./info.ts";
import { COMMANDS as KEYS } from "./keys.ts";
import { COMMANDS as REPLICATION } from "./replication.ts";
import { COMMANDS as SORTED_SETS } from "./sorted_sets.ts";
import { COMMANDS as STRINGS } from "./strings.ts";

/** Each family with the COMMAND DOCS group its commands belong to. */
export const FAMILIES: readonly CommandFamily[] = [
  { group: "connection", commands: CONNECTION },
  { group: "connection", commands: CLIENT },
  { group: "server", commands: REPLICATION },
  { group: "server", commands: INFO },
  { group: "server", commands: COMMAND },
  { group: "server", commands: CONFIG },
  { group: "server", commands: ADMIN },
  { group: "string", commands: STRINGS },
  { group: "generic", commands: KEYS },
  { group: "hash", commands: HASHES },
  { group: "sorted-set", commands: SORTED_SETS },
  { group: "geo", commands: GEO },
];
