/**
 * The shared authentication layer: one password (from --password / BASEKV_PASSWORD) that every
 * protocol checks in its own wire form (Redis AUTH, memcached SASL/text auth, DynamoDB keys),
 * and the constant-time comparisons every secret check goes through.
 * @module
 */
import { sha256 } from "./sha256.ts";

/** Equal bytes, compared in time that does not depend on where they differ. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Equal secrets, compared through their SHA-256 digests so neither where they differ nor the
 * right secret's length shows in the time taken.
 */
export function sameSecret(given: Uint8Array | string, expected: Uint8Array | string): boolean {
  return constantTimeEqual(sha256(given), sha256(expected));
}

/** Answers whether credentials are required and whether a given pair is right. */
export class Auth {
  #password: string | null;

  constructor(password: string | null) {
    this.#password = password;
  }

  /** True when clients must authenticate before anything else. */
  get required(): boolean {
    return this.#password !== null;
  }

  /** The configured secret (for protocols that sign with it, like SigV4); null when none. */
  get secret(): string | null {
    return this.#password;
  }

  /**
   * True when `password` is right. Any user name is accepted (Redis's "default" user, the
   * memcached SASL user): there is one password, as with Redis's requirepass.
   */
  verify(password: string | Uint8Array): boolean {
    if (this.#password === null) return true;
    return sameSecret(password, this.#password);
  }
}
