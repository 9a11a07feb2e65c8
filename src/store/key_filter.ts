/**
 * The sole writer's existence filter: a scalable Bloom filter over key ids, so a read of a key
 * that was never stored is answered "absent" without a SQLite read. It never says "absent" for
 * a stored key (no false negatives); deletions leave their bits set (a later miss just reads).
 * Its bit arrays have a byte budget, so its memory stays fixed whatever the key count: past it
 * the newest layer takes more keys than it was sized for, and more misses read SQLite.
 * @module
 */

/** Bits per key a layer is sized for; with {@link PROBES} probes ≈ 0.03 % false "maybe". */
const BITS_PER_KEY = 16;
/** Probes per key (double hashing). */
const PROBES = 8;
/** Keys the first layer holds; each next layer holds twice the previous one. */
const FIRST_LAYER_KEYS = 1 << 20;
/**
 * Bytes of bit arrays at most: layers of 2, 4, 8 and 16 MiB (30 MiB), sized for 15M keys at
 * {@link BITS_PER_KEY}. Past that the 16 MiB layer fills on: at 30M keys (23M of them in it,
 * 5.6 bits a key over 8 probes) it still rules out about 88 % of absent keys.
 */
export const FILTER_MAX_BYTES = 32 << 20;

/** Sizing of a filter (tests shrink it). */
export interface FilterLimits {
  firstLayerKeys: number;
  maxBytes: number;
}

/** Two independent 32-bit hashes of a string (FNV-1a and a multiplicative mix). */
function hashes(id: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0x85ebca6b);
  h2 ^= h2 >>> 16;
  return [h1 >>> 0, (h2 | 1) >>> 0];
}

/** A layer as saved: its sizing and its bit array. */
export interface LayerImage {
  capacity: number;
  count: number;
  bits: Uint32Array;
}

/** Bits of a layer for `capacity` keys: a power of two, so an index is a mask, not a modulo. */
function layerBits(capacity: number): number {
  let size = 1 << 20;
  while (size < capacity * BITS_PER_KEY) size *= 2;
  return size;
}

class Layer {
  readonly bits: Uint32Array;
  readonly mask: number;
  readonly capacity: number;
  count = 0;

  constructor(capacity: number, bits?: Uint32Array) {
    this.capacity = capacity;
    const size = layerBits(capacity);
    if (bits && bits.length !== size / 32) throw new Error("Filter image does not match its size");
    this.bits = bits ?? new Uint32Array(size / 32);
    this.mask = size - 1;
  }

  has(h1: number, h2: number): boolean {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      if ((this.bits[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }

  add(h1: number, h2: number): void {
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask;
      this.bits[bit >>> 5] |= 1 << (bit & 31);
    }
    this.count++;
  }
}

/** A Bloom filter that adds a layer twice the size whenever the newest one is full. */
export class KeyFilter {
  #layers: Layer[];
  #maxBytes: number;

  /** An empty filter, or one restored from {@link images}. */
  constructor(images?: readonly LayerImage[], limits: Partial<FilterLimits> = {}) {
    this.#maxBytes = limits.maxBytes ?? FILTER_MAX_BYTES;
    this.#layers = images && images.length > 0
      ? images.map((l) => Object.assign(new Layer(l.capacity, l.bits), { count: l.count }))
      : [new Layer(limits.firstLayerKeys ?? FIRST_LAYER_KEYS)];
  }

  /** The layers, to save (shared arrays: the filter must not change while they are written). */
  images(): LayerImage[] {
    return this.#layers.map((l) => ({ capacity: l.capacity, count: l.count, bits: l.bits }));
  }

  /** False only when `id` was never added. */
  mayHave(id: string): boolean {
    const [h1, h2] = hashes(id);
    for (const layer of this.#layers) if (layer.has(h1, h2)) return true;
    return false;
  }

  add(id: string): void {
    const [h1, h2] = hashes(id);
    for (const layer of this.#layers) if (layer.has(h1, h2)) return;
    let top = this.#layers[this.#layers.length - 1];
    if (
      top.count >= top.capacity && this.bytes + layerBits(top.capacity * 2) / 8 <= this.#maxBytes
    ) {
      top = new Layer(top.capacity * 2);
      this.#layers.push(top);
    }
    top.add(h1, h2);
  }

  /** Distinct keys added (approximately: a false "maybe" is not counted). */
  get count(): number {
    return this.#layers.reduce((n, l) => n + l.count, 0);
  }

  /** Bytes of bit arrays held. */
  get bytes(): number {
    return this.#layers.reduce((n, l) => n + l.bits.byteLength, 0);
  }
}
