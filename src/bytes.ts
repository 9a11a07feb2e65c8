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

/** Bytes per String.fromCharCode call for long text (under engines' argument limits). */
const TEXT_CHUNK = 0x2000;
/** Up to this many bytes a loop of one-char appends beats an `apply` call (measured, Deno 2.9). */
const LOOP_MAX = 8;

/**
 * Bytes as a Latin-1 string, one char per byte, every byte kept (WHATWG's "latin1" decoder is
 * windows-1252, which turns 0x80-0x9f into other chars); also cheaper than TextDecoder's call
 * (~0.6 µs) for the short texts this makes: key ids, numbers, option words, channel names.
 */
export function latin1Text(bytes: Uint8Array): string {
  let text = "";
  if (bytes.length <= LOOP_MAX) {
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return text;
  }
  for (let i = 0; i < bytes.length; i += TEXT_CHUNK) {
    // apply, not a spread: no iterator protocol per byte.
    text += String.fromCharCode.apply(
      null,
      bytes.subarray(i, i + TEXT_CHUNK) as unknown as number[],
    );
  }
  return text;
}

/** The bytes of a {@link latin1Text} string (one byte per char, as `charCodeAt & 0xff`). */
export function latin1Bytes(text: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
