import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CursorTarget, FAST_STEP, KeyboardCursor, STEP } from "../src/cursor";
import type { Point } from "../src/view";
import { ViewTransform } from "../src/view";

/** A target that records what the cursor asked of it, with a polygon that opens like the lasso's. */
function target(scale = 0.5): CursorTarget & { log: string[]; gesture: boolean; polygon: boolean } {
  const view = new ViewTransform();
  view.scale = scale;
  view.tx = 10;
  view.ty = 20;
  const at = (p: Point): string => view.toImage(p.x, p.y).map((v) => Math.round(v)).join(",");
  const t = {
    view,
    imageSize: { width: 400, height: 300 },
    log: [] as string[],
    gesture: false,
    polygon: false,
    hasGesture: () => t.gesture,
    polygonOpen: () => t.polygon,
    beginGesture: (p: Point, erase: boolean) => {
      t.gesture = true;
      t.log.push(`begin ${at(p)}${erase ? " erase" : ""}`);
    },
    clickGesture: (p: Point) => t.log.push(`click ${at(p)}`),
    moveGesture: (ps: Point[]) => t.log.push(`move ${ps.map(at).join(" ")}`),
    releaseGesture: () => {
      t.gesture = false;
      t.log.push("release");
    },
    cursorChanged: () => {},
  };
  return t;
}

describe("keyboard cursor", () => {
  it("appears at the picture's centre, then steps in screen pixels (Shift: faster)", () => {
    const t = target(0.5);
    const c = new KeyboardCursor(t);
    assert.equal(c.visible, false);
    assert.equal(c.enter(false), false); // hidden: Enter keeps its other meaning
    c.move(1, 0, false);
    assert.deepEqual(c.at, { x: 200, y: 150 });
    c.move(1, 0, false);
    assert.deepEqual(c.at, { x: 200 + STEP / 0.5, y: 150 });
    c.move(0, -1, true);
    assert.deepEqual(c.at, { x: 200 + STEP / 0.5, y: 150 - FAST_STEP / 0.5 });
    assert.deepEqual(c.screen, { x: 10 + (200 + STEP / 0.5) * 0.5, y: 20 + (150 - FAST_STEP / 0.5) * 0.5 });
  });

  it("stays on the picture", () => {
    const c = new KeyboardCursor(target(1));
    c.move(-1, 0, false);
    for (let i = 0; i < 20; i++) c.move(-1, 1, true);
    assert.deepEqual(c.at, { x: 0, y: 300 });
  });

  it("Enter starts a gesture at the cursor, arrows draw it, Enter ends it", () => {
    const t = target(1);
    const c = new KeyboardCursor(t);
    c.move(0, 0, false);
    assert.equal(c.enter(true), true);
    c.move(1, 0, false);
    c.move(1, 0, false);
    c.enter(false);
    assert.deepEqual(t.log, ["begin 200,150 erase", "move 208,150", "move 216,150", "release"]);
  });

  it("an open polygon gets a point per Enter", () => {
    const t = target(1);
    const c = new KeyboardCursor(t);
    c.move(0, 0, false);
    c.enter(false);
    t.polygon = true;
    c.move(0, 1, false);
    c.enter(false);
    assert.deepEqual(t.log, ["begin 200,150", "move 200,158", "click 200,158"]);
  });

  it("hides when the pointer takes over", () => {
    const c = new KeyboardCursor(target());
    c.move(0, 0, false);
    c.hide();
    assert.equal(c.screen, null);
  });
});
