/**
 * Unlimited undo/redo for the mask. Each step is stored as the XOR of the mask before and after it over
 * the rectangle it touched, run-length encoded: applying a patch toggles exactly the pixels the step
 * changed, so the same patch undoes and redoes. A brush stroke costs a few runs per row it crossed and an
 * invert costs one run, so memory stays small even at 4096 × 4096.
 *
 * The history keeps a `committed` copy of the mask as it was after the last step: a stroke in progress
 * paints the live raster, and `commit` diffs the two over the stroke's rectangle.
 */
import { type DirtyRows, type MaskRaster, type Rect, unionRect } from "./raster";

export interface Patch {
  rect: Rect;
  /** Alternating run lengths over the rectangle's pixels in row order: unchanged, changed, unchanged... */
  runs: Uint32Array;
  /** How many pixels the step toggled. */
  changed: number;
  /** What the step was, for tooltips ("brush", "invert", "from Python"...). */
  label: string;
}

/** Index of the first i in [i, end) where a and b differ (or end); equal stretches are skipped 4 bytes at a time. */
function skipEqual(a: Uint8Array, b: Uint8Array, a32: Uint32Array, b32: Uint32Array, i: number, end: number): number {
  while (i < end && (i & 3) !== 0) {
    if (a[i] !== b[i]) return i;
    i++;
  }
  let w = i >> 2;
  const wEnd = end >> 2;
  while (w < wEnd && a32[w] === b32[w]) w++;
  i = Math.max(i, w << 2);
  while (i < end && a[i] === b[i]) i++;
  return i;
}

/**
 * Run-length encode the XOR of `a` and `b` over `rect` (both `width` pixels wide). With `dirty`, only the
 * columns it lists are compared; everything else is known to be equal.
 */
export function diffRuns(
  a: Uint8Array,
  b: Uint8Array,
  width: number,
  rect: Rect,
  dirty?: DirtyRows,
): [Uint32Array, number] {
  let runs = new Uint32Array(64);
  let n = 0;
  const push = (value: number): void => {
    if (n === runs.length) {
      const bigger = new Uint32Array(runs.length * 2);
      bigger.set(runs);
      runs = bigger;
    }
    runs[n++] = value;
  };
  const aligned = a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0;
  const a32 = aligned ? new Uint32Array(a.buffer, a.byteOffset, a.length >> 2) : new Uint32Array(0);
  const b32 = aligned ? new Uint32Array(b.buffer, b.byteOffset, b.length >> 2) : new Uint32Array(0);
  let changing = false; // whether the current run is of changed pixels
  let length = 0;
  let changed = 0;
  const unchanged = (count: number): void => {
    if (count <= 0) return;
    if (changing) {
      push(length);
      changing = false;
      length = 0;
    }
    length += count;
  };
  const known = dirty && !dirty.all ? dirty : null;
  for (let y = rect.y0; y < rect.y1; y++) {
    let lo = rect.x0;
    let hi = rect.x1;
    if (known) {
      lo = Math.max(lo, known.min[y]!);
      hi = Math.min(hi, known.max[y]! + 1);
      if (lo >= hi) {
        unchanged(rect.x1 - rect.x0);
        continue;
      }
      unchanged(lo - rect.x0);
    }
    let i = y * width + lo;
    const end = y * width + hi;
    while (i < end) {
      let j = i;
      if (!changing) {
        if (aligned) j = skipEqual(a, b, a32, b32, j, end);
        else while (j < end && a[j] === b[j]) j++;
      } else {
        while (j < end && a[j] !== b[j]) j++;
        changed += j - i;
      }
      length += j - i;
      i = j;
      if (j < end) {
        push(length);
        changing = !changing;
        length = 0;
      }
    }
    unchanged(rect.x1 - hi);
  }
  push(length);
  return [runs.slice(0, n), changed];
}

/** Toggle the pixels a patch marks in `data`; returns the change in the number of set pixels. */
export function applyRuns(data: Uint8Array, width: number, patch: Patch): number {
  const { rect, runs } = patch;
  const w = rect.x1 - rect.x0;
  let delta = 0;
  let row = 0; // position inside the rectangle
  let col = 0;
  for (let k = 0; k < runs.length; k++) {
    let remaining = runs[k]!;
    if (k % 2 === 0) {
      const pos = col + remaining;
      row += Math.floor(pos / w);
      col = pos % w;
      continue;
    }
    while (remaining > 0) {
      const take = Math.min(remaining, w - col);
      const start = (rect.y0 + row) * width + rect.x0 + col;
      for (let i = start, end = start + take; i < end; i++) {
        const v = data[i]! ^ 1;
        data[i] = v;
        delta += 2 * v - 1;
      }
      remaining -= take;
      col += take;
      if (col === w) {
        col = 0;
        row++;
      }
    }
  }
  return delta;
}

