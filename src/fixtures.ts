/**
 * The fixture format shared by `--seed`, `basekv export` and `basekv import`: one JSON object
 * with a section per protocol, each read and written by its service (see {@link Service.seed}).
 * @module
 */

/** A fixture that cannot be loaded: where in the JSON, and why. */
export class FixtureError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`${path}: ${reason}`);
    this.name = "FixtureError";
  }
}

/** A parsed fixture: one section per protocol name. */
export type Fixture = Record<string, unknown>;

/** A fixture value that must be a plain JSON object. */
export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new FixtureError(path, "expected an object");
  }
  return value as Record<string, unknown>;
}

/** A fixture value that must be an array. */
export function arrayAt(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new FixtureError(path, "expected an array");
  return value;
}

/** A fixture value that must be a string. */
export function stringAt(value: unknown, path: string): string {
  if (typeof value !== "string") throw new FixtureError(path, "expected a string");
  return value;
}

/** An optional TTL in seconds (> 0), or null. */
export function ttlAt(value: unknown, path: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" || !(value > 0) || !Number.isFinite(value)) {
    throw new FixtureError(path, "expected a TTL in seconds greater than 0");
  }
  return value;
}

/** A JSON path step: `.name` for identifiers, `["name"]` otherwise. */
export function member(path: string, name: string | number): string {
  if (typeof name === "number") return `${path}[${name}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
    ? `${path}.${name}`
    : `${path}[${JSON.stringify(name)}]`;
}

/** Parse fixture text; the sections are checked by the services that load them. */
export function parseFixture(text: string, known: readonly string[]): Fixture {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FixtureError("$", `not JSON: ${(error as Error).message}`);
  }
  const fixture = objectAt(value, "$");
  for (const name of Object.keys(fixture)) {
    if (!known.includes(name)) {
      throw new FixtureError(
        member("$", name),
        `unknown section (expected ${known.join(", ")})`,
      );
    }
  }
  return fixture;
}

/** Read and parse a fixture file; errors name the file. */
export async function readFixtureFile(path: string, known: readonly string[]): Promise<Fixture> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(`Cannot read fixture ${path}: ${(error as Error).message}`);
  }
  try {
    return parseFixture(text, known);
  } catch (error) {
    if (error instanceof FixtureError) throw new Error(`Bad fixture ${path}: ${error.message}`);
    throw error;
  }
}

/** Bytes as base64 (fixtures hold binary values this way). */
export function encodeBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin);
}

/** Base64 as bytes; throws on malformed text. */
export function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
