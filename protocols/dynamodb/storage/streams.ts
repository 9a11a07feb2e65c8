/**
 * DynamoDB Streams records: written in the same write unit as the item change they describe,
 * so they are durable with it and numbered in commit order (a per-table counter), kept 24
 * hours like DynamoDB's. One shard per stream.
 * @module
 */
import type { Key, WriteTx } from "../../../src/store/mod.ts";
import type { Item } from "../attribute_value.ts";
import type { TableRecord } from "./tables.ts";
import { itemSize } from "../types.ts";

/** How long records stay readable, DynamoDB's 24 hours. */
export const RECORD_RETENTION_MS = 24 * 3600 * 1000;
/** Digits of a sequence number (zero-padded, so byte order is numeric order). */
export const SEQUENCE_DIGITS = 21;

/** Store key of a stream's records: [stream, tableId, label, sequence]. */
export function recordsPrefix(table: TableRecord, label: string): Deno.KvKeyPart[] {
  return ["stream", table.id, label];
}

/** Store key of the per-table sequence counter. */
export function counterKey(table: TableRecord): Deno.KvKeyPart[] {
  return ["streamseq", table.id];
}

/**
 * Take the next number of a per-table counter inside a write unit (stream records, the PITR
 * change log): numbers follow commit order because the unit reads and writes the counter.
 */
export async function nextSequence(tx: WriteTx, key: Key): Promise<number> {
  const counter = await tx.get<number>(key);
  const seq = (counter?.meta ?? 0) + 1;
  tx.set(key, { meta: seq });
  return seq;
}

/** A sequence number as DynamoDB prints it. */
export function sequenceText(n: number): string {
  return String(n).padStart(SEQUENCE_DIGITS, "0");
}

/** The ARN of a table's stream. */
export function streamArn(table: TableRecord, label = table.streamLabel ?? ""): string {
  return `${table.arn}/stream/${label}`;
}

/** A table's earlier streams whose records may still be kept (labelled in the last 24 h). */
export function livePastStreams(table: TableRecord): NonNullable<TableRecord["pastStreams"]> {
  const since = Date.now() - RECORD_RETENTION_MS;
  return (table.pastStreams ?? []).filter((s) => Date.parse(`${s.label}Z`) >= since);
}

/** One stream of a table: its label, view type and whether it still takes records. */
export interface StreamInfo {
  label: string;
  viewType?: string;
  enabled: boolean;
}

/** Every stream of a table still readable: earlier ones first, then the latest. */
export function streamsOf(table: TableRecord): StreamInfo[] {
  const out: StreamInfo[] = livePastStreams(table).map((s) => ({ ...s, enabled: false }));
  if (table.streamLabel) {
    out.push({
      label: table.streamLabel,
      viewType: table.stream?.StreamViewType,
      enabled: table.stream?.StreamEnabled === true,
    });
  }
  return out;
}

/** The one shard id of a stream. */
export function shardId(label: string): string {
  return `shardId-00000001-${label.replace(/\D/g, "").slice(0, 13).padEnd(13, "0")}`;
}

/**
 * The `userIdentity` of a record written by a TTL deletion, in the Streams API's member names
 * (Lambda's event shows the same as `{type, principalId}`).
 */
const TTL_IDENTITY = { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" };

function eventId(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(16)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

/**
 * Stage the stream record for one item change, when the table's stream is on. `table` is the
 * record read inside the same unit, so the stream setting is current.
 */
export async function recordChange(
  tx: WriteTx,
  table: TableRecord,
  change: { keys: Item; old: Item | null; current: Item | null; byService?: boolean },
): Promise<void> {
  const stream = table.stream;
  if (!stream?.StreamEnabled || !table.streamLabel) return;
  if (change.old === null && change.current === null) return;
  const seq = await nextSequence(tx, counterKey(table));
  const view = stream.StreamViewType ?? "NEW_AND_OLD_IMAGES";
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: Math.floor(tx.now / 1000),
    Keys: change.keys,
  };
  if (change.current && (view === "NEW_IMAGE" || view === "NEW_AND_OLD_IMAGES")) {
    dynamodb.NewImage = change.current;
  }
  if (change.old && (view === "OLD_IMAGE" || view === "NEW_AND_OLD_IMAGES")) {
    dynamodb.OldImage = change.old;
  }
  dynamodb.SequenceNumber = sequenceText(seq);
  dynamodb.SizeBytes = itemSize(change.keys) +
    (dynamodb.NewImage ? itemSize(change.current!) : 0) +
    (dynamodb.OldImage ? itemSize(change.old!) : 0);
  dynamodb.StreamViewType = view;
  const record = {
    eventID: eventId(),
    eventName: change.old === null ? "INSERT" : change.current === null ? "REMOVE" : "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: table.arn.split(":")[3],
    dynamodb,
    // What Lambda filters on to tell TTL deletions from user deletes.
    ...(change.byService ? { userIdentity: TTL_IDENTITY } : {}),
  };
  tx.set([...recordsPrefix(table, table.streamLabel), sequenceText(seq)], {
    data: new TextEncoder().encode(JSON.stringify(record)),
    expiresAt: tx.now + RECORD_RETENTION_MS,
  });
}
