import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { growMask } from "../src/morphology";
import { MaskRaster } from "../src/raster";
import { combineScaled, type Pixels, wandSelect } from "../src/wand";

/** A picture from a character map: each letter a colour. */
function picture(rows: string[], colours: Record<string, [number, number, number]>): Pixels {
  const height = rows.length;
  const width = rows[0]!.length;
  const data = new Uint8ClampedArray(width * height * 4);
  rows.forEach((row, y) => {
    [...row].forEach((ch, x) => {
      const [r, g, b] = colours[ch]!;
      data.set([r, g, b, 255], 4 * (y * width + x));
    });
  });
  return { data, width, height };
}

const show = (sel: Uint8Array, width: number): string[] => {
  const out: string[] = [];
  for (let i = 0; i < sel.length; i += width) out.push([...sel.slice(i, i + width)].map((v) => (v ? "#" : ".")).join(""));
  return out;
};

const COLOURS: Record<string, [number, number, number]> = {
  r: [200, 30, 30],
  s: [210, 40, 25], // close to r
  b: [20, 40, 200],
};

describe("magic wand", () => {
  const px = picture(["rrbbr", "rsbbr", "bbbbs", "rrbrr"], COLOURS);

  it("contiguous: the similar pixels connected to the click", () => {
    assert.deepEqual(show(wandSelect(px, 0, 0, 16, true), 5), ["##...", "##...", ".....", "....."]);
  });

  it("tolerance decides what counts as similar", () => {
    assert.deepEqual(show(wandSelect(px, 0, 0, 5, true), 5), ["##...", "#....", ".....", "....."]);
  });

  it("global: every similar pixel anywhere", () => {
    assert.deepEqual(show(wandSelect(px, 0, 0, 16, false), 5), ["##..#", "##..#", "....#", "##.##"]);
  });

  it("fills around obstacles and into every branch (scanline fill)", () => {
    const maze = picture(["bbbbbbb", "brrrrrb", "brbbbrb", "brbrbrb", "brrrbrb", "bbbbbbb"], COLOURS);
    assert.deepEqual(show(wandSelect(maze, 3, 3, 0, true), 7), [
      ".......",
      ".#####.",
      ".#...#.",
      ".#.#.#.",
      ".###.#.",
      ".......",
    ]);
  });

  it("a selection on a small copy lands on the full-size mask, replacing, adding or subtracting", () => {
    const sel = Uint8Array.from([1, 0, 0, 1]); // 2 × 2
    const mask = new Uint8Array(16); // 4 × 4
    mask[5] = 1;
    let r = combineScaled(mask, 4, 4, sel, 2, 2, "replace");
    assert.deepEqual(show(mask, 4), ["##..", "##..", "..##", "..##"]);
    assert.equal(r.count, 8);
    r = combineScaled(mask, 4, 4, Uint8Array.from([0, 1, 0, 0]), 2, 2, "add");
    assert.equal(r.count, 12);
    r = combineScaled(mask, 4, 4, Uint8Array.from([1, 1, 0, 0]), 2, 2, "subtract");
    assert.deepEqual(show(mask, 4), ["....", "....", "..##", "..##"]);
    assert.equal(combineScaled(mask, 4, 4, Uint8Array.from([0, 0, 0, 1]), 2, 2, "add").changed, false);
  });

  it("is fast enough on a 2048 × 1536 copy scaled to 12 MP", () => {
    const w = 2048;
    const h = 1536;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) data[4 * i] = (i % w) < w / 2 ? 10 : 200;
    const sel = wandSelect({ data, width: w, height: h }, 5, 5, 8, true);
    const raster = new MaskRaster(4032, 3024);
    const rect = raster.combineSelection(sel, w, h, "replace");
    assert.ok(rect);
    assert.equal(raster.count, 2016 * 3024);
  });
});

describe("grow and shrink", () => {
  it("grows a dot into a disc of radius n (pixel centres within n)", () => {
    const w = 21;
    const mask = new Uint8Array(w * w);
    mask[10 * w + 10] = 1;
    const count = growMask(mask, w, w, 3);
    let expected = 0;
    for (let y = 0; y < w; y++) {
      for (let x = 0; x < w; x++) {
        const inside = (x - 10) ** 2 + (y - 10) ** 2 <= 9;
        expected += inside ? 1 : 0;
        assert.equal(mask[y * w + x], inside ? 1 : 0, `${x},${y}`);
      }
    }
    assert.equal(count, expected);
    assert.equal(expected, 29);
  });

  it("shrink undoes grow on a square and leaves the picture's edge alone", () => {
    const w = 30;
    const mask = new Uint8Array(w * w);
    for (let y = 0; y < 12; y++) for (let x = 10; x < 20; x++) mask[y * w + x] = 1; // touches the top edge
    const before = mask.slice();
    growMask(mask, w, w, 4);
    assert.equal(mask[14 * w + 15], 1);
    assert.equal(mask[0 * w + 7], 1);
    growMask(mask, w, w, -4);
    assert.deepEqual(mask, before);
    assert.equal(growMask(mask, w, w, -4), 2 * 8); // columns 14-15 of rows 0..7: the top edge is not unmasked
  });

  it("says when nothing changed", () => {
    assert.equal(growMask(new Uint8Array(16), 4, 4, 2), null);
    assert.equal(growMask(new Uint8Array(16).fill(1), 4, 4, 2), null);
    assert.equal(growMask(new Uint8Array(16), 4, 4, 0), null);
  });

  it("is undoable through the raster as one step", () => {
    const raster = new MaskRaster(50, 40);
    raster.fillRect(20, 20, 24, 24, 1);
    assert.equal(raster.count, 16);
    raster.grow(2);
    assert.ok(raster.count > 16);
    raster.grow(-2);
    assert.equal(raster.count, 16);
  });
});
