import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { assemblePng, crc32, decodeMaskPng, encodeMaskPng, packRows, pngSize } from "../src/png";

function randomMask(w: number, h: number, seed: number): Uint8Array {
  let s = seed;
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 31;
  }
  return out;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An 8-bit greyscale PNG whose rows use the given filter (what other encoders, e.g. Pillow, may write). */
async function greyPng(grey: Uint8Array, w: number, h: number, filter: number): Promise<Uint8Array> {
  const raw = new Uint8Array((w + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = filter;
    for (let x = 0; x < w; x++) {
      const cur = grey[y * w + x]!;
      const a = x > 0 ? grey[y * w + x - 1]! : 0;
      const b = y > 0 ? grey[(y - 1) * w + x]! : 0;
      const c = x > 0 && y > 0 ? grey[(y - 1) * w + x - 1]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][filter]!;
      raw[y * (w + 1) + 1 + x] = (cur - pred) & 0xff;
    }
  }
  return assemblePng(await deflate(raw), w, h, 8);
}

describe("mask PNG", () => {
  it("computes the standard CRC-32", () => {
    assert.equal(crc32(new TextEncoder().encode("IEND")), 0xae426082);
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
  });

  it("packs whole-byte widths (the fast path) exactly like the plain loop would", () => {
    for (const [w, h] of [[8, 3], [64, 17], [4096, 2]] as const) {
      const mask = randomMask(w, h, w + h);
      const rows = packRows(mask, w, h);
      const stride = 1 + w / 8;
      for (let y = 0; y < h; y++) {
        assert.equal(rows[y * stride], 0);
        for (let b = 0; b < w / 8; b++) {
          let v = 0;
          for (let k = 0; k < 8; k++) v |= mask[y * w + b * 8 + k]! << (7 - k);
          assert.equal(rows[y * stride + 1 + b], v, `row ${y} byte ${b}`);
        }
      }
    }
  });

  it("packs 8 pixels per byte, most significant bit first, after a filter byte", () => {
    const rows = packRows(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 1, 1, 1]), 10, 1);
    assert.deepEqual([...rows], [0, 0b10000001, 0b11000000]);
  });

  for (const [w, h] of [
    [1, 1],
    [13, 7],
    [64, 64],
    [333, 211],
  ] as const) {
  it(`round-trips a ${w}×${h} mask losslessly`, async () => {
    const mask = randomMask(w, h, w * 31 + h);
    const png = await encodeMaskPng(mask, w, h);
    assert.deepEqual(pngSize(png), [w, h]);
    assert.equal(png[24], 1); // bit depth 1
    assert.equal(png[25], 0); // greyscale
    const back = await decodeMaskPng(png);
    assert.equal(back.width, w);
    assert.equal(back.height, h);
    assert.deepEqual(back.data, mask);
  });
  }

  it("keeps a 4096 × 4096 stroke mask small", async () => {
    const w = 4096;
    const mask = new Uint8Array(w * w);
    for (let y = 1000; y < 1100; y++) mask.fill(1, y * w + 500, y * w + 3500);
    const png = await encodeMaskPng(mask, w, w);
    assert.ok(png.length < 20_000);
    const back = (await decodeMaskPng(png)).data;
    // (a deep comparison of 16 M elements is slow; compare them directly)
    assert.equal(back.length, mask.length);
    assert.equal(back.every((v, i) => v === mask[i]), true);
  });

  for (const filter of [0, 1, 2, 3, 4]) {
  it(`reads 8-bit greyscale with row filter ${filter} (grey >= 128 is edit)`, async () => {
    const w = 23;
    const h = 9;
    const grey = new Uint8Array(w * h).map((_, i) => (i * 37) % 256);
    const back = await decodeMaskPng(await greyPng(grey, w, h, filter));
    assert.deepEqual([...back.data], [...grey].map((g) => (g >= 128 ? 1 : 0)));
  });
  }

  it("refuses what is not a greyscale PNG", async () => {
    await assert.rejects(decodeMaskPng(new Uint8Array([1, 2, 3])), /not a PNG/);
    const png = await encodeMaskPng(new Uint8Array(4), 2, 2);
    png[25] = 2; // claim RGB
    await assert.rejects(decodeMaskPng(png), /unsupported/);
  });
});
