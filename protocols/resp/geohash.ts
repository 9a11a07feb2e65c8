/**
 * Redis's geo math (geohash.c, geohash_helper.c, geo.c): 52-bit interleaved geohash scores,
 * decoding to cell centres, haversine distances on Redis's earth radius, and the score ranges
 * that cover a search shape.
 * @module
 */
import { formatLongDouble } from "./long_double.ts";

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Bits per coordinate in a stored score. */
const STEP_MAX = 26;
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const D_R = Math.PI / 180;
const ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

/** A search shape: a circle (radius) or a box (width, height), all in metres. */
export interface GeoShape {
  lon: number;
  lat: number;
  radius?: number;
  width?: number;
  height?: number;
}

/** interleave64: x's bits at even positions, y's at odd ones. */
function interleave(x: number, y: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) {
    const bit = 2 ** i;
    if (Math.floor(x / bit) % 2) out += 2 ** (2 * i);
    if (Math.floor(y / bit) % 2) out += 2 ** (2 * i + 1);
  }
  return out;
}

/** deinterleave64: [even bits, odd bits]. */
function deinterleave(bits: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = 0; i < 32; i++) {
    if (Math.floor(bits / 2 ** (2 * i)) % 2) x += 2 ** i;
    if (Math.floor(bits / 2 ** (2 * i + 1)) % 2) y += 2 ** i;
  }
  return [x, y];
}

function encode(
  lon: number,
  lat: number,
  step: number,
  latMin = GEO_LAT_MIN,
  latMax = GEO_LAT_MAX,
): number {
  const latOffset = (lat - latMin) / (latMax - latMin) * 2 ** step;
  const lonOffset = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN) * 2 ** step;
  return interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0);
}

/** The 52-bit score GEOADD stores for a point. */
export function geoScore(lon: number, lat: number): number {
  return encode(lon, lat, STEP_MAX);
}

/** The centre of a score's cell, [longitude, latitude] (geohashDecodeToLongLatWGS84). */
export function decodeScore(score: number): [number, number] {
  const bits = score < 0 ? 0 : Math.min(Math.trunc(score), 2 ** 64 - 1);
  const [ilat, ilon] = deinterleave(bits);
  const cells = 2 ** STEP_MAX;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const latMin = GEO_LAT_MIN + (ilat * 1.0 / cells) * latScale;
  const latMax = GEO_LAT_MIN + ((ilat + 1) * 1.0 / cells) * latScale;
  const lonMin = GEO_LONG_MIN + (ilon * 1.0 / cells) * lonScale;
  const lonMax = GEO_LONG_MIN + ((ilon + 1) * 1.0 / cells) * lonScale;
  const lon = Math.min(GEO_LONG_MAX, Math.max(GEO_LONG_MIN, (lonMin + lonMax) / 2));
  const lat = Math.min(GEO_LAT_MAX, Math.max(GEO_LAT_MIN, (latMin + latMax) / 2));
  return [lon, lat];
}

/** GEOHASH's 11-character standard geohash of a stored score. */
export function geohashString(score: number): string {
  const [lon, lat] = decodeScore(score);
  const bits = encode(lon, lat, STEP_MAX, -90, 90);
  let out = "";
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Math.floor(bits / 2 ** (52 - (i + 1) * 5)) % 32;
    out += ALPHABET[idx];
  }
  return out;
}

function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);
}

/** Haversine distance in metres (geohashGetDistance). */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R;
  const lon2r = lon2 * D_R;
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** The distance from the shape's centre when (lon, lat) is inside it, else null. */
export function withinShape(shape: GeoShape, lon: number, lat: number): number | null {
  if (shape.radius !== undefined) {
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius ? null : d;
  }
  if (latDistance(lat, shape.lat) > shape.height! / 2) return null;
  if (distance(lon, lat, shape.lon, lat) > shape.width! / 2) return null;
  return distance(shape.lon, shape.lat, lon, lat);
}

/** A geohash cell: interleaved bits at a step (bits per coordinate); null = excluded. */
interface Cell {
  bits: bigint;
  step: number;
}

const ODD_BITS = 0xaaaaaaaaaaaaaaaan;
const EVEN_BITS = 0x5555555555555555n;
const MERCATOR_MAX = 20037726.37;

/** geohashEstimateStepsByRadius: the step whose cells are about the search radius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(STEP_MAX, Math.max(1, step));
}

/** geohashBoundingBox: [min lon, min lat, max lon, max lat] around the shape. */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const height = shape.radius ?? shape.height! / 2;
  const width = shape.radius ?? shape.width! / 2;
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_IN_METERS / Math.cos((shape.lat + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_IN_METERS /
    Math.cos((shape.lat - latDelta) * D_R) / D_R;
  const lonDelta = shape.lat < 0 ? lonDeltaBottom : lonDeltaTop;
  return [shape.lon - lonDelta, shape.lat - latDelta, shape.lon + lonDelta, shape.lat + latDelta];
}

function encodeCell(lon: number, lat: number, step: number): Cell {
  const latOffset = (lat - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN) * 2 ** step;
  const lonOffset = (lon - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN) * 2 ** step;
  return {
    bits: BigInt(interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0)),
    step,
  };
}

