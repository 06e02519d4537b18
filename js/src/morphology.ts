/**
 * Grow and shrink the mask by N pixels with a round brush: growing, a pixel joins when its centre is
 * within N of a masked pixel's centre; shrinking, a pixel leaves when within N of an unmasked one (outside
 * the picture counts as neither, so a mask touching the edge stays there). Exact Euclidean distances (Felzenszwalb & Huttenlocher's two-pass transform), limited to
 * the masked area's bounding box grown by N, so the cost follows the mask, not the 12 MP picture.
 */

const INF = 1e20;

/** Squared distance from each pixel of the `w` × `h` box to the nearest pixel where `on` is 1. */
function squaredDistances(on: (x: number, y: number) => boolean, w: number, h: number): Float64Array {
  const d = new Float64Array(w * h);
  // columns: distance to the nearest "on" pixel in the same column, as a square
  for (let x = 0; x < w; x++) {
    let last = -INF;
    for (let y = 0; y < h; y++) {
      if (on(x, y)) last = y;
      d[y * w + x] = last === -INF ? INF : y - last;
    }
    last = INF;
    for (let y = h - 1; y >= 0; y--) {
      if (on(x, y)) last = y;
      const below = last === INF ? INF : last - y;
      const k = y * w + x;
      const best = Math.min(d[k]!, below);
      d[k] = best >= INF ? INF : best * best;
    }
  }
  // rows: the lower envelope of parabolas through each column's squared distance
  const f = new Float64Array(w);
  const v = new Int32Array(w);
  const z = new Float64Array(w + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = d[row + x]!;
    let k = 0;
    v[0] = 0;
    z[0] = -INF;
    z[1] = INF;
    for (let q = 1; q < w; q++) {
      let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      while (s <= z[k]!) {
        k--;
        s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
      }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = INF;
    }
    k = 0;
    for (let q = 0; q < w; q++) {
      while (z[k + 1]! < q) k++;
      const dx = q - v[k]!;
      d[row + q] = dx * dx + f[v[k]!]!;
    }
  }
  return d;
}

/** The bounding box of the pixels equal to `value`, or null when there are none. */
function bounds(mask: Uint8Array, width: number, height: number, value: number) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (mask[row + x] === value) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y < y0) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/**
 * Grow (n > 0) or shrink (n < 0) the mask in place by |n| pixels. Returns the number of pixels set
 * afterwards, or null when nothing changed.
 */
export function growMask(mask: Uint8Array, width: number, height: number, n: number): number | null {
  const r = Math.abs(Math.round(n));
  if (r === 0) return null;
  // shrinking the mask is growing the unmasked area
  const value = n > 0 ? 1 : 0;
  const src = bounds(mask, width, height, value);
  if (!src) return null;
  const x0 = Math.max(0, src.x0 - r);
  const y0 = Math.max(0, src.y0 - r);
  const x1 = Math.min(width, src.x1 + r);
  const y1 = Math.min(height, src.y1 + r);
  const w = x1 - x0;
  const h = y1 - y0;
  const d = squaredDistances((x, y) => mask[(y + y0) * width + x + x0] === value, w, h);
  const r2 = r * r;
  let changed = false;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = (y + y0) * width + x + x0;
      if (mask[k] !== value && d[y * w + x]! <= r2) {
        mask[k] = value;
        changed = true;
      }
    }
  }
  if (!changed) return null;
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  return count;
}
