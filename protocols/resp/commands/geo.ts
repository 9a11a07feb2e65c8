/**
 * Redis geo commands (geo.c) on sorted sets whose scores are 52-bit geohashes: GEOADD goes
 * through ZADD, searches read only the score ranges covering their shape.
 * @module
 */
import type { WriteTx } from "../../../src/store/mod.ts";
import {
  command,
  type CommandContext,
  type CommandSpec,
  ONE_KEY as ONE,
  READONLY as R,
} from "../command.ts";
import {
  coveringRanges,
  decodeScore,
  distance,
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  geohashString,
  geoScore,
  type GeoShape,
  humanDouble,
  withinShape,
} from "../geohash.ts";
import { parseInt64 } from "../numbers.ts";
import { array, bulk, integer, NULL, NULL_ARRAY, type Reply } from "../reply.ts";
import { type Access, getKey, type KeyEntry } from "../storage/db.ts";
import { getScore, scoreRange, storeZset, type ZMember, type ZsetLimits } from "../storage/zset.ts";
import { zsetLimits } from "../encoding_limits.ts";
import { checkKey, fail, getTyped, notifyStored, option, readSlot, writeSlot } from "./common.ts";
import { ZSET } from "../notify.ts";
import { readScores, zaddGeneric } from "./sorted_sets.ts";
import { scoreArg } from "./zset_args.ts";
import { byScore } from "./zset_algebra.ts";
import { DATA_ERRORS } from "../errors.ts";

const encoder = new TextEncoder();

