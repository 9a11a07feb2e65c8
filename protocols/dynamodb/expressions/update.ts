/**
 * Applies a parsed UpdateExpression to an item as DynamoDB does: SET values are computed from
 * the item as it was before the update, list indexes refer to the original positions (REMOVE
 * a[0], a[1] removes two elements; SET past the end appends), ADD and DELETE work on numbers
 * and sets, and type errors use DynamoDB's messages.
 * @module
 */
import type { AttributeValue, Item } from "../attribute_value.ts";
import type { Operand, Path, UpdateAction, UpdateExpression } from "./ast.ts";
import { ExpressionError, MESSAGES } from "./errors.ts";
import { getPath } from "./paths.ts";
import { projectItem } from "./projection.ts";
import { addValue, deleteValue, numberArithmetic } from "./add_delete.ts";
import { cloneValue, setEntry } from "./values.ts";

// Marks a removed list element until the lists are compacted, so that later indexes in the
// same update still refer to the original positions.
const REMOVED: AttributeValue = Object.freeze({ NULL: true }) as AttributeValue;

function fail(message: string): never {
  throw new ExpressionError(message);
}

/** Computes a SET operand from the item as it was before the update. */
function evaluate(operand: Operand, original: Item): AttributeValue {
  switch (operand.kind) {
    case "value":
      return operand.value;
    case "path":
      return getPath(original, operand.path) ?? fail(MESSAGES.missingAttribute);
    case "arithmetic": {
      const left = evaluate(operand.left, original);
      if (!("N" in left)) fail(MESSAGES.wrongOperandType);
      const right = evaluate(operand.right, original);
      if (!("N" in right)) fail(MESSAGES.wrongOperandType);
      return { N: numberArithmetic(operand.operator, left.N, right.N) };
    }
    case "function": {
      if (operand.name === "if_not_exists") {
        const [path, fallback] = operand.args;
        const existing = path.kind === "path" ? getPath(original, path.path) : undefined;
        return existing ?? evaluate(fallback, original);
      }
      // list_append (the parser admits no other update function)
      const first = evaluate(operand.args[0], original);
      if (!("L" in first)) fail(MESSAGES.wrongOperandType);
      const second = evaluate(operand.args[1], original);
      if (!("L" in second)) fail(MESSAGES.wrongOperandType);
      return { L: [...first.L, ...second.L] };
    }
  }
}

/** Where an action writes: the container holding the last path step. */
type Slot =
  | { kind: "map"; map: Record<string, AttributeValue>; key: string }
  | { kind: "list"; list: AttributeValue[]; index: number };

/**
 * The update's own copy of a map or list on an action's path (made once per update, so the
 * input item stays untouched and later actions see earlier ones); other values as they are.
 */
function ownCopy(value: AttributeValue, copies: Set<object>): AttributeValue {
  if ("M" in value) {
    if (copies.has(value.M)) return value;
    const M = { ...value.M };
    copies.add(M);
    return { M };
  }
  if ("L" in value) {
    if (copies.has(value.L)) return value;
    const L = [...value.L];
    copies.add(L);
    return { L };
  }
  return value;
}

/**
 * The slot an action writes, in `item` (the update's copy): the maps and lists on the way are
 * copied into it first (`copies` holds those already copied), so the original stays shared
 * only where nothing is written.
 */
function locate(
  item: Item,
  path: Path,
  touched: Set<AttributeValue[]>,
  copies: Set<object>,
): Slot {
  let container: AttributeValue = { M: item };
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    const last = i === path.length - 1;
    if (typeof step === "number") {
      if (!("L" in container)) fail(MESSAGES.invalidUpdatePath);
      const list: AttributeValue[] = container.L;
      if (last) {
        touched.add(list);
        return { kind: "list", list, index: step };
      }
      const next: AttributeValue | undefined = list[step];
      if (next === undefined || next === REMOVED) fail(MESSAGES.invalidUpdatePath);
      container = list[step] = ownCopy(next, copies);
    } else {
      if (!("M" in container)) fail(MESSAGES.invalidUpdatePath);
      const map: Record<string, AttributeValue> = container.M;
      if (last) return { kind: "map", map, key: step };
      const next: AttributeValue | undefined = Object.hasOwn(map, step) ? map[step] : undefined;
      if (next === undefined) fail(MESSAGES.invalidUpdatePath);
      container = ownCopy(next, copies);
      setEntry(map, step, container);
    }
  }
  return fail(MESSAGES.invalidUpdatePath);
}

function read(slot: Slot): AttributeValue | undefined {
  if (slot.kind === "map") {
    return Object.hasOwn(slot.map, slot.key) ? slot.map[slot.key] : undefined;
  }
  const value = slot.list[slot.index];
  return value === REMOVED ? undefined : value;
}

function write(slot: Slot, value: AttributeValue): void {
  if (slot.kind === "map") setEntry(slot.map, slot.key, value);
  else slot.list[slot.index] = value;
}

function remove(slot: Slot): void {
  if (slot.kind === "map") delete slot.map[slot.key];
  else if (slot.index < slot.list.length) slot.list[slot.index] = REMOVED;
}

function add(slot: Slot, value: AttributeValue): void {
  write(slot, addValue(read(slot), value, MESSAGES.wrongOperandType));
}

function deleteMembers(slot: Slot, value: AttributeValue): void {
  const remaining = deleteValue(read(slot), value, MESSAGES.wrongOperandType);
  if (remaining === undefined) remove(slot);
  else write(slot, remaining);
}

function apply(action: UpdateAction, slot: Slot, value: AttributeValue | undefined): void {
  switch (action.kind) {
    case "SET":
      return write(slot, value!);
    case "REMOVE":
      return remove(slot);
    case "ADD":
      return add(slot, action.value);
    case "DELETE":
      return deleteMembers(slot, action.value);
  }
}

/**
 * Applies an update to a copy of an item.
 * @param item the current item, or the key attributes alone when the item does not exist
 * @returns the new item; the input is not modified
 * @throws {ExpressionError} invalid document path, missing attribute or wrong operand type,
 *   or a number out of range
 */
export function applyUpdate(update: UpdateExpression, item: Item): Item {
  const values = update.actions.map((action) =>
    action.kind === "SET" ? cloneValue(evaluate(action.value, item)) : undefined
  );
  // Copy on write: the top level now, nested maps and lists as actions reach into them.
  const result = { ...item };
  const copies = new Set<object>([result]);
  const touched = new Set<AttributeValue[]>();
  update.actions.forEach((action, i) => {
    // SET/ADD past the end of a list append (holes are squeezed out below).
    apply(action, locate(result, action.path, touched, copies), values[i]);
  });
  for (const list of touched) {
    const kept = list.filter((element) => element !== undefined && element !== REMOVED);
    list.length = 0;
    list.push(...kept);
  }
  return result;
}

/**
 * The attributes an update touched, as UpdateItem returns them for UPDATED_OLD (pass the old
 * item) and UPDATED_NEW (pass the new item).
 */
export function updatedAttributes(item: Item, update: UpdateExpression): Item {
  return projectItem(item, update.paths);
}
