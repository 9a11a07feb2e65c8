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

/**
 * Score ranges [from, to) whose cells cover the shape's bounding box: a few cells of the
 * finest step at which the box spans at most two cells each way.
 */
export function coveringRanges(shape: GeoShape): [number, number][] {
  const halfHeight = shape.radius ?? shape.height! / 2;
  const halfWidth = shape.radius ?? shape.width! / 2;
  const latDelta = halfHeight / EARTH_RADIUS_IN_METERS / D_R;
  const cosEdge = Math.min(
    Math.cos((shape.lat + latDelta) * D_R),
    Math.cos((shape.lat - latDelta) * D_R),
  );
  const lonDelta = cosEdge > 0 ? halfWidth / EARTH_RADIUS_IN_METERS / cosEdge / D_R : 360;
  const latLo = Math.max(GEO_LAT_MIN, shape.lat - latDelta);
  const latHi = Math.min(GEO_LAT_MAX, shape.lat + latDelta);
  // Longitudes past ±180 wrap around: cover those parts too.
  const lonSpans: [number, number][] = [];
  if (lonDelta * 2 >= 360) lonSpans.push([GEO_LONG_MIN, GEO_LONG_MAX]);
  else {
    const lo = shape.lon - lonDelta;
    const hi = shape.lon + lonDelta;
    lonSpans.push([Math.max(lo, GEO_LONG_MIN), Math.min(hi, GEO_LONG_MAX)]);
    if (lo < GEO_LONG_MIN) lonSpans.push([lo + 360, GEO_LONG_MAX]);
    if (hi > GEO_LONG_MAX) lonSpans.push([GEO_LONG_MIN, hi - 360]);
  }
  const ranges: [number, number][] = [];
  for (const [lonLo, lonHi] of lonSpans) {
    let step = STEP_MAX;
    const latSpan = latHi - latLo;
    const lonSpan = lonHi - lonLo;
    while (
      step > 0 &&
      ((GEO_LAT_MAX - GEO_LAT_MIN) / 2 ** step < latSpan ||
        (GEO_LONG_MAX - GEO_LONG_MIN) / 2 ** step < lonSpan)
    ) step--;
    const cells = 2 ** step;
    const cell = (v: number, min: number, max: number) =>
      Math.min(cells - 1, Math.max(0, Math.floor((v - min) / (max - min) * cells)));
    const shift = 2 ** (2 * (STEP_MAX - step));
    for (
      let y = cell(latLo, GEO_LAT_MIN, GEO_LAT_MAX);
      y <= cell(latHi, GEO_LAT_MIN, GEO_LAT_MAX);
      y++
    ) {
      for (
        let x = cell(lonLo, GEO_LONG_MIN, GEO_LONG_MAX);
        x <= cell(lonHi, GEO_LONG_MIN, GEO_LONG_MAX);
        x++
      ) {
        const base = interleave(y, x) * shift;
        ranges.push([base, base + shift]);
      }
    }
  }
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
