/**
 * The per-request expression context: resolves `#name` / `:value` references for every
 * expression of one request and reports the ones left unused, as DynamoDB does.
 * @module
 */
import type { AttributeValue } from "../attribute_value.ts";
import { ExpressionError, MESSAGES } from "./errors.ts";

const NAME_KEY = /^#[0-9A-Za-z_]+$/;
const VALUE_KEY = /^:[0-9A-Za-z_]+$/;

/** What a request supplies for its expressions. */
export interface ExpressionAttributes {
  /** ExpressionAttributeNames as sent (undefined when absent). */
  names?: Record<string, string>;
  /**
   * ExpressionAttributeValues as sent; the service validates and normalizes each value as an
   * AttributeValue first ("ExpressionAttributeValues contains invalid value: … for key :x").
   */
  values?: Record<string, AttributeValue>;
}

/**
 * Shared by all expressions of one request (e.g. UpdateExpression + ConditionExpression); call
 * {@link ExpressionContext.assertAllUsed} after parsing them all.
 */
export class ExpressionContext {
  #names: Record<string, string>;
  #values: Record<string, AttributeValue>;
  #unusedNames: Set<string>;
  #unusedValues: Set<string>;

  /**
   * @param attributes the request's ExpressionAttributeNames/Values
   * @throws {ExpressionError} for empty maps or malformed keys, with DynamoDB's message
   */
  constructor(attributes: ExpressionAttributes = {}) {
    const { names, values } = attributes;
    if (names !== undefined) {
      if (Object.keys(names).length === 0) throw new ExpressionError(MESSAGES.namesEmpty);
      for (const key of Object.keys(names)) {
        if (!NAME_KEY.test(key)) throw new ExpressionError(MESSAGES.invalidNameKey(key));
      }
    }
    if (values !== undefined) {
      if (Object.keys(values).length === 0) throw new ExpressionError(MESSAGES.valuesEmpty);
      for (const key of Object.keys(values)) {
        if (!VALUE_KEY.test(key)) throw new ExpressionError(MESSAGES.invalidValueKey(key));
      }
    }
    this.#names = names ?? {};
    this.#values = values ?? {};
    this.#unusedNames = new Set(Object.keys(this.#names));
    this.#unusedValues = new Set(Object.keys(this.#values));
  }

  /** Resolves `#ref` and marks it used; undefined when not supplied. */
  resolveName(ref: string): string | undefined {
    if (!Object.hasOwn(this.#names, ref)) return undefined;
    this.#unusedNames.delete(ref);
    return this.#names[ref];
  }

  /** Resolves `:ref` and marks it used; undefined when not supplied. */
  resolveValue(ref: string): AttributeValue | undefined {
    if (!Object.hasOwn(this.#values, ref)) return undefined;
    this.#unusedValues.delete(ref);
    return this.#values[ref];
  }

  /**
   * Throws DynamoDB's "unused" error when some name or value was never referenced.
   * @throws {ExpressionError} names are reported before values
   */
  assertAllUsed(): void {
    if (this.#unusedNames.size > 0) {
      throw new ExpressionError(MESSAGES.unusedNames([...this.#unusedNames]));
    }
    if (this.#unusedValues.size > 0) {
      throw new ExpressionError(MESSAGES.unusedValues([...this.#unusedValues]));
    }
  }
}
