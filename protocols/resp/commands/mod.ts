/**
 * Every command family the RESP server knows, in COMMAND's order. A new family is one line
 * here: its file exports `COMMANDS`, a plain table of top-level handlers. The families a
 * connection needs from its first command load at start; the others load on first use
 * (lazy_families.ts, whose declarations specs.ts holds).
 * @module
 */
import type { CommandFamily } from "../command_table.ts";
import { COMMANDS as CONNECTION } from "./connection.ts";
import { COMMANDS as INFO } from "./info.ts";
import { COMMANDS as TRANSACTIONS } from "./transactions.ts";
import { lazyFamily } from "./lazy.ts";
import { LAZY_FAMILIES, type LazyFamilyName } from "./lazy_families.ts";
import { SPECS } from "./specs.ts";

/** A family loaded on the first use of one of its commands. */
function lazy(group: string, name: LazyFamilyName): CommandFamily {
  return lazyFamily(group, name, SPECS[name], LAZY_FAMILIES[name]);
}

/**
 * Each family with the COMMAND DOCS group its commands belong to. A function: each table gets
 * its own lazy stubs (a family's handlers are grafted onto the table that loaded it).
 */
export function families(): CommandFamily[] {
  return [
    { group: "connection", commands: CONNECTION },
    lazy("connection", "client"),
    lazy("server", "replication"),
    { group: "server", commands: INFO },
    lazy("server", "command_info"),
    lazy("server", "config"),
    lazy("server", "admin"),
    lazy("server", "acl"),
    lazy("string", "strings"),
    lazy("generic", "keys"),
    lazy("hash", "hashes"),
    lazy("list", "lists"),
    lazy("list", "blocking_lists"),
    { group: "transactions", commands: TRANSACTIONS },
    lazy("pubsub", "pubsub"),
    lazy("set", "sets"),
    lazy("generic", "scan"),
    lazy("generic", "sort"),
    lazy("bitmap", "bitmaps"),
    lazy("hyperloglog", "hyperloglog"),
    lazy("generic", "dump"),
    lazy("sorted-set", "sorted_sets"),
    lazy("sorted-set", "blocking_sorted_sets"),
    lazy("geo", "geo"),
    lazy("stream", "streams"),
    lazy("stream", "stream_groups"),
    lazy("stream", "stream_info"),
    lazy("scripting", "scripting"),
  ];
}
