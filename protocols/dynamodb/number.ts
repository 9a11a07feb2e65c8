/**
 * DynamoDB numbers: validation, normalization, exact arithmetic and comparison over decimal
 * strings (never floats), plus an order-preserving byte encoding for sort keys.
 * @module
 */

/** Most significant digits a DynamoDB number may hold. */
export const MAX_SIGNIFICANT_DIGITS = 38;
/** Largest decimal exponent of the leading digit (9.99…E+125). */
export const MAX_EXPONENT = 125;
/** Smallest decimal exponent of the leading digit (1E-130). */
export const MIN_EXPONENT = -130;

/** DynamoDB's wire messages for invalid numbers. */
export const NUMBER_MESSAGES = {
  notNumeric: "The parameter cannot be converted to a numeric value",
  overflow:
    "Number overflow. Attempting to store a number with magnitude larger than supported range",
  underflow:
    "Number underflow. Attempting to store a number with magnitude smaller than supported range",
  tooManyDigits:
    `Attempting to store more than ${MAX_SIGNIFICANT_DIGITS} significant digits in a Number`,
} as const;

/** A number DynamoDB rejects; `.message` is DynamoDB's ValidationException text. */
export class NumberError extends Error {
  /** @param message DynamoDB's message text. */
  constructor(message: string) {
    super(message);
    this.name = "NumberError";
  }
}

/**
 * A finite decimal: value = (negative ? -1 : 1) × d1.d2d3… × 10^exponent, with `digits` free of
 * leading and trailing zeros ("" for zero, whose exponent is 0).
 */
export interface Decimal {
  negative: boolean;
  digits: string;
  exponent: number;
}

// Java BigDecimal's literal syntax, which DynamoDB accepts: optional sign, digits with an optional
// point (either side may be empty, not both), optional exponent.
const NUMBER_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
// Beyond this the exponent is certainly out of range; stops huge exponent strings early.
const EXPONENT_GUARD = 1_000_000;

/**
 * Parses a number string without range checks.
 * @param text the string as sent
 * @returns the decimal, or null when the text is not a number
 */
export function parseDecimal(text: string): Decimal | null {
  const match = NUMBER_PATTERN.exec(text);
  if (!match) return null;
  const [, sign, whole, fraction = "", exponentText] = match;
  if (whole === "" && fraction === "") return null;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  if (!Number.isFinite(exponent) || Math.abs(exponent) > EXPONENT_GUARD) {
    return {
      negative: sign === "-",
      digits: /[1-9]/.test(whole + fraction) ? "1" : "",
      exponent: exponent > 0 ? EXPONENT_GUARD : -EXPONENT_GUARD,
    };
  }
  const all = whole + fraction;
  const firstNonZero = all.search(/[1-9]/);
  if (firstNonZero < 0) return { negative: false, digits: "", exponent: 0 };
  const digits = all.slice(firstNonZero).replace(/0+$/, "");
  return {
    negative: sign === "-",
    digits,
    exponent: whole.length - firstNonZero - 1 + exponent,
  };
}

/**
 * Checks a decimal against DynamoDB's range and precision.
 * @throws {NumberError} overflow, underflow or more than 38 significant digits
 */
export function checkDecimal(value: Decimal): Decimal {
  if (value.digits === "") return value;
  if (value.exponent > MAX_EXPONENT) throw new NumberError(NUMBER_MESSAGES.overflow);
  if (value.exponent < MIN_EXPONENT) throw new NumberError(NUMBER_MESSAGES.underflow);
  if (value.digits.length > MAX_SIGNIFICANT_DIGITS) {
    throw new NumberError(NUMBER_MESSAGES.tooManyDigits);
  }
  return value;
}

/**
 * Parses and range-checks a number as DynamoDB does on input.
 * @throws {NumberError} with DynamoDB's message
 */
export function toDecimal(text: string): Decimal {
  if (text === "") throw new NumberError(NUMBER_MESSAGES.notNumeric);
  const value = parseDecimal(text);
  if (!value) throw new NumberError(`${NUMBER_MESSAGES.notNumeric}: ${text}`);
  return checkDecimal(value);
}

/** Renders a decimal in plain digits as DynamoDB returns numbers ("1.5", "0.001", "100"). */
export function formatDecimal(value: Decimal): string {
  const { digits, exponent } = value;
  if (digits === "") return "0";
  let body: string;
  if (exponent >= digits.length - 1) {
    body = digits + "0".repeat(exponent - digits.length + 1);
  } else if (exponent >= 0) {
    body = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  } else {
    body = `0.${"0".repeat(-exponent - 1)}${digits}`;
  }
  return value.negative ? `-${body}` : body;
}

/**
 * An integer already in normalized form (no sign but "-", no leading zero, at most 38 digits,
 * so within range and precision): most numbers clients send, returned as they are.
 */
const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d{0,37})$/;

/**
 * Validates a number string and returns DynamoDB's normalized form.
 * @example normalizeNumber("1.50") === "1.5"; normalizeNumber("-0") === "0"; normalizeNumber("1E3") === "1000"
 * @throws {NumberError} with DynamoDB's message
 */
