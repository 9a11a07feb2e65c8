/**
 * Waiting for background work (the TTL sweeper) without timing assertions: poll a reading
 * until it settles on the expected value, then hand back the last reading to assert on.
 * @module
 */
import { isDeepStrictEqual } from "node:util";

/** Longest a poll waits before giving up (a bound, not an assertion: the caller asserts). */
const POLL_LIMIT_MS = 30_000;
const POLL_STEP_MS = 20;

/** Read `read()` until it equals `want` (or the bound passes); returns the last reading. */
export async function settle<T>(read: () => Promise<T>, want: T): Promise<T> {
  const stop = Date.now() + POLL_LIMIT_MS;
  let got = await read();
  while (!isDeepStrictEqual(got, want) && Date.now() < stop) {
    await new Promise((r) => setTimeout(r, POLL_STEP_MS));
    got = await read();
  }
  return got;
}
