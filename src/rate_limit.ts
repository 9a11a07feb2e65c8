/**
 * The shared rate limiter: a token bucket per client (by remote address), refilled at
 * --rate-limit requests per second with one second of burst. Off when the rate is 0.
 * @module
 */

interface Bucket {
  tokens: number;
  at: number;
}

/** Forget idle clients' buckets after this long. */
const IDLE_MS = 60_000;

/** Per-client token buckets. */
export class RateLimiter {
  #rate: number;
  #buckets = new Map<string, Bucket>();
  #lastPrune = 0;

  constructor(requestsPerSecond: number) {
    this.#rate = requestsPerSecond;
  }

  /** True when limiting is on. */
  get enabled(): boolean {
    return this.#rate > 0;
  }

  /** Take `n` requests' worth for `client`; false when the client is over its rate. */
  take(client: string, n = 1, now = performance.now()): boolean {
    if (this.#rate <= 0) return true;
    let bucket = this.#buckets.get(client);
    if (!bucket) {
      bucket = { tokens: this.#rate, at: now };
      this.#buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.#rate, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    if (now - this.#lastPrune > IDLE_MS) this.#prune(now);
    if (bucket.tokens < n) return false;
    bucket.tokens -= n;
    return true;
  }

  #prune(now: number): void {
    this.#lastPrune = now;
    for (const [client, bucket] of this.#buckets) {
      if (now - bucket.at > IDLE_MS) this.#buckets.delete(client);
    }
  }
}
