/** Wire limits both codecs and the handlers check at the boundary (memcached 1.6.18's). */

/** Longest key, in bytes (KEY_MAX_LENGTH). */
export const KEY_MAX = 250;
