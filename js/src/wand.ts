/**
 * The magic wand: the pixels whose colour is within a tolerance of the clicked pixel's, either only those
 * connected to it (contiguous, 4-neighbours) or all over the picture (global). It works on the display
 * copy's pixels (at most 2048 px a side, what the user sees) and the selection is then scaled to the
 * mask's full resolution, so a click on a 12 MP photo costs what a click on a 3 MP one does.
 */
import type { MaskRaster, Rect } from "./raster";

export interface Pixels {
  /** RGBA, 4 bytes per pixel, row by row (ImageData's layout). */
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/** How the selection meets the mask: Shift adds, Alt / right button / eraser subtracts. */
export type Combine = "replace" | "add" | "subtract";

/**
 * 1 for every pixel similar to the one at (x, y): the largest difference of its R, G and B from the
 * seed's is at most `tolerance` (0..255).
 */
export function wandSelect(px: Pixels, x: number, y: number, tolerance: number, contiguous: boolean): Uint8Array {
  const { data, width, height } = px;
  const out = new Uint8Array(width * height);
  const sx = Math.min(width - 1, Math.max(0, Math.floor(x)));
  const sy = Math.min(height - 1, Math.max(0, Math.floor(y)));
  const s = 4 * (sy * width + sx);
  const r0 = data[s]!;
  const g0 = data[s + 1]!;
  const b0 = data[s + 2]!;
  const t = Math.max(0, tolerance);
  const similar = (i: number): boolean => {
    const k = 4 * i;
    return Math.abs(data[k]! - r0) <= t && Math.abs(data[k + 1]! - g0) <= t && Math.abs(data[k + 2]! - b0) <= t;
  };
  if (!contiguous) {
    for (let i = 0; i < out.length; i++) if (similar(i)) out[i] = 1;
    return out;
  }
  // scanline flood fill: each stack entry is a pixel to grow a horizontal run from
  let stackBuf = new Int32Array(Math.max(16, width * 4));
  let top = 0;
  const push = (i: number): void => {
    if (top === stackBuf.length) {
      const bigger = new Int32Array(stackBuf.length * 2);
      bigger.set(stackBuf);
      stackBuf = bigger;
    }
    stackBuf[top++] = i;
  };
  push(sy * width + sx);
  while (top > 0) {
    const i = stackBuf[--top]!;
    if (out[i]) continue; // reached meanwhile from another run
    const row = Math.floor(i / width) * width;
    let left = i;
    while (left > row && !out[left - 1] && similar(left - 1)) left--;
    let right = i;
    while (right < row + width - 1 && !out[right + 1] && similar(right + 1)) right++;
    out.fill(1, left, right + 1);
    // the rows above and below: one seed per stretch of similar, unselected pixels along this run
    for (const next of [row - width, row + width]) {
      if (next < 0 || next >= out.length) continue;
      let inRun = false;
      for (let j = left - row + next, end = right - row + next; j <= end; j++) {
        if (!out[j] && similar(j)) {
          if (!inRun) push(j);
          inRun = true;
        } else {
          inRun = false;
        }
      }
    }
  }
  return out;
}

/**
 * The wand clicked at image point `p` (full-resolution coordinates) of a picture whose display copy has
 * pixels `px`: selects on the copy, writes into the full-size mask. Returns the rectangle changed.
 */
export function applyWand(
  raster: MaskRaster,
  px: Pixels,
  p: { x: number; y: number },
  options: { tolerance: number; contiguous: boolean },
  mode: Combine,
): Rect | null {
  if (p.x < 0 || p.y < 0 || p.x >= raster.width || p.y >= raster.height) return null;
  const sx = (p.x * px.width) / raster.width;
  const sy = (p.y * px.height) / raster.height;
  const selection = wandSelect(px, sx, sy, options.tolerance, options.contiguous);
  return raster.combineSelection(selection, px.width, px.height, mode);
}

/**
 * Write a selection made on a `sw` × `sh` copy into a `width` × `height` mask (nearest pixel: each mask
 * pixel takes the selection pixel its centre falls in). Returns whether anything changed and how many
 * mask pixels are set afterwards.
 */
export function combineScaled(
  mask: Uint8Array,
  width: number,
  height: number,
  sel: Uint8Array,
  sw: number,
  sh: number,
  mode: Combine,
): { changed: boolean; count: number } {
  const cols = new Int32Array(width);
  for (let x = 0; x < width; x++) cols[x] = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / width));
  let changed = false;
  let count = 0;
  for (let y = 0; y < height; y++) {
    const srow = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / height)) * sw;
    const mrow = y * width;
    for (let x = 0; x < width; x++) {
      const s = sel[srow + cols[x]!]!;
      const old = mask[mrow + x]!;
      const v = mode === "replace" ? s : mode === "add" ? old | s : old & (s ^ 1);
      if (v !== old) {
        mask[mrow + x] = v;
        changed = true;
      }
      count += v;
    }
  }
  return { changed, count };
}
