/**
 * Parsing of expiry arguments shared by SET, SETEX, GETEX and the EXPIRE family, with Redis's
 * overflow rules and error texts.
 * @module
 */
import { parseInt64 } from "../numbers.ts";
import { fail } from "./common.ts";
import { DATA_ERRORS } from "../errors.ts";

/** How an expiry argument is expressed. */
export type ExpiryUnit = "EX" | "PX" | "EXAT" | "PXAT";

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The absolute deadline (ms) for SET-style options (getExpireMillisecondsOrReply): the value
 * must be a positive integer; `command` names the command in the error.
 */
export function setDeadline(
  arg: Uint8Array,
  unit: ExpiryUnit,
  now: number,
  command: string,
): number {
  const value = parseInt64(arg);
  if (value === null) fail(DATA_ERRORS.notInteger);
  const seconds = unit === "EX" || unit === "EXAT";
  if (value <= 0n || (seconds && value > INT64_MAX / 1000n)) {
    fail(DATA_ERRORS.invalidExpire(command));
  }
  let ms = seconds ? value * 1000n : value;
  if (unit === "EX" || unit === "PX") ms += BigInt(now);
  if (ms > INT64_MAX) fail(DATA_ERRORS.invalidExpire(command));
  return clampDeadline(ms);
}

/**
 * The absolute deadline (ms) for EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT (expireGenericCommand):
 * any integer, negative ones meaning "already expired".
 */
export function expireDeadline(
  arg: Uint8Array,
  unit: ExpiryUnit,
  now: number,
  command: string,
): number {
  const value = parseInt64(arg);
  if (value === null) fail(DATA_ERRORS.notInteger);
  const seconds = unit === "EX" || unit === "EXAT";
  const INT64_MIN = -(2n ** 63n);
  if (seconds && (value > INT64_MAX / 1000n || value < INT64_MIN / 1000n)) {
    fail(DATA_ERRORS.invalidExpire(command));
  }
  let ms = seconds ? value * 1000n : value;
  if (unit === "EX" || unit === "PX") {
    if (ms > INT64_MAX - BigInt(now)) fail(DATA_ERRORS.invalidExpire(command));
    ms += BigInt(now);
  }
  return clampDeadline(ms);
}

/**
 * A relative deadline computed at `from` moved to the command's own clock `now` (a script or
 * EXEC runs on one frozen clock, so SET EX then PTTL inside it reads the exact TTL back).
 * Deadlines clamped to the end of time stay there.
 */
export function rebaseDeadline(deadline: number, from: number, now: number): number {
  return deadline >= MAX_DEADLINE_MS ? deadline : deadline - from + now;
}

/** The latest deadline kept exactly: the largest JS Date (year 275760). */
const MAX_DEADLINE_MS = 8.64e15;

/** Deadlines beyond any clock are kept as {@link MAX_DEADLINE_MS}. */
function clampDeadline(ms: bigint): number {
  return ms > BigInt(MAX_DEADLINE_MS) ? MAX_DEADLINE_MS : Number(ms);
}
