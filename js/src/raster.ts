/**
 * The mask at the image's full pixel size: one byte per pixel, 1 = edit. Every shape is rasterised the
 * same way: a pixel is inside when its centre (x + 0.5, y + 0.5) is inside the shape, so the result does
 * not depend on the zoom level the user drew at. Each operation returns the rectangle it touched and keeps
 * `count` (pixels marked) exact, so coverage is live without rescanning the mask.
 */

import { growMask } from "./morphology";
import { type Combine, combineScaled } from "./wand";

/** A half-open rectangle of pixels: x0 <= x < x1, y0 <= y < y1. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type Bit = 0 | 1;

/**
 * Where the mask was written since it was last asked: per row, the first and last column touched
 * (min > max for an untouched row), rows y0..y1-1 at most; `all` after whole-mask operations. Lets the
 * history diff only what a stroke touched instead of its whole bounding box.
 */
export interface DirtyRows {
  all: boolean;
  min: Int32Array;
  max: Int32Array;
  y0: number;
  y1: number;
}

/** The smallest brush radius that still paints a connected line (a one-pixel brush). */
const MIN_RADIUS = Math.SQRT1_2;

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  return {
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
  };
}

export function rectArea(r: Rect): number {
  return Math.max(0, r.x1 - r.x0) * Math.max(0, r.y1 - r.y0);
}

