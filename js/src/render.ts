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

/**
 * Redraw `rect` (device pixels; the whole target when null) of the overlay from the mask. Pixels outside
 * the image are cleared.
 */
export function renderOverlay(
  target: PixelTarget,
  rect: Rect | null,
  raster: MaskRaster,
  view: ViewTransform,
  dpr: number,
  rgb: readonly [number, number, number],
): void {
  const r = rect ?? { x0: 0, y0: 0, x1: target.width, y1: target.height };
  const cols = r.x1 - r.x0;
  const rows = r.y1 - r.y0;
  if (cols <= 0 || rows <= 0) return;
  const k = samplesPerAxis(view.scale * dpr);
  const { width: iw, height: ih, data } = raster;
  // image column (or -1) for each screen column and sample; image row offset (or -1) likewise
  const colIdx = new Int32Array(cols * k);
  for (let c = 0; c < cols; c++) {
    for (let j = 0; j < k; j++) {
      const ix = Math.floor(((r.x0 + c + (j + 0.5) / k) / dpr - view.tx) / view.scale);
      colIdx[c * k + j] = ix >= 0 && ix < iw ? ix : -1;
    }
  }
  const rowOff = new Int32Array(k);
  const n = k * k;
  const colours = new Uint32Array(n + 1);
  for (let h = 1; h <= n; h++) {
    const a = Math.round((255 * h) / n);
    colours[h] = ((a << 24) | (rgb[2] << 16) | (rgb[1] << 8) | rgb[0]) >>> 0;
  }
  const { pixels, width: tw } = target;
  for (let y = 0; y < rows; y++) {
    let anyRow = false;
    for (let j = 0; j < k; j++) {
      const iy = Math.floor(((r.y0 + y + (j + 0.5) / k) / dpr - view.ty) / view.scale);
      const ok = iy >= 0 && iy < ih;
      rowOff[j] = ok ? iy * iw : -1;
      anyRow ||= ok;
    }
    const out = (r.y0 + y) * tw + r.x0;
    if (!anyRow) {
      pixels.fill(0, out, out + cols);
      continue;
    }
    if (k === 1) {
      const ro = rowOff[0]!;
      for (let c = 0; c < cols; c++) {
        const ix = colIdx[c]!;
        pixels[out + c] = ix >= 0 && data[ro + ix] ? colours[1]! : 0;
      }
      continue;
    }
    for (let c = 0; c < cols; c++) {
      let hits = 0;
      for (let jx = 0; jx < k; jx++) {
        const ix = colIdx[c * k + jx]!;
        if (ix < 0) continue;
        for (let jy = 0; jy < k; jy++) {
          const ro = rowOff[jy]!;
          if (ro >= 0) hits += data[ro + ix]!;
        }
      }
      pixels[out + c] = colours[hits]!;
    }
  }
}