export class History {
  private raster: MaskRaster;
  private committed: Uint8Array;
  private undoStack: Patch[] = [];
  private redoStack: Patch[] = [];

  constructor(raster: MaskRaster) {
    this.raster = raster;
    this.committed = raster.data.slice();
    raster.takeDirty();
  }

  /** Forget every step and take the raster as it is now as the starting point. */
  reset(raster: MaskRaster = this.raster): void {
    this.raster = raster;
    this.committed = raster.data.slice();
    raster.takeDirty();
    this.undoStack = [];
    this.redoStack = [];
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get depth(): [number, number] {
    return [this.undoStack.length, this.redoStack.length];
  }

  peekUndo(): Patch | undefined {
    return this.undoStack[this.undoStack.length - 1];
  }

  peekRedo(): Patch | undefined {
    return this.redoStack[this.redoStack.length - 1];
  }

  /**
   * Record what changed in the raster inside `rect` since the last commit as one step.
   * Returns null (and records nothing) when nothing changed.
   */
  commit(rect: Rect | null, label: string): Patch | null {
    const dirty = this.raster.takeDirty();
    const area = this.changedArea(rect, dirty);
    if (!area) return null;
    const [runs, changed] = diffRuns(this.raster.data, this.committed, this.raster.width, area, dirty);
    if (changed === 0) return null;
    this.copyChanged(this.raster.data, this.committed, area, dirty);
    const patch: Patch = { rect: area, runs, changed, label };
    this.undoStack.push(patch);
    this.redoStack = [];
    return patch;
  }

  /** Throw away the uncommitted part of the raster inside `rect` (a cancelled stroke). */
  revert(rect: Rect | null): void {
    const dirty = this.raster.takeDirty();
    const area = this.changedArea(rect, dirty);
    if (!area) return;
    this.copyChanged(this.committed, this.raster.data, area, dirty);
    this.raster.recount();
  }

  /** `rect` grown to cover every pixel the raster says it wrote; null when empty. */
  private changedArea(rect: Rect | null, dirty: DirtyRows): Rect | null {
    let area = dirty.all ? this.raster.full : rect;
    if (!dirty.all && dirty.y1 > dirty.y0) {
      let x0 = this.raster.width;
      let x1 = 0;
      for (let y = dirty.y0; y < dirty.y1; y++) {
        if (dirty.min[y]! < x0) x0 = dirty.min[y]!;
        if (dirty.max[y]! + 1 > x1) x1 = dirty.max[y]! + 1;
      }
      if (x1 > x0) area = unionRect(area, { x0, y0: dirty.y0, x1, y1: dirty.y1 });
    }
    if (!area || area.x1 <= area.x0 || area.y1 <= area.y0) return null;
    return area;
  }

  private copyChanged(from: Uint8Array, to: Uint8Array, rect: Rect, dirty: DirtyRows): void {
    if (dirty.all) {
      this.copyRect(from, to, rect);
      return;
    }
    const w = this.raster.width;
    for (let y = Math.max(rect.y0, dirty.y0); y < Math.min(rect.y1, dirty.y1); y++) {
      const lo = Math.max(rect.x0, dirty.min[y]!);
      const hi = Math.min(rect.x1, dirty.max[y]! + 1);
      if (hi > lo) to.set(from.subarray(y * w + lo, y * w + hi), y * w + lo);
    }
  }

  undo(): Patch | null {
    const patch = this.undoStack.pop();
    if (!patch) return null;
    this.apply(patch);
    this.redoStack.push(patch);
    return patch;
  }

  redo(): Patch | null {
    const patch = this.redoStack.pop();
    if (!patch) return null;
    this.apply(patch);
    this.undoStack.push(patch);
    return patch;
  }

  private apply(patch: Patch): void {
    this.raster.count += applyRuns(this.raster.data, this.raster.width, patch);
    applyRuns(this.committed, this.raster.width, patch);
  }

  private copyRect(from: Uint8Array, to: Uint8Array, rect: Rect): void {
    const w = this.raster.width;
    if (rect.x0 === 0 && rect.x1 === w) {
      to.set(from.subarray(rect.y0 * w, rect.y1 * w), rect.y0 * w);
      return;
    }
    for (let y = rect.y0; y < rect.y1; y++) {
      to.set(from.subarray(y * w + rect.x0, y * w + rect.x1), y * w + rect.x0);
    }
  }
}