export class MaskRaster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  /** Number of pixels set to 1. */
  count = 0;
  private dirty: DirtyRows;

  constructor(width: number, height: number, data?: Uint8Array) {
    if (!(width >= 1 && height >= 1)) throw new Error(`mask size must be positive, got ${width}×${height}`);
    this.width = width;
    this.height = height;
    this.data = data ?? new Uint8Array(width * height);
    if (this.data.length !== width * height) throw new Error("mask data does not match its size");
    if (data) this.recount();
    this.dirty = this.cleanRows();
  }

  private cleanRows(): DirtyRows {
    return {
      all: false,
      min: new Int32Array(this.height).fill(this.width),
      max: new Int32Array(this.height).fill(-1),
      y0: this.height,
      y1: 0,
    };
  }

  /** What was written since the last call (see DirtyRows), and start tracking afresh. */
  takeDirty(): DirtyRows {
    const dirty = this.dirty;
    this.dirty = this.cleanRows();
    return dirty;
  }

  private markAll(): void {
    this.dirty.all = true;
  }

  get full(): Rect {
    return { x0: 0, y0: 0, x1: this.width, y1: this.height };
  }

  coverage(): number {
    return this.count / (this.width * this.height);
  }

  recount(): void {
    let n = 0;
    const d = this.data;
    for (let i = 0; i < d.length; i++) n += d[i]!;
    this.count = n;
  }

  get(x: number, y: number): Bit {
    return this.data[y * this.width + x] as Bit;
  }

  /**
   * Set the pixels whose centres fall in [left, right] on row y; returns false when the span is empty.
   */
  private span(y: number, left: number, right: number, value: Bit): boolean {
    const x0 = Math.max(0, Math.ceil(left - 0.5));
    const x1 = Math.min(this.width - 1, Math.floor(right - 0.5));
    if (x1 < x0) return false;
    const d = this.data;
    const row = y * this.width;
    let changed = 0;
    for (let i = row + x0, end = row + x1; i <= end; i++) {
      if (d[i] !== value) {
        d[i] = value;
        changed++;
      }
    }
    this.count += value ? changed : -changed;
    if (changed) {
      const dirty = this.dirty;
      if (x0 < dirty.min[y]!) dirty.min[y] = x0;
      if (x1 > dirty.max[y]!) dirty.max[y] = x1;
      if (y < dirty.y0) dirty.y0 = y;
      if (y >= dirty.y1) dirty.y1 = y + 1;
    }
    return true;
  }

  private rowRange(top: number, bottom: number): [number, number] {
    return [Math.max(0, Math.ceil(top - 0.5)), Math.min(this.height - 1, Math.floor(bottom - 0.5))];
  }

  /** Paint a round brush dragged from (ax, ay) to (bx, by): every pixel within `radius` of the segment. */
  stampSegment(ax: number, ay: number, bx: number, by: number, radius: number, value: Bit): Rect | null {
    const r = Math.max(radius, MIN_RADIUS);
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy);
    // the swept rectangle's corners (absent for a dot)
    let quad: number[] | null = null;
    if (len > 1e-9) {
      const nx = (-dy / len) * r;
      const ny = (dx / len) * r;
      quad = [ax + nx, ay + ny, bx + nx, by + ny, bx - nx, by - ny, ax - nx, ay - ny];
    }
    const [ya, yb] = this.rowRange(Math.min(ay, by) - r, Math.max(ay, by) + r);
    let dirty: Rect | null = null;
    for (let y = ya; y <= yb; y++) {
      const cy = y + 0.5;
      let left = Infinity;
      let right = -Infinity;
      for (const [px, py] of [
        [ax, ay],
        [bx, by],
      ] as const) {
        const h = r * r - (cy - py) * (cy - py);
        if (h >= 0) {
          const w = Math.sqrt(h);
          left = Math.min(left, px - w);
          right = Math.max(right, px + w);
        }
      }
      if (quad) {
        for (let k = 0; k < 4; k++) {
          const x1 = quad[2 * k]!;
          const y1 = quad[2 * k + 1]!;
          const x2 = quad[(2 * k + 2) % 8]!;
          const y2 = quad[(2 * k + 3) % 8]!;
          if ((y1 - cy) * (y2 - cy) > 0) continue;
          if (y1 === y2) {
            left = Math.min(left, x1, x2);
            right = Math.max(right, x1, x2);
          } else {
            const x = x1 + ((cy - y1) * (x2 - x1)) / (y2 - y1);
            left = Math.min(left, x);
            right = Math.max(right, x);
          }
        }
      }
      if (left <= right && this.span(y, left, right, value)) {
        dirty = unionRect(dirty, spanRect(y, left, right, this.width));
      }
    }
    return dirty;
  }

  /** Fill the axis-aligned box between two corner points (image coordinates, any order). */
  fillRect(ax: number, ay: number, bx: number, by: number, value: Bit): Rect | null {
    const left = Math.min(ax, bx);
    const right = Math.max(ax, bx);
    const [ya, yb] = this.rowRange(Math.min(ay, by), Math.max(ay, by));
    let dirty: Rect | null = null;
    for (let y = ya; y <= yb; y++) {
      if (this.span(y, left, right, value)) dirty = unionRect(dirty, spanRect(y, left, right, this.width));
    }
    return dirty;
  }

  /** Fill the ellipse inscribed in the box between two corner points. */
  fillEllipse(ax: number, ay: number, bx: number, by: number, value: Bit): Rect | null {
    const cx = (ax + bx) / 2;
    const cyc = (ay + by) / 2;
    const rx = Math.abs(bx - ax) / 2;
    const ry = Math.abs(by - ay) / 2;
    if (rx <= 0 || ry <= 0) return null;
    const [ya, yb] = this.rowRange(cyc - ry, cyc + ry);
    let dirty: Rect | null = null;
    for (let y = ya; y <= yb; y++) {
      const t = (y + 0.5 - cyc) / ry;
      const h = 1 - t * t;
      if (h < 0) continue;
      const w = rx * Math.sqrt(h);
      if (this.span(y, cx - w, cx + w, value)) dirty = unionRect(dirty, spanRect(y, cx - w, cx + w, this.width));
    }
    return dirty;
  }

  /**
   * Fill a closed polygon given as flat [x0, y0, x1, y1, ...] (the lasso), non-zero winding rule, so a
   * loop drawn over itself stays filled.
   */
  fillPolygon(points: readonly number[], value: Bit): Rect | null {
    const n = Math.floor(points.length / 2);
    if (n < 3) return null;
    let top = Infinity;
    let bottom = -Infinity;
    for (let i = 0; i < n; i++) {
      top = Math.min(top, points[2 * i + 1]!);
      bottom = Math.max(bottom, points[2 * i + 1]!);
    }
    const [ya, yb] = this.rowRange(top, bottom);
    let dirty: Rect | null = null;
    for (let y = ya; y <= yb; y++) {
      const cy = y + 0.5;
      const crossings: [number, number][] = [];
      for (let i = 0; i < n; i++) {
        const x1 = points[2 * i]!;
        const y1 = points[2 * i + 1]!;
        const j = (i + 1) % n;
        const x2 = points[2 * j]!;
        const y2 = points[2 * j + 1]!;
        // half-open in y so a vertex shared by two edges is counted once
        if (y1 <= cy && cy < y2) crossings.push([x1 + ((cy - y1) * (x2 - x1)) / (y2 - y1), 1]);
        else if (y2 <= cy && cy < y1) crossings.push([x1 + ((cy - y1) * (x2 - x1)) / (y2 - y1), -1]);
      }
      if (crossings.length < 2) continue;
      crossings.sort((a, b) => a[0] - b[0]);
      let winding = 0;
      let start = 0;
      for (const [x, dir] of crossings) {
        const before = winding;
        winding += dir;
        if (before === 0 && winding !== 0) start = x;
        else if (before !== 0 && winding === 0) {
          // centres strictly left of the closing edge: [start, x)
          if (this.span(y, start, x - 1e-9, value)) dirty = unionRect(dirty, spanRect(y, start, x, this.width));
        }
      }
    }
    return dirty;
  }

  invert(): Rect {
    const d = this.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! ^ 1;
    this.count = d.length - this.count;
    this.markAll();
    return this.full;
  }

  fillAll(value: Bit): Rect {
    this.data.fill(value);
    this.count = value ? this.data.length : 0;
    this.markAll();
    return this.full;
  }

  /** Combine a selection made on a `sw` × `sh` copy of the picture (the magic wand) with the mask. */
  combineSelection(sel: Uint8Array, sw: number, sh: number, mode: Combine): Rect | null {
    const { changed, count } = combineScaled(this.data, this.width, this.height, sel, sw, sh, mode);
    if (!changed) return null;
    this.count = count;
    this.markAll();
    return this.full;
  }

  /** Grow (n > 0) or shrink (n < 0) the mask by |n| pixels; null when nothing changed. */
  grow(n: number): Rect | null {
    const count = growMask(this.data, this.width, this.height, n);
    if (count === null) return null;
    this.count = count;
    this.markAll();
    return this.full;
  }

  /** Replace the whole mask (same size); returns null when nothing changed. */
  replace(data: Uint8Array): Rect | null {
    if (data.length !== this.data.length) throw new Error("replacement mask has the wrong size");
    const d = this.data;
    let changed = false;
    for (let i = 0; i < d.length; i++) {
      if (d[i] !== data[i]) {
        changed = true;
        break;
      }
    }
    if (!changed) return null;
    d.set(data);
    this.recount();
    this.markAll();
    return this.full;
  }
}

function spanRect(y: number, left: number, right: number, width: number): Rect {
  return {
    x0: Math.max(0, Math.ceil(left - 0.5)),
    y0: y,
    x1: Math.min(width, Math.floor(right - 0.5) + 1),
    y1: y + 1,
  };
}
