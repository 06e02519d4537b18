import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { close } from "./helpers";
import { MAX_SCALE, ViewTransform } from "../src/view";

describe("view transform", () => {
  it("fits and centres the image", () => {
    const v = new ViewTransform();
    v.fit(800, 500, 1600, 1200);
    close(v.scale, 500 / 1200);
    const [cx, cy] = v.toScreen(800, 600);
    close(cx, 400);
    close(cy, 250);
  });

  it("maps screen to image and back", () => {
    const v = new ViewTransform();
    v.fit(640, 480, 4096, 4096);
    v.zoomBy(3.7, 100, 200);
    v.panBy(-33, 12);
    for (const [x, y] of [[0, 0], [123.5, 77.25], [640, 480]] as const) {
      const [ix, iy] = v.toImage(x, y);
      const [sx, sy] = v.toScreen(ix, iy);
      close(sx, x);
      close(sy, y);
    }
  });

  it("zooms around the cursor: the image point under it stays put", () => {
    const v = new ViewTransform();
    v.fit(800, 600, 2000, 1000);
    const before = v.toImage(613, 201);
    v.zoomBy(2.5, 613, 201);
    const after = v.toImage(613, 201);
    close(after[0], before[0]);
    close(after[1], before[1]);
    close(v.scale, 0.4 * 2.5);
  });

  it("clamps the zoom", () => {
    const v = new ViewTransform();
    v.zoomTo(1e6, 0, 0);
    assert.equal(v.scale, MAX_SCALE);
  });

  it("pinch keeps the image points under both fingers when they spread evenly", () => {
    const v = new ViewTransform();
    v.fit(800, 600, 800, 600);
    const a0 = { x: 300, y: 300 };
    const b0 = { x: 500, y: 300 };
    const ia = v.toImage(a0.x, a0.y);
    const ib = v.toImage(b0.x, b0.y);
    const a1 = { x: 220, y: 320 };
    const b1 = { x: 620, y: 320 };
    v.pinch(a0, b0, a1, b1);
    close(v.scale, 2);
    const [ax, ay] = v.toScreen(ia[0], ia[1]);
    const [bx, by] = v.toScreen(ib[0], ib[1]);
    close(ax, a1.x);
    close(ay, a1.y);
    close(bx, b1.x);
    close(by, b1.y);
  });

  it("turns wheel deltas into zoom factors both ways", () => {
    assert.ok(ViewTransform.wheelFactor(-100) > 1);
    assert.ok(ViewTransform.wheelFactor(100) < 1);
    close(ViewTransform.wheelFactor(100) * ViewTransform.wheelFactor(-100), 1);
  });
});
