/**
 * Drawing the mask overlay: the full-resolution mask is sampled straight into the screen-sized overlay's
 * pixels, so no full-size RGBA copy of the mask ever exists. Zoomed in, each image pixel is a crisp block;
 * zoomed out, up to 4 × 4 samples per screen pixel give a soft edge without losing thin strokes. While a
 * stroke is drawn only the rectangle it touched is redrawn.
 */
import type { MaskRaster, Rect } from "./raster";
import type { ViewTransform } from "./view";

export interface PixelTarget {
  /** RGBA pixels of the overlay as 32-bit words (ImageData's buffer; little-endian: 0xAABBGGRR). */
  pixels: Uint32Array;
  /** Size in device pixels. */
  width: number;
  height: number;
}

/** "#rrggbb" → [r, g, b]; anything else gives the default red. */
export function parseColor(css: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(css.trim());
  const hex = m ? m[1]! : "ff3b30";
  return [parseInt(hex.slice(0, 2), 16), parseInt(hex.slice(2, 4), 16), parseInt(hex.slice(4, 6), 16)];
}

/** How many samples per screen pixel and axis for a view scale (image px → device px). */
export function samplesPerAxis(deviceScale: number): number {
  return deviceScale >= 1 ? 1 : Math.min(4, Math.ceil(1 / deviceScale));
}

/** The device-pixel rectangle of the overlay that shows `rect` of the image (one pixel of slack). */
export function imageRectToDevice(rect: Rect, view: ViewTransform, dpr: number, target: PixelTarget): Rect | null {
  const [sx0, sy0] = view.toScreen(rect.x0, rect.y0);
  const [sx1, sy1] = view.toScreen(rect.x1, rect.y1);
  const out = {
    x0: Math.max(0, Math.floor(sx0 * dpr) - 1),
    y0: Math.max(0, Math.floor(sy0 * dpr) - 1),
    x1: Math.min(target.width, Math.ceil(sx1 * dpr) + 1),
    y1: Math.min(target.height, Math.ceil(sy1 * dpr) + 1),
  };
  return out.x1 > out.x0 && out.y1 > out.y0 ? out : null;
}

/** How the mask is drawn: its colour at `opacity`, and a dashed edge in two contrasting colours. */
export interface OverlayStyle {
  rgb: readonly [number, number, number];
  opacity: number;
  /** The edge's two colours (theme ink and paper), drawn opaque so the mask shows on any picture. */
  edge: readonly [readonly [number, number, number], readonly [number, number, number]] | null;
}

const word = (rgb: readonly [number, number, number], alpha: number): number =>
  ((alpha << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0;

/**
 * Redraw `rect` (device pixels; the whole target when null) of the overlay from the mask. Pixels outside
 * the image are cleared. A pixel is inside the mask when at least half its samples are; inside pixels next
 * to an outside one form the edge, dashed every 4 pixels.
 */
export function renderOverlay(
  target: PixelTarget,
  rect: Rect | null,
  raster: MaskRaster,
  view: ViewTransform,
  dpr: number,
  style: OverlayStyle,
): void {
  const { pixels, width: tw, height: th } = target;
  const r = rect ?? { x0: 0, y0: 0, x1: tw, y1: th };
  if (r.x1 <= r.x0 || r.y1 <= r.y0) return;
  // the samples are counted over the rectangle and a one-pixel border, for the edge test
  const ex0 = Math.max(0, r.x0 - 1);
  const ey0 = Math.max(0, r.y0 - 1);
  const cols = Math.min(tw, r.x1 + 1) - ex0;
  const rows = Math.min(th, r.y1 + 1) - ey0;
  const k = samplesPerAxis(view.scale * dpr);
  const n = k * k;
  const { width: iw, height: ih, data } = raster;
  const colIdx = new Int32Array(cols * k);
  for (let c = 0; c < cols; c++) {
    for (let j = 0; j < k; j++) {
      const ix = Math.floor(((ex0 + c + (j + 0.5) / k) / dpr - view.tx) / view.scale);
      colIdx[c * k + j] = ix >= 0 && ix < iw ? ix : -1;
    }
  }
  const hits = new Uint8Array(cols * rows);
  const rowOff = new Int32Array(k);
  for (let y = 0; y < rows; y++) {
    let anyRow = false;
    for (let j = 0; j < k; j++) {
      const iy = Math.floor(((ey0 + y + (j + 0.5) / k) / dpr - view.ty) / view.scale);
      const ok = iy >= 0 && iy < ih;
      rowOff[j] = ok ? iy * iw : -1;
      anyRow ||= ok;
    }
    if (!anyRow) continue;
    for (let c = 0; c < cols; c++) {
      let h = 0;
      for (let jx = 0; jx < k; jx++) {
        const ix = colIdx[c * k + jx]!;
        if (ix < 0) continue;
        for (let jy = 0; jy < k; jy++) {
          const ro = rowOff[jy]!;
          if (ro >= 0) h += data[ro + ix]!;
        }
      }
      hits[y * cols + c] = h;
    }
  }
  const colours = new Uint32Array(n + 1);
  for (let h = 1; h <= n; h++) colours[h] = word(style.rgb, Math.round((255 * style.opacity * h) / n));
  const edge = style.edge ? [word(style.edge[0], 255), word(style.edge[1], 255)] : null;
  const inside = (h: number): boolean => 2 * h >= n;
  for (let y = r.y0; y < r.y1; y++) {
    const hy = y - ey0;
    const out = y * tw;
    for (let x = r.x0; x < r.x1; x++) {
      const hx = x - ex0;
      const h = hits[hy * cols + hx]!;
      let v = colours[h]!;
      if (edge && h && inside(h)) {
        // a neighbour outside the mask (beyond the overlay's own border counts as inside: no edge there)
        const left = hx > 0 ? hits[hy * cols + hx - 1]! : n;
        const right = hx + 1 < cols ? hits[hy * cols + hx + 1]! : n;
        const up = hy > 0 ? hits[(hy - 1) * cols + hx]! : n;
        const down = hy + 1 < rows ? hits[(hy + 1) * cols + hx]! : n;
        if (!inside(left) || !inside(right) || !inside(up) || !inside(down)) v = edge[((x + y) >> 2) & 1]!;
      }
      pixels[out + x] = v;
    }
  }
}
