/**
 * The picture as the browser holds it: the display copy decoded into mip levels (so zoomed-out views draw
 * from few pixels), its RGBA pixels for the magic wand (read once, on the first click), and an overlay
 * colour chosen against it. The copy may be smaller than the image; everything here is in its own pixels.
 */
import type { Pixels } from "./wand";

/** The image and smaller copies (halving down to ~256 px), largest first. */
export async function decodeImageLevels(bytes: Uint8Array, mime: string): Promise<ImageBitmap[]> {
  const full = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mime }));
  const levels = [full];
  let w = full.width;
  let h = full.height;
  while (Math.max(w, h) >= 512) {
    w = Math.max(1, Math.round(w / 2));
    h = Math.max(1, Math.round(h / 2));
    levels.push(await createImageBitmap(full, { resizeWidth: w, resizeHeight: h, resizeQuality: "medium" }));
  }
  return levels;
}

function pixelsOf(bitmap: ImageBitmap, width = bitmap.width, height = bitmap.height): Pixels {
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  if (!ctx) throw new Error("canvas 2D is not available");
  ctx.drawImage(bitmap, 0, 0, width, height);
  return { data: ctx.getImageData(0, 0, width, height).data, width, height };
}

export class Picture {
  private pixelCache: Pixels | null = null;

  constructor(readonly levels: ImageBitmap[]) {}

  /** The display copy's RGBA pixels (read once: 12 MB for a 2048 × 1536 copy). */
  get pixels(): Pixels | null {
    const full = this.levels[0];
    if (!full) return null;
    this.pixelCache ??= pixelsOf(full);
    return this.pixelCache;
  }

  /** The mean colour of the picture, from its smallest level. */
  meanColour(): [number, number, number] | null {
    const small = this.levels[this.levels.length - 1];
    if (!small) return null;
    const { data } = pixelsOf(small, Math.min(64, small.width), Math.min(64, small.height));
    let r = 0;
    let g = 0;
    let b = 0;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const a = data[i + 3]! / 255;
      r += data[i]! * a;
      g += data[i + 1]! * a;
      b += data[i + 2]! * a;
      n += a;
    }
    return n > 0 ? [r / n, g / n, b / n] : null;
  }

  close(): void {
    for (const level of this.levels) level.close();
    this.pixelCache = null;
  }
}

/**
 * An overlay colour that stands out on a picture of mean colour `rgb`: its hue turned half way round the
 * colour wheel, fully saturated, mid lightness (on a grey picture, which has no hue, magenta).
 */
export function contrastingColour(rgb: readonly [number, number, number] | null): string {
  if (!rgb) return "#ff00ff";
  const [r, g, b] = rgb.map((v) => v / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  let hue = 300; // no hue: magenta is rare in photos
  if (max - min > 0.04) {
    const d = max - min;
    if (max === r) hue = 60 * (((g - b) / d + 6) % 6);
    else if (max === g) hue = 60 * ((b - r) / d + 2);
    else hue = 60 * ((r - g) / d + 4);
    hue = (hue + 180) % 360;
  }
  // HSL → RGB with s = 1, l = 0.5
  const f = (n: number): number => {
    const k = (n + hue / 30) % 12;
    return 0.5 - 0.5 * Math.max(-1, Math.min(k - 3, 9 - k, 1));
  };
  const hex = (v: number): string => Math.round(v * 255).toString(16).padStart(2, "0");
  return `#${hex(f(0))}${hex(f(8))}${hex(f(4))}`;
}