/** Geo error texts (geo.c), byte for byte. */
const GEO_ERRORS = {
  pair: (lon: number, lat: number) =>
    `ERR invalid longitude,latitude pair ${lon.toFixed(6)},${lat.toFixed(6)}`,
  unit: "ERR unsupported unit provided. please use M, KM, FT, MI",
  radius: "ERR need numeric radius",
  negativeRadius: "ERR radius cannot be negative",
  width: "ERR need numeric width",
  height: "ERR need numeric height",
  negativeBox: "ERR height or width cannot be negative",
  member: "ERR could not decode requested zset member",
  count: "ERR COUNT must be > 0",
  any: "ERR the ANY argument requires COUNT argument",
  storeWith: (what: string) =>
    `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
  from: (cmd: string) => `ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${cmd}`,
  by: (cmd: string) => `ERR exactly one of BYRADIUS and BYBOX can be specified for ${cmd}`,
} as const;

const UNITS: Record<string, number> = { M: 1, KM: 1000, FT: 0.3048, MI: 1609.34 };

function unitArg(arg: Uint8Array): number {
  const unit = UNITS[option(arg)];
  if (unit === undefined) fail(GEO_ERRORS.unit);
  return unit;
}

function lonLatArgs(lon: Uint8Array, lat: Uint8Array): [number, number] {
  const x = scoreArg(lon);
  const y = scoreArg(lat);
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    fail(GEO_ERRORS.pair(x, y));
  }
  return [x, y];
}

/** Coordinates as addReplyHumanLongDouble sends them. */
function coordReply(value: number): Reply {
  return { type: "double", value, text: humanDouble(value) };
}

/** A distance as addReplyDoubleDistance sends it: four decimals, always a bulk string. */
function distanceReply(metres: number): Reply {
  return bulk(metres.toFixed(4));
}

async function geoadd(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let at = 2;
  let nx = false;
  let xx = false;
  for (; at < argv.length; at++) {
    const opt = option(argv[at]);
    if (opt === "NX") nx = true;
    else if (opt === "XX") xx = true;
    else if (opt !== "CH") break;
  }
  if ((argv.length - at) % 3 !== 0 || (nx && xx)) fail(DATA_ERRORS.syntax);
  const zadd = argv.slice(0, at);
  for (let i = at; i < argv.length; i += 3) {
    const [lon, lat] = lonLatArgs(argv[i], argv[i + 1]);
    zadd.push(encoder.encode(String(geoScore(lon, lat))), argv[i + 2]);
  }
  return await zaddGeneric(ctx, zadd, false);
}

async function geodist(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  let unit = 1;
  if (argv.length === 5) unit = unitArg(argv[4]);
  else if (argv.length > 5) fail(DATA_ERRORS.syntax);
  const [a, b] = await readScores(ctx, argv[1], [argv[2], argv[3]]);
  if (a === null || b === null) return NULL;
  return distanceReply(distance(...decodeScore(a), ...decodeScore(b)) / unit);
}

async function geopos(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const scores = await readScores(ctx, argv[1], argv.slice(2));
  return array(scores.map((s) => {
    if (s === null) return NULL_ARRAY;
    const [lon, lat] = decodeScore(s);
    return array([coordReply(lon), coordReply(lat)]);
  }));
}

async function geohash(ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> {
  const scores = await readScores(ctx, argv[1], argv.slice(2));
  return array(scores.map((s) => (s === null ? NULL : bulk(geohashString(s)))));
}

/** Which search command is running (georadiusGeneric's flags). */
interface SearchKind {
  name: string;
  /** GEORADIUS: centre from coordinates; GEORADIUSBYMEMBER: from a member; GEOSEARCH: options. */
  from: "coords" | "member" | "search";
  store: boolean;
  readOnly: boolean;
}

interface SearchRequest {
  shape: GeoShape | null;
  /** Metres per requested unit. */
  unit: number;
  fromMember: Uint8Array | null;
  withDist: boolean;
  withHash: boolean;
  withCoord: boolean;
  sort: "none" | "asc" | "desc";
  any: boolean;
  count: number;
  storeKey: Uint8Array | null;
  storeDist: boolean;
}

interface Found {
  member: Uint8Array;
  score: number;
  dist: number;
  lon: number;
  lat: number;
}

/** The keyspace event of a search that stores: GEORADIUS* STORE share "georadiusstore". */
function storeEvent(kind: SearchKind): string {
  return kind.store ? kind.name : "georadiusstore";
}

/** Parse and run a search in one place (reader or write unit); the reply. */
async function search(
  r: Access,
  tx: WriteTx | null,
  slot: number,
  argv: Uint8Array[],
  kind: SearchKind,
  limits: ZsetLimits,
): Promise<Reply> {
  const srcAt = kind.name === "geosearchstore" ? 2 : 1;
  const source = await getTyped(r, slot, argv[srcAt], "zset");
  const req = await parseSearch(r, source, argv, kind);
  if (!source) {
    if (req.storeKey) {
      const old = await getKey(r, slot, req.storeKey);
      if (old && tx) {
        await storeZset(tx, slot, req.storeKey, old, []);
        notifyStored(tx, ZSET, storeEvent(kind), req.storeKey, 0, old);
      }
      return integer(0);
    }
    return array([]);
  }
  const shape = req.shape!;
  const found: Found[] = [];
  for (const [from, to] of coveringRanges(shape)) {
    const members = await scoreRange(r, source.meta!, {
      min: from,
      max: to,
      minex: false,
      maxex: true,
    });
    for (const m of members) {
      const [lon, lat] = decodeScore(m.score);
      const dist = withinShape(shape, lon, lat);
      if (dist === null) continue;
      found.push({ member: m.member, score: m.score, dist, lon, lat });
      if (req.any && found.length >= req.count) break;
    }
    if (req.any && found.length >= req.count) break;
  }
  let sort = req.sort;
  if (req.count !== 0 && sort === "none" && !req.any) sort = "asc";
  if (sort === "asc") found.sort((a, b) => a.dist - b.dist);
  if (sort === "desc") found.sort((a, b) => b.dist - a.dist);
  const picked = req.count === 0 ? found : found.slice(0, req.count);
  if (req.storeKey) {
    const members: ZMember[] = picked.map((f) => ({
      member: f.member,
      score: req.storeDist ? f.dist / req.unit : f.score,
    }));
    const old = await getKey(r, slot, req.storeKey);
    await storeZset(tx!, slot, req.storeKey, old, members.sort(byScore), limits);
    notifyStored(tx!, ZSET, storeEvent(kind), req.storeKey, members.length, old);
    return integer(picked.length);
  }
  return array(picked.map((f) => {
    const parts: Reply[] = [bulk(f.member)];
    if (req.withDist) parts.push(distanceReply(f.dist / req.unit));
    if (req.withHash) parts.push(integer(f.score));
    if (req.withCoord) parts.push(array([coordReply(f.lon), coordReply(f.lat)]));
    return parts.length === 1 ? parts[0] : array(parts);
  }));
}

/** The centre of a search from a member of the source set. */
async function memberCentre(r: Access, source: KeyEntry, member: Uint8Array) {
  const score = await getScore(r, source.meta!, member);
  if (score === null) fail(GEO_ERRORS.member);
  return decodeScore(score);
}

function radiusArgs(argv: Uint8Array[], at: number): [number, number] {
  const radius = scoreArg(argv[at], GEO_ERRORS.radius);
  if (radius < 0) fail(GEO_ERRORS.negativeRadius);
  return [radius, unitArg(argv[at + 1])];
}

async function parseSearch(
  r: Access,
  source: KeyEntry | null,
  argv: Uint8Array[],
  kind: SearchKind,
): Promise<SearchRequest> {
  const req: SearchRequest = {
    shape: null,
    unit: 1,
    fromMember: null,
    withDist: false,
    withHash: false,
    withCoord: false,
    sort: "none",
    any: false,
    count: 0,
    storeKey: null,
    storeDist: false,
  };
  let centre: [number, number] | null = null;
  let size: { radius?: number; width?: number; height?: number } = {};
  let base: number;
  if (kind.from === "coords") {
    base = 6;
    centre = lonLatArgs(argv[2], argv[3]);
    const [radius, unit] = radiusArgs(argv, 4);
    size = { radius };
    req.unit = unit;
  } else if (kind.from === "member") {
    base = 5;
    if (source) {
      centre = await memberCentre(r, source, argv[2]);
      const [radius, unit] = radiusArgs(argv, 3);
      size = { radius };
      req.unit = unit;
    }
  } else {
    base = kind.store ? 3 : 2;
    if (kind.store) req.storeKey = checkKey(argv[1]);
  }
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  const search = kind.from === "search";
  const remaining = argv.length - base;
  for (let i = 0; i < remaining; i++) {
    const at = base + i;
    const opt = option(argv[at]);
    if (opt === "WITHDIST") req.withDist = true;
    else if (opt === "WITHHASH") req.withHash = true;
    else if (opt === "WITHCOORD") req.withCoord = true;
    else if (opt === "ANY") req.any = true;
    else if (opt === "ASC") req.sort = "asc";
    else if (opt === "DESC") req.sort = "desc";
    else if (opt === "COUNT" && i + 1 < remaining) {
      const count = parseInt64(argv[at + 1]);
      if (count === null) fail(DATA_ERRORS.notInteger);
      if (count <= 0n) fail(GEO_ERRORS.count);
      req.count = Number(count);
      i++;
    } else if (
      (opt === "STORE" || opt === "STOREDIST") && i + 1 < remaining && !kind.readOnly && !search
    ) {
      req.storeKey = checkKey(argv[at + 1]);
      req.storeDist = opt === "STOREDIST";
      i++;
    } else if (opt === "STOREDIST" && search && kind.store) req.storeDist = true;
    else if (opt === "FROMMEMBER" && i + 1 < remaining && search && !fromLonLat) {
      if (source) centre = await memberCentre(r, source, argv[at + 1]);
      fromMember = true;
      i++;
    } else if (opt === "FROMLONLAT" && i + 2 < remaining && search && !fromMember) {
      centre = lonLatArgs(argv[at + 1], argv[at + 2]);
      fromLonLat = true;
      i += 2;
    } else if (opt === "BYRADIUS" && i + 2 < remaining && search && !byBox) {
      const [radius, unit] = radiusArgs(argv, at + 1);
      size = { radius };
      req.unit = unit;
      byRadius = true;
      i += 2;
    } else if (opt === "BYBOX" && i + 3 < remaining && search && !byRadius) {
      const width = scoreArg(argv[at + 1], GEO_ERRORS.width);
      const height = scoreArg(argv[at + 2], GEO_ERRORS.height);
      if (height < 0 || width < 0) fail(GEO_ERRORS.negativeBox);
      req.unit = unitArg(argv[at + 3]);
      size = { width, height };
      byBox = true;
      i += 3;
    } else fail(DATA_ERRORS.syntax);
  }
  if (req.storeKey && (req.withDist || req.withHash || req.withCoord)) {
    fail(GEO_ERRORS.storeWith(kind.store ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"));
  }
  const cmdName = new TextDecoder().decode(argv[0]);
  if (search && !(fromMember || fromLonLat)) fail(GEO_ERRORS.from(cmdName));
  if (search && !(byRadius || byBox)) fail(GEO_ERRORS.by(cmdName));
  if (req.any && !req.count) fail(GEO_ERRORS.any);
  if (centre) {
    const u = req.unit;
    req.shape = {
      lon: centre[0],
      lat: centre[1],
      radius: size.radius === undefined ? undefined : size.radius * u,
      width: size.width === undefined ? undefined : size.width * u,
      height: size.height === undefined ? undefined : size.height * u,
    };
  }
  return req;
}

/** A search command: STORE forms run as one write unit, the rest as a read. */
function searchCommand(kind: SearchKind) {
  return async (ctx: CommandContext, argv: Uint8Array[]): Promise<Reply> => {
    if (kind.store || !kind.readOnly) {
      // GEORADIUS may STORE: parse inside the unit, which then writes only if it does.
      return await writeSlot(ctx, (tx, slot) => search(tx, tx, slot, argv, kind, zsetLimits(ctx)));
    }
    return await readSlot(ctx, (r, slot) => search(r, null, slot, argv, kind, zsetLimits(ctx)));
  };
}

const W = ["write", "denyoom"];

/** The geo command family. */
export const COMMANDS: CommandSpec[] = [
  command("geoadd", { arity: -5, flags: W, keys: ONE }, geoadd),
  command("geodist", { arity: -4, flags: R, keys: ONE }, geodist),
  command("geopos", { arity: -2, flags: R, keys: ONE }, geopos),
  command("geohash", { arity: -2, flags: R, keys: ONE }, geohash),
  command(
    "georadius",
    { arity: -6, flags: W, keys: ONE },
    searchCommand({ name: "georadius", from: "coords", store: false, readOnly: false }),
  ),
  command(
    "georadius_ro",
    { arity: -6, flags: R, keys: ONE },
    searchCommand({ name: "georadius_ro", from: "coords", store: false, readOnly: true }),
  ),
  command(
    "georadiusbymember",
    { arity: -5, flags: W, keys: ONE },
    searchCommand({ name: "georadiusbymember", from: "member", store: false, readOnly: false }),
  ),
  command(
    "georadiusbymember_ro",
    { arity: -5, flags: R, keys: ONE },
    searchCommand({ name: "georadiusbymember_ro", from: "member", store: false, readOnly: true }),
  ),
  command(
    "geosearch",
    { arity: -7, flags: R, keys: ONE },
    searchCommand({ name: "geosearch", from: "search", store: false, readOnly: true }),
  ),
  command(
    "geosearchstore",
    { arity: -8, flags: W, keys: [1, 2, 1] },
    searchCommand({ name: "geosearchstore", from: "search", store: true, readOnly: false }),
  ),
];
