import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MaskRaster } from "../src/raster";
import { imageRectToDevice, parseColor, type PixelTarget, renderOverlay, samplesPerAxis } from "../src/render";
import { ViewTransform } from "../src/view";

function target(w: number, h: number): PixelTarget {
  return { pixels: new Uint32Array(w * h), width: w, height: h };
}

const RED = { rgb: [255, 0, 0] as const, opacity: 1, edge: null };
const INK = [0, 0, 0] as const;
const PAPER = [255, 255, 255] as const;
const OPAQUE_RED = 0xff0000ff;

describe("mask overlay rendering", () => {
  it("draws each image pixel as a block when zoomed in", () => {
    const r = new MaskRaster(4, 4);
    r.fillRect(1, 1, 2, 2, 1); // pixel (1, 1)
    const v = new ViewTransform();
    v.scale = 3;
    const t = target(12, 12);
    renderOverlay(t, null, r, v, 1, RED);
    for (let y = 0; y < 12; y++)
      for (let x = 0; x < 12; x++) {
        const inside = x >= 3 && x < 6 && y >= 3 && y < 6;
        assert.equal(t.pixels[y * 12 + x], inside ? OPAQUE_RED : 0);
      }
  });

  it("blends coverage when zoomed out and keeps thin lines visible", () => {
    const r = new MaskRaster(16, 16);
    r.fillRect(0, 0, 1, 16, 1); // a one-pixel column
    const v = new ViewTransform();
    v.scale = 0.25;
    const t = target(4, 4);
    renderOverlay(t, null, r, v, 1, RED);
    assert.equal(samplesPerAxis(0.25), 4);
    const alpha = t.pixels[0]! >>> 24;
    assert.ok(alpha > 40); // 1/4 of the samples
    assert.ok(alpha < 80);
    assert.equal(t.pixels[1], 0);
  });

  it("leaves the area outside the image transparent, honouring the device pixel ratio", () => {
    const r = new MaskRaster(2, 2);
    r.fillAll(1);
    const v = new ViewTransform();
    v.tx = 1;
    v.ty = 0;
    v.scale = 1;
    const t = target(8, 6); // a 4 × 3 CSS-pixel area at dpr 2
    renderOverlay(t, null, r, v, 2, RED);
    assert.equal(t.pixels[0], 0); // x in [0, 1) CSS is left of the image
    assert.equal(t.pixels[2], OPAQUE_RED);
    assert.equal(t.pixels[5], OPAQUE_RED);
    assert.equal(t.pixels[6], 0);
    assert.equal(t.pixels[4 * 8 + 2], 0); // below the image
  });

  it("only touches the given rectangle", () => {
    const r = new MaskRaster(10, 10);
    r.fillAll(1);
    const v = new ViewTransform();
    const t = target(10, 10);
    renderOverlay(t, { x0: 2, y0: 3, x1: 5, y1: 4 }, r, v, 1, RED);
    assert.equal(t.pixels.filter((p) => p !== 0).length, 3);
  });

  it("draws the colour at the overlay's opacity and the mask's edge opaque, dashed in ink and paper", () => {
    const r = new MaskRaster(12, 12);
    r.fillRect(2, 2, 10, 10, 1); // an 8 × 8 square
    const v = new ViewTransform();
    const t = target(12, 12);
    renderOverlay(t, null, r, v, 1, { rgb: [255, 0, 0], opacity: 0.5, edge: [INK, PAPER] });
    const at = (x: number, y: number) => t.pixels[y * 12 + x]!;
    assert.equal(at(5, 5), ((128 << 24) | 0xff) >>> 0); // inside: half-transparent red
    assert.equal(at(0, 0), 0); // outside
    const edge = [at(2, 2), at(2, 5), at(9, 9), at(5, 9)];
    for (const e of edge) assert.ok(e === 0xff000000 || e === 0xffffffff, e.toString(16));
    assert.notEqual(at(2, 2), at(2, 6)); // dashed: both colours along one side
    // a partial redraw of the square's middle finds no edge there
    t.pixels.fill(0);
    renderOverlay(t, { x0: 4, y0: 4, x1: 8, y1: 8 }, r, v, 1, { rgb: [255, 0, 0], opacity: 1, edge: [INK, PAPER] });
    assert.ok(t.pixels.every((p, i) => p === 0 || p === OPAQUE_RED || i < 0));
    assert.equal(t.pixels.filter((p) => p === OPAQUE_RED).length, 16);
  });

  it("maps an image rectangle to the device pixels that show it", () => {
    const v = new ViewTransform();
    v.scale = 0.5;
    v.tx = 10;
    const rect = imageRectToDevice({ x0: 20, y0: 0, x1: 40, y1: 10 }, v, 2, target(200, 100));
    assert.deepEqual(rect, { x0: 39, y0: 0, x1: 61, y1: 11 });
    assert.equal(imageRectToDevice({ x0: 1000, y0: 0, x1: 1010, y1: 10 }, v, 1, target(50, 50)), null);
  });

  it("parses overlay colours", () => {
    assert.deepEqual(parseColor("#00ff80"), [0, 255, 128]);
    assert.deepEqual(parseColor("nonsense"), [255, 59, 48]);
  });
});
