/** Unit tests for DynamoDB number normalization, arithmetic, comparison and key encoding. */
import assert from "node:assert/strict";
import {
  addNumbers,
  compareNumbers,
  decodeNumberKey,
  encodeNumberKey,
  normalizeNumber,
  NUMBER_MESSAGES,
  NumberError,
  subtractNumbers,
} from "../../protocols/dynamodb/number.ts";

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

Deno.test("normalizeNumber() returns DynamoDB's canonical form", () => {
  const cases: [string, string][] = [
    ["1.50", "1.5"],
    ["-0", "0"],
    ["0.000", "0"],
    ["007", "7"],
    ["+3", "3"],
    [".5", "0.5"],
    ["5.", "5"],
    ["1E3", "1000"],
    ["-12.3400e2", "-1234"],
    ["1.5e-3", "0.0015"],
    ["100", "100"],
    ["12345678901234567890123456789012345678", "12345678901234567890123456789012345678"],
    ["1E-130", `0.${"0".repeat(129)}1`],
    ["9.9999999999999999999999999999999999999E+125", `${"9".repeat(38)}${"0".repeat(88)}`],
    ["1000000000000000000000000000000000000000000", `1${"0".repeat(42)}`],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeNumber(input), expected, input);
});

Deno.test("normalizeNumber() reads back long numbers as DynamoDB returns them", () => {
  // PutItem then GetItem against DynamoDB (dynalite's "should put really long numbers").
  const cases: [string, string][] = [
    ["0000012345678901234567890123456789012345678", "12345678901234567890123456789012345678"],
    [
      "-00001.23456789012345678901234567890123456780000",
      "-1.2345678901234567890123456789012345678",
    ],
    ["0009.99999999999999999999999999999999999990000e125", "9".repeat(38) + "0".repeat(88)],
    ["-0009.99999999999999999999999999999999999990000e125", "-" + "9".repeat(38) + "0".repeat(88)],
    ["0001.000e-130", `0.${"0".repeat(129)}1`],
    ["-0001.000e-130", `-0.${"0".repeat(129)}1`],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeNumber(input), expected, input);
});

Deno.test("normalizeNumber() rejects invalid numbers with DynamoDB's messages", () => {
  const cases: [string, string][] = [
    ["", "The parameter cannot be converted to a numeric value"],
    ["abc", "The parameter cannot be converted to a numeric value: abc"],
    ["1e", "The parameter cannot be converted to a numeric value: 1e"],
    [".", "The parameter cannot be converted to a numeric value: ."],
    ["1E126", NUMBER_MESSAGES.overflow],
    ["-1E126", NUMBER_MESSAGES.overflow],
    ["1e99999999999", NUMBER_MESSAGES.overflow],
    ["1E-131", NUMBER_MESSAGES.underflow],
    ["123456789012345678901234567890123456789", NUMBER_MESSAGES.tooManyDigits],
    ["1.23456789012345678901234567890123456789", NUMBER_MESSAGES.tooManyDigits],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => normalizeNumber(input), { name: "NumberError", message }, input);
  }
  assert.equal(
    NUMBER_MESSAGES.overflow,
    "Number overflow. Attempting to store a number with magnitude larger than supported range",
  );
  assert.equal(
    NUMBER_MESSAGES.tooManyDigits,
    "Attempting to store more than 38 significant digits in a Number",
  );
});

Deno.test("addNumbers() and subtractNumbers() are exact decimal arithmetic", () => {
  assert.equal(addNumbers("0.1", "0.2"), "0.3");
  assert.equal(addNumbers("1", "-1"), "0");
  assert.equal(
    addNumbers("99999999999999999999999999999999999999", "0"),
    "99999999999999999999999999999999999999",
  );
  assert.equal(subtractNumbers("1", "1.5"), "-0.5");
  assert.equal(subtractNumbers("-5", "-7"), "2");
  assert.equal(addNumbers("1E+100", "1E+100"), `2${"0".repeat(100)}`);
  assert.throws(() => addNumbers("9E+125", "9E+125"), new NumberError(NUMBER_MESSAGES.overflow));
  assert.throws(
    () => addNumbers("1E+30", "0.000000001"),
    new NumberError(NUMBER_MESSAGES.tooManyDigits),
  );
});

Deno.test("compareNumbers() orders numerically", () => {
  assert.equal(compareNumbers("10", "9"), 1);
  assert.equal(compareNumbers("-1", "-1.5"), 1);
  assert.equal(compareNumbers("1.50", "1.5"), 0);
  assert.equal(compareNumbers("-0", "0"), 0);
  assert.equal(compareNumbers("0.001", "-1000"), 1);
  assert.equal(compareNumbers("1E-130", "0"), 1);
});

Deno.test("encodeNumberKey() byte order equals numeric order", () => {
  const numbers = [
    "-9.9999999999999999999999999999999999999E+125",
    "-1E+100",
    "-1000",
    "-999.99",
    "-12.55",
    "-12.5",
    "-1",
    "-0.5",
    "-1E-130",
    "0",
    "1E-130",
    "0.001",
    "0.5",
    "1",
    "1.5",
    "1.55",
    "2",
    "10",
    "99",
    "100",
    "101",
    "1E+125",
    "9.9999999999999999999999999999999999999E+125",
  ];
  for (let i = 0; i < 300; i++) {
    const digits = String(Math.floor(Math.random() * 1e9));
    const exponent = Math.floor(Math.random() * 40) - 20;
    numbers.push(`${Math.random() < 0.5 ? "-" : ""}${digits}e${exponent}`);
  }
  const byValue = [...numbers].sort(compareNumbers);
  const byKey = [...numbers].sort((a, b) => compareBytes(encodeNumberKey(a), encodeNumberKey(b)));
  assert.deepEqual(byKey.map(normalizeNumber), byValue.map(normalizeNumber));
  for (const n of numbers) assert.equal(decodeNumberKey(encodeNumberKey(n)), normalizeNumber(n));
  assert.deepEqual(encodeNumberKey("1.50"), encodeNumberKey("1.5"));
  assert.deepEqual(encodeNumberKey("-0"), encodeNumberKey("0"));
});
