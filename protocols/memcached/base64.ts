/** Strict base64 decoding for meta `b` keys (null when the text is not valid base64). */
import { latin1Text } from "../../src/bytes.ts";

const ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decode standard base64; null when malformed. */
export function decodeBase64(token: Uint8Array): Uint8Array | null {
  const s = latin1Text(token);
  if (s.length % 4 !== 0 || !ALPHABET.test(s)) return null;
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
