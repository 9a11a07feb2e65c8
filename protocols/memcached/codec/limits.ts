/**
 * Wire limits both codecs and the handlers check at the boundary (memcached 1.6.18's), and the
 * byte that tells a binary connection from a text one (the loop checks it before the binary
 * codec is loaded).
 */

/** A binary request's magic byte: a connection whose first byte it is speaks binary. */
export const REQUEST_MAGIC = 0x80;

/** Longest key, in bytes (KEY_MAX_LENGTH). */
export const KEY_MAX = 250;
