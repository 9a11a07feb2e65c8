/** Byte-array helpers every layer uses: equality, joining and short Latin-1 text. */

/** Equal contents (returns at the first difference: not for secrets, see auth.ts). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `parts` joined into one array of `total` bytes (their summed length). */
export function concatBytes(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const latin1 = new TextDecoder("latin1");
/** Up to this many bytes are turned into text in JS: TextDecoder's call costs ~0.6 µs each. */
const SHORT_TEXT = 64;

/** Bytes as a Latin-1 string (one char per byte): numbers, option words, channel names. */
export function latin1Text(bytes: Uint8Array): string {
  if (bytes.length > SHORT_TEXT) return latin1.decode(bytes);
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return text;
}
