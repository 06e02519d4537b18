/**
 * The view transform between screen (CSS pixels, relative to the drawing area's top-left corner) and
 * image pixels: screen = image * scale + (tx, ty). Zooming keeps the image point under the cursor fixed.
 */

export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 64;

export class ViewTransform {
  scale = 1;
  tx = 0;
  ty = 0;

  toImage(sx: number, sy: number): [number, number] {
    return [(sx - this.tx) / this.scale, (sy - this.ty) / this.scale];
  }

  toScreen(ix: number, iy: number): [number, number] {
    return [ix * this.scale + this.tx, iy * this.scale + this.ty];
  }

  /** The whole image, centred, as large as fits in a view of `vw` × `vh`. */
  fit(vw: number, vh: number, iw: number, ih: number): void {
    this.scale = clamp(Math.min(vw / iw, vh / ih), MIN_SCALE, MAX_SCALE);
    this.tx = (vw - iw * this.scale) / 2;
    this.ty = (vh - ih * this.scale) / 2;
  }

  /** Set the scale, keeping the image point under screen point (sx, sy) where it is. */
  zoomTo(scale: number, sx: number, sy: number): void {
    const s = clamp(scale, MIN_SCALE, MAX_SCALE);
    const [ix, iy] = this.toImage(sx, sy);
    this.scale = s;
    this.tx = sx - ix * s;
    this.ty = sy - iy * s;
  }

  zoomBy(factor: number, sx: number, sy: number): void {
    this.zoomTo(this.scale * factor, sx, sy);
  }

  panBy(dx: number, dy: number): void {
    this.tx += dx;
    this.ty += dy;
  }

  /**
   * Two-finger pinch: move so that the image points under the fingers' old positions (a0, b0) end up
   * under their new positions (a1, b1), as far as a uniform scale and a translation allow.
   */
  pinch(a0: Point, b0: Point, a1: Point, b1: Point): void {
    const d0 = Math.hypot(b0.x - a0.x, b0.y - a0.y);
    const d1 = Math.hypot(b1.x - a1.x, b1.y - a1.y);
    const m0 = { x: (a0.x + b0.x) / 2, y: (a0.y + b0.y) / 2 };
    const m1 = { x: (a1.x + b1.x) / 2, y: (a1.y + b1.y) / 2 };
    if (d0 > 1e-6 && d1 > 1e-6) this.zoomTo(this.scale * (d1 / d0), m0.x, m0.y);
    this.panBy(m1.x - m0.x, m1.y - m0.y);
  }

  /** A zoom step for the wheel: `deltaY` in pixels, negative = zoom in. */
  static wheelFactor(deltaY: number): number {
    return Math.exp(clamp(-deltaY, -300, 300) * 0.002);
  }
}

export interface Point {
  x: number;
  y: number;
}

export function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
