import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { actionForKey, HELP } from "../src/keys";
import { MaskRaster } from "../src/raster";
import { LassoGesture, squareFrom, startGesture } from "../src/tools";
import { coverageWarning, formatCoverage, sizeToSlider, sliderToSize } from "../src/ui";

const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }> = {}) =>
  actionForKey({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });

describe("keyboard shortcuts", () => {
  it("undo and redo with Ctrl or Cmd", () => {
    assert.equal(key("z", { ctrlKey: true }), "undo");
    assert.equal(key("z", { metaKey: true }), "undo");
    assert.equal(key("Z", { ctrlKey: true, shiftKey: true }), "redo");
    assert.equal(key("z", { metaKey: true, shiftKey: true }), "redo");
    assert.equal(key("y", { ctrlKey: true }), "redo");
  });

  it("tools, sizes and views by single keys", () => {
    assert.equal(key("b"), "tool:brush");
    assert.equal(key("E"), "tool:eraser");
    assert.equal(key("r"), "tool:rectangle");
    assert.equal(key("o"), "tool:ellipse");
    assert.equal(key("l"), "tool:lasso");
    assert.equal(key("["), "size-down");
    assert.equal(key("]"), "size-up");
    assert.equal(key("?", { shiftKey: true }), "help");
    assert.equal(key("+", { shiftKey: true }), "zoom-in");
    assert.equal(key("Escape"), "cancel");
  });

  it("leaves other keys and modified letters alone", () => {
    assert.equal(key("z"), null);
    assert.equal(key("b", { ctrlKey: true }), null);
    assert.equal(key("c", { ctrlKey: true }), null);
    assert.equal(key("Enter", { shiftKey: true }), "close-polygon");
    assert.equal(key("q"), null);
    assert.equal(key("b", { altKey: true }), null);
  });

  it("has a help line for every group of keys", () => {
    assert.ok(HELP.length > 10);
    assert.equal(HELP.some(([k]) => k.includes("Z")), true);
  });
});

describe("gestures", () => {
  it("brush paints as it goes; the eraser tool or an erase drag removes", () => {
    const r = new MaskRaster(50, 50);
    const g = startGesture("brush", r, { x: 10, y: 10 }, { radius: 3, erase: false, tolerance: 1 });
    g.move([{ x: 40, y: 10 }], false);
    assert.equal(r.get(25, 10), 1);
    assert.equal(g.release(), true);
    const e = startGesture("brush", r, { x: 25, y: 10 }, { radius: 2, erase: true, tolerance: 1 });
    e.release();
    assert.equal(r.get(25, 10), 0);
    startGesture("eraser", r, { x: 35, y: 10 }, { radius: 2, erase: false, tolerance: 1 });
    assert.equal(r.get(35, 10), 0);
  });

  it("shapes paint only when finished, Shift makes a square", () => {
    const r = new MaskRaster(50, 50);
    const g = startGesture("rectangle", r, { x: 5, y: 5 }, { radius: 1, erase: false, tolerance: 1 });
    g.move([{ x: 25, y: 15 }], true);
    assert.equal(r.count, 0);
    g.finish();
    assert.equal(r.count, 400);
    assert.deepEqual(squareFrom({ x: 10, y: 10 }, { x: 0, y: 14 }), { x: 0, y: 20 });
  });

  it("lasso: a drag fills the loop; a click starts a polygon that closes on its first vertex", () => {
    const r = new MaskRaster(60, 60);
    const drag = new LassoGesture(r, { x: 10, y: 10 }, 1, 2);
    drag.move([{ x: 50, y: 10 }, { x: 50, y: 50 }, { x: 10, y: 50 }]);
    assert.equal(drag.release(), true);
    drag.finish();
    assert.equal(r.count, 1600);

    const s = new MaskRaster(60, 60);
    const poly = new LassoGesture(s, { x: 10, y: 10 }, 1, 2);
    assert.equal(poly.release(), false);
    assert.equal(poly.isPolygon, true);
    assert.equal(poly.click({ x: 30, y: 10 }), false);
    assert.equal(poly.click({ x: 30, y: 30 }), false);
    assert.equal(poly.click({ x: 10.5, y: 10.5 }), true); // back on the first vertex
    poly.finish();
    assert.equal(s.get(25, 12), 1);
    assert.equal(s.get(12, 25), 0);
  });
});

describe("controls", () => {
  it("size slider is logarithmic and round-trips", () => {
    for (const size of [1, 2, 5, 40, 300, 1024]) {
      assert.ok(Math.abs(sliderToSize(sizeToSlider(size, 1024), 1024) - size) / size < 0.01);
    }
    assert.equal(sizeToSlider(1024, 1024), 1000);
  });

  it("coverage reads well and warns at both ends", () => {
    assert.equal(formatCoverage(0.1234), "12.3 %");
    assert.equal(formatCoverage(0.00001), "< 0.1 %");
    assert.equal(formatCoverage(0.99999), "> 99.9 %");
    assert.match(coverageWarning(0), /Empty mask/);
    assert.match(coverageWarning(1), /Full mask/);
    assert.equal(coverageWarning(0.5), "");
  });
});