/** geohash_move_x / geohash_move_y: the cell `dx` east and `dy` north (wrapping around). */
function move(cell: Cell, dx: number, dy: number): Cell {
  const shift = BigInt(64 - cell.step * 2);
  let x = cell.bits & ODD_BITS;
  let y = cell.bits & EVEN_BITS;
  if (dx !== 0) {
    const zz = EVEN_BITS >> shift;
    x = dx > 0 ? x + (zz + 1n) : (x | zz) - (zz + 1n);
    x = BigInt.asUintN(64, x) & (ODD_BITS >> shift);
  }
  if (dy !== 0) {
    const zz = ODD_BITS >> shift;
    y = dy > 0 ? y + (zz + 1n) : (y | zz) - (zz + 1n);
    y = BigInt.asUintN(64, y) & (EVEN_BITS >> shift);
  }
  return { bits: x | y, step: cell.step };
}

/** geohashDecode: the cell's [min lon, min lat, max lon, max lat]. */
function cellArea(cell: Cell): [number, number, number, number] {
  const [ilat, ilon] = deinterleave(Number(cell.bits));
  const cells = 2 ** cell.step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  return [
    GEO_LONG_MIN + (ilon / cells) * lonScale,
    GEO_LAT_MIN + (ilat / cells) * latScale,
    GEO_LONG_MIN + ((ilon + 1) / cells) * lonScale,
    GEO_LAT_MIN + ((ilat + 1) / cells) * latScale,
  ];
}

/** The shape's cell and its eight neighbours, in membersOfAllNeighbors's order. */
function searchCells(shape: GeoShape): (Cell | null)[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radius = shape.radius ?? Math.sqrt((shape.width! / 2) ** 2 + (shape.height! / 2) ** 2);
  let steps = estimateSteps(radius, shape.lat);
  let cell = encodeCell(shape.lon, shape.lat, steps);
  // North, south, east, west, then north-east, north-west, south-east, south-west.
  const around = (c: Cell) =>
    [[0, 1], [0, -1], [1, 0], [-1, 0], [1, 1], [-1, 1], [1, -1], [-1, -1]].map(([dx, dy]) =>
      move(c, dx, dy)
    );
  let near = around(cell);
  // A step too fine for the edges of the box is made one coarser.
  const tooFine = cellArea(near[0])[3] < maxLat || cellArea(near[1])[1] > minLat ||
    cellArea(near[2])[2] < maxLon || cellArea(near[3])[0] > minLon;
  if (steps > 1 && tooFine) {
    steps--;
    cell = encodeCell(shape.lon, shape.lat, steps);
    near = around(cell);
  }
  const cells: (Cell | null)[] = [cell, ...near];
  if (steps >= 2) {
    // Neighbours beyond the search box are skipped.
    const [aMinLon, aMinLat, aMaxLon, aMaxLat] = cellArea(cell);
    const drop = (...which: number[]) => which.forEach((i) => (cells[i] = null));
    if (aMinLat < minLat) drop(2, 7, 8);
    if (aMaxLat > maxLat) drop(1, 5, 6);
    if (aMinLon < minLon) drop(4, 8, 6);
    if (aMaxLon > maxLon) drop(3, 7, 5);
  }
  return cells;
}

/**
 * The score ranges [from, to) Redis reads for a search, in its order (the shape's geohash cell,
 * then its neighbours; a neighbour equal to the one read before it is skipped, as Redis skips
 * it), so unsorted replies list members as Redis lists them.
 */
export function coveringRanges(shape: GeoShape): [number, number][] {
  const cells = searchCells(shape);
  const ranges: [number, number][] = [];
  let last = 0;
  cells.forEach((cell, i) => {
    if (!cell) return;
    const prev = cells[last];
    if (last && prev && prev.bits === cell.bits && prev.step === cell.step) return;
    const scale = 2 ** (2 * STEP_MAX - 2 * cell.step);
    ranges.push([Number(cell.bits) * scale, Number(cell.bits + 1n) * scale]);
    last = i;
  });
  return ranges;
}

/** A double's exact value printed as "%.17Lf" with trailing zeros trimmed (LD_STR_HUMAN). */
export function humanDouble(value: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const neg = hi >>> 31 === 1;
  const exp = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (exp !== 0) m |= 1n << 52n;
  const e = (exp === 0 ? 1 : exp) - 1075;
  return formatLongDouble({ neg, m, e });
}