export function normalizeNumber(text: string): string {
  return CANONICAL_INTEGER.test(text) ? text : formatDecimal(toDecimal(text));
}

function compareDecimals(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const signA = a.digits === "" ? 0 : a.negative ? -1 : 1;
  const signB = b.digits === "" ? 0 : b.negative ? -1 : 1;
  if (signA !== signB) return signA < signB ? -1 : 1;
  if (signA === 0) return 0;
  let magnitude: -1 | 0 | 1 = 0;
  if (a.exponent !== b.exponent) magnitude = a.exponent < b.exponent ? -1 : 1;
  else if (a.digits !== b.digits) magnitude = a.digits < b.digits ? -1 : 1;
  return (signA < 0 ? -magnitude : magnitude) as -1 | 0 | 1;
}

function mustParse(text: string): Decimal {
  const value = parseDecimal(text);
  if (!value) throw new NumberError(`${NUMBER_MESSAGES.notNumeric}: ${text}`);
  return value;
}

/**
 * Compares two number strings numerically.
 * @returns -1, 0 or 1
 */
export function compareNumbers(a: string, b: string): -1 | 0 | 1 {
  return compareDecimals(mustParse(a), mustParse(b));
}

// A decimal as integer × 10^scale, for exact addition.
function toScaled(value: Decimal): { units: bigint; scale: number } {
  if (value.digits === "") return { units: 0n, scale: 0 };
  const units = BigInt(value.digits);
  return {
    units: value.negative ? -units : units,
    scale: value.exponent - value.digits.length + 1,
  };
}

function fromScaled(units: bigint, scale: number): Decimal {
  if (units === 0n) return { negative: false, digits: "", exponent: 0 };
  const negative = units < 0n;
  const raw = (negative ? -units : units).toString();
  const digits = raw.replace(/0+$/, "");
  return { negative, digits, exponent: scale + raw.length - 1 };
}

/**
 * Adds two numbers exactly, as DynamoDB's ADD and SET `+` do.
 * @returns the normalized sum
 * @throws {NumberError} when the result is out of range or too precise
 */
export function addNumbers(a: string, b: string): string {
  const x = toScaled(mustParse(a));
  const y = toScaled(mustParse(b));
  const scale = Math.min(x.scale, y.scale);
  const sum = x.units * 10n ** BigInt(x.scale - scale) + y.units * 10n ** BigInt(y.scale - scale);
  return formatDecimal(checkDecimal(fromScaled(sum, scale)));
}

/**
 * Subtracts `b` from `a` exactly, as DynamoDB's SET `-` does.
 * @throws {NumberError} when the result is out of range or too precise
 */
export function subtractNumbers(a: string, b: string): string {
  const negated = mustParse(b);
  return addNumbers(a, formatDecimal({ ...negated, negative: !negated.negative }));
}

// Key layout: one class byte (negative < zero < positive), then for non-zero numbers the exponent
// biased into one byte (-130..125 -> 0..255) and one byte per digit. Negatives complement both so
// larger magnitudes sort first, and end with a byte above every digit so that a longer digit
// string (a larger magnitude) sorts before its own prefix.
const CLASS_NEGATIVE = 0x01;
const CLASS_ZERO = 0x02;
const CLASS_POSITIVE = 0x03;
const EXPONENT_BIAS = -MIN_EXPONENT;
const NEGATIVE_TERMINATOR = 0xff;

/**
 * Encodes a valid number so that byte order equals numeric order (for sort-key range reads).
 * Equal numbers ("1.50", "1.5") encode identically.
 * @throws {NumberError} for an invalid number
 */
export function encodeNumberKey(text: string): Uint8Array {
  const value = toDecimal(text);
  if (value.digits === "") return Uint8Array.of(CLASS_ZERO);
  const out = new Uint8Array(value.digits.length + (value.negative ? 3 : 2));
  const biased = value.exponent + EXPONENT_BIAS;
  out[0] = value.negative ? CLASS_NEGATIVE : CLASS_POSITIVE;
  out[1] = value.negative ? 0xff - biased : biased;
  for (let i = 0; i < value.digits.length; i++) {
    const digit = value.digits.charCodeAt(i) - 48;
    out[i + 2] = value.negative ? 9 - digit : digit;
  }
  if (value.negative) out[out.length - 1] = NEGATIVE_TERMINATOR;
  return out;
}

/** Decodes {@link encodeNumberKey}'s bytes back to the normalized number string. */
export function decodeNumberKey(bytes: Uint8Array): string {
  if (bytes[0] === CLASS_ZERO) return "0";
  const negative = bytes[0] === CLASS_NEGATIVE;
  const end = negative ? bytes.length - 1 : bytes.length;
  let digits = "";
  for (let i = 2; i < end; i++) digits += String(negative ? 9 - bytes[i] : bytes[i]);
  const biased = negative ? 0xff - bytes[1] : bytes[1];
  return formatDecimal({ negative, digits, exponent: biased - EXPONENT_BIAS });
}
