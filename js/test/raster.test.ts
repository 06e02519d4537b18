import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MaskRaster, type Rect } from "../src/raster";

/** Brute force: every pixel whose centre is within r of segment AB. */
function capsule(w: number, h: number, ax: number, ay: number, bx: number, by: number, r: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      const t = l2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
      const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
      out[y * w + x] = d <= r ? 1 : 0;
    }
  }
  return out;
}

function mismatches(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function within(rect: Rect | null, r: MaskRaster): boolean {
  // every set pixel lies inside the returned rectangle
  for (let y = 0; y < r.height; y++)
    for (let x = 0; x < r.width; x++)
      if (r.get(x, y) && (!rect || x < rect.x0 || x >= rect.x1 || y < rect.y0 || y >= rect.y1)) return false;
  return true;
}

// a small deterministic generator, so failures reproduce
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("brush strokes", () => {
  it("paint exactly the pixels whose centres are within the radius of the segment", () => {
    const rand = rng(1);
    for (let k = 0; k < 200; k++) {
      const r = new MaskRaster(64, 48);
      const [ax, ay, bx, by] = [rand() * 80 - 8, rand() * 60 - 6, rand() * 80 - 8, rand() * 60 - 6];
      const radius = 1 + rand() * 12;
      const rect = r.stampSegment(ax, ay, bx, by, radius, 1);
      const expected = capsule(64, 48, ax, ay, bx, by, radius);
      // pixels exactly on the boundary may differ by floating point rounding only
      assert.ok(mismatches(r.data, expected) <= 2);
      assert.equal(within(rect, r), true);
      assert.equal(r.count, r.data.reduce((n, v) => n + v, 0));
    }
  });

  it("paint a dot for a click", () => {
    const r = new MaskRaster(20, 20);
    r.stampSegment(10, 10, 10, 10, 3, 1);
    assert.equal(mismatches(r.data, capsule(20, 20, 10, 10, 10, 10, 3)), 0);
    assert.ok(r.count > 20);
  });

  it("keep a one-pixel brush connected along a diagonal", () => {
    const r = new MaskRaster(32, 32);
    r.stampSegment(0.5, 0.5, 31.5, 31.5, 0.5, 1);
    for (let i = 0; i < 32; i++) assert.equal(r.get(i, i), 1);
  });

  it("erase with value 0 and keep the count exact", () => {
    const r = new MaskRaster(40, 40);
    r.fillAll(1);
    r.stampSegment(5, 20, 35, 20, 4, 0);
    assert.equal(r.get(20, 20), 0);
    assert.equal(r.get(20, 30), 1);
    const zeros = capsule(40, 40, 5, 20, 35, 20, 4).reduce((n, v) => n + v, 0);
    assert.equal(r.count, 1600 - zeros);
  });

  it("ignore strokes entirely outside the image", () => {
    const r = new MaskRaster(10, 10);
    assert.equal(r.stampSegment(-50, -50, -40, -40, 3, 1), null);
    assert.equal(r.count, 0);
  });
});

describe("shapes", () => {
  it("fill a rectangle by pixel centres, corners in any order", () => {
    const r = new MaskRaster(20, 10);
    const rect = r.fillRect(12.2, 8, 2, 1.5, 1);
    // centres 2.5..11.5 in x and 1.5..7.5 in y
    assert.deepEqual(rect, { x0: 2, y0: 1, x1: 12, y1: 8 });
    assert.equal(r.count, 10 * 7);
    assert.equal(r.get(2, 1), 1);
    assert.equal(r.get(12, 1), 0);
    assert.equal(r.get(1, 1), 0);
  });

  it("fill an ellipse inscribed in the dragged box", () => {
    const r = new MaskRaster(50, 30);
    r.fillEllipse(5, 5, 45, 25, 1);
    for (let y = 0; y < 30; y++)
      for (let x = 0; x < 50; x++) {
        const inside = ((x + 0.5 - 25) / 20) ** 2 + ((y + 0.5 - 15) / 10) ** 2 <= 1;
        assert.equal(r.get(x, y), inside ? 1 : 0);
      }
    assert.ok(Math.abs(r.count - Math.PI * 20 * 10) < 20);
  });

  it("fill a lasso polygon, and both loops of a self-crossing one", () => {
    const r = new MaskRaster(40, 40);
    r.fillPolygon([10, 10, 30, 10, 30, 30, 10, 30], 1);
    assert.equal(r.count, 400);
    const s = new MaskRaster(40, 40);
    // a figure eight: both lobes are filled
    s.fillPolygon([5, 5, 35, 35, 35, 5, 5, 35], 1);
    assert.equal(s.get(6, 20), 1);
    assert.equal(s.get(33, 20), 1);
    assert.equal(s.get(20, 2), 0);
  });

  it("fill a star's centre with the non-zero rule", () => {
    const pts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const a = (i * 4 * Math.PI) / 5 - Math.PI / 2;
      pts.push(50 + 40 * Math.cos(a), 50 + 40 * Math.sin(a));
    }
    const r = new MaskRaster(100, 100);
    r.fillPolygon(pts, 1);
    assert.equal(r.get(50, 50), 1);
  });

  it("ignore degenerate shapes", () => {
    const r = new MaskRaster(10, 10);
    assert.equal(r.fillEllipse(3, 3, 3, 8, 1), null);
    assert.equal(r.fillPolygon([1, 1, 5, 5], 1), null);
    assert.equal(r.count, 0);
  });
});

describe("whole-mask operations", () => {
  it("invert, fill and replace keep the count", () => {
    const r = new MaskRaster(7, 5);
    r.fillRect(0, 0, 3, 5, 1);
    assert.equal(r.count, 15);
    r.invert();
    assert.equal(r.count, 20);
    assert.equal(r.get(0, 0), 0);
    r.fillAll(1);
    assert.equal(r.coverage(), 1);
    assert.equal(r.replace(new Uint8Array(35).fill(1)), null);
    assert.deepEqual(r.replace(new Uint8Array(35)), r.full);
    assert.equal(r.count, 0);
  });
});
