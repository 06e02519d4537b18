import assert from "node:assert/strict";

/** Equal to `digits` decimal places (like a calculator would show them). */
export function close(actual: number | undefined, expected: number, digits = 2): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 10 ** -digits / 2, `${actual} is not close to ${expected}`);
}
