/**
 * The drawing area: three stacked canvases the size of the visible area (not of the image).
 *  - image: the picture at the current view, redrawn only when the view changes, from a mip level close
 *    to the displayed size so a 4096 px image pans as fast as a small one;
 *  - mask: the overlay, sampled from the full-resolution mask, its edge outlined; only the touched
 *    rectangle is redrawn while a stroke is drawn;
 *  - ui: cursor ring and shape previews, redrawn every frame they change.
 * All drawing happens in one requestAnimationFrame callback per frame.
 */
import type { MaskRaster, Rect } from "./raster";
import { unionRect } from "./raster";
import { imageRectToDevice, type OverlayStyle, type PixelTarget, renderOverlay } from "./render";
import { type CanvasColours, readColours, toRgb } from "./theme";
import { ViewTransform } from "./view";

export class Stage {
  readonly el: HTMLDivElement;
  readonly view = new ViewTransform();
  /** True until the user zooms or pans: resizing the area then refits the image. */
  fitted = true;
  cssWidth = 0;
  cssHeight = 0;
  dpr = 1;
  /** How the mask is drawn (colour, opacity, edge colours from the theme). */
  overlayStyle: OverlayStyle = { rgb: [255, 59, 48], opacity: 0.45, edge: null };
  /** The theme's colours for what is drawn on the canvases (see theme.ts). */
  colours: CanvasColours;
  /** Called on every frame that redraws the UI layer, with a context in CSS pixels. */
  drawUi: (ctx: CanvasRenderingContext2D) => void = () => {};
  /** Called after each frame that changed anything on screen. */
  afterFrame: () => void = () => {};

  private imageCanvas: HTMLCanvasElement;
  private maskCanvas: HTMLCanvasElement;
  private uiCanvas: HTMLCanvasElement;
  private imageCtx: CanvasRenderingContext2D;
  private maskCtx: CanvasRenderingContext2D;
  private uiCtx: CanvasRenderingContext2D;
  private overlay: ImageData | null = null;
  private target: PixelTarget | null = null;
  private levels: ImageBitmap[] = [];
  private raster: MaskRaster | null = null;
  private frameRequested = false;
  private dirtyView = true;
  private dirtyMask: Rect | null = null;
  private dirtyMaskFull = false;
  private dirtyUi = true;
  private resizeObserver: ResizeObserver;

  constructor(height: number) {
    this.el = document.createElement("div");
    this.el.className = "iw-stage";
    this.el.style.height = `${height}px`;
    const make = (cls: string): [HTMLCanvasElement, CanvasRenderingContext2D] => {
      const canvas = document.createElement("canvas");
      canvas.className = cls;
      this.el.appendChild(canvas);
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("canvas 2D is not available");
      return [canvas, ctx];
    };
    [this.imageCanvas, this.imageCtx] = make("iw-layer iw-image-layer");
    [this.maskCanvas, this.maskCtx] = make("iw-layer iw-mask-layer");
    [this.uiCanvas, this.uiCtx] = make("iw-layer iw-ui-layer");
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.el);
    this.colours = readColours(document.body);
  }

  /** Read the theme's colours again (the theme changed) and redraw everything with them. */
  themeChanged(): void {
    this.colours = readColours(this.el);
    this.overlayStyle = { ...this.overlayStyle, edge: [toRgb(this.colours.ink), toRgb(this.colours.paper)] };
    this.checkerPattern = null;
    this.requestView();
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const level of this.levels) level.close();
    this.levels = [];
  }

  setHeight(height: number): void {
    this.el.style.height = `${height}px`;
  }

  setRaster(raster: MaskRaster): void {
    this.raster = raster;
    if (this.fitted) this.fit();
    this.requestMask(null);
  }

  /** Image levels, largest first; the first is drawn at the mask's full size whatever its own size. */
  setImageLevels(levels: ImageBitmap[]): void {
    for (const level of this.levels) level.close();
    this.levels = levels;
    this.requestView();
  }

  /** The mask's colour and opacity (its edge stays opaque), and whether it shows at all. */
  setOverlay(rgb: [number, number, number], opacity: number, visible: boolean): void {
    this.overlayStyle = { ...this.overlayStyle, rgb, opacity };
    this.maskCanvas.style.visibility = visible ? "visible" : "hidden";
    this.requestMask(null);
  }

  fit(): void {
    if (!this.raster || this.cssWidth <= 0 || this.cssHeight <= 0) return;
    this.view.fit(this.cssWidth, this.cssHeight, this.raster.width, this.raster.height);
    this.fitted = true;
    this.requestView();
  }

  /** Zoom to `scale` around the centre of the area (100 % = 1 image pixel per CSS pixel). */
  zoomCentered(scale: number): void {
    this.view.zoomTo(scale, this.cssWidth / 2, this.cssHeight / 2);
    this.fitted = false;
    this.requestView();
  }

  /** The view moved: the image and the whole overlay are redrawn. */
  requestView(): void {
    this.dirtyView = true;
    this.schedule();
  }

  /** Part of the mask changed (image pixels), or all of it when `rect` is null. */
  requestMask(rect: Rect | null): void {
    if (!this.raster) return;
    if (rect) this.dirtyMask = unionRect(this.dirtyMask, rect);
    else this.dirtyMaskFull = true;
    this.schedule();
  }

  requestUi(): void {
    this.dirtyUi = true;
    this.schedule();
  }

  /** The position of a pointer event relative to the drawing area, in CSS pixels. */
  localPoint(e: { clientX: number; clientY: number }): { x: number; y: number } {
    const box = this.el.getBoundingClientRect();
    return { x: e.clientX - box.left, y: e.clientY - box.top };
  }

  private schedule(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => this.frame());
  }

  private resize(): void {
    const box = this.el.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (box.width === this.cssWidth && box.height === this.cssHeight && dpr === this.dpr) return;
    this.cssWidth = box.width;
    this.cssHeight = box.height;
    this.dpr = dpr;
    const w = Math.max(1, Math.round(box.width * dpr));
    const h = Math.max(1, Math.round(box.height * dpr));
    for (const c of [this.imageCanvas, this.maskCanvas, this.uiCanvas]) {
      c.width = w;
      c.height = h;
    }
    this.overlay = this.maskCtx.createImageData(w, h);
    this.target = { pixels: new Uint32Array(this.overlay.data.buffer), width: w, height: h };
    if (this.fitted) this.fit();
    this.requestView();
  }

  private frame(): void {
    this.frameRequested = false;
    if (this.dirtyView) {
      this.drawImage();
      this.dirtyMaskFull = true;
      this.dirtyView = false;
      this.dirtyUi = true;
    }
    if ((this.dirtyMask || this.dirtyMaskFull) && this.raster && this.overlay && this.target) {
      const full = this.dirtyMaskFull || !this.dirtyMask;
      const rect = full || !this.dirtyMask ? null : imageRectToDevice(this.dirtyMask, this.view, this.dpr, this.target);
      if (full || rect) {
        renderOverlay(this.target, rect, this.raster, this.view, this.dpr, this.overlayStyle);
        if (rect) this.maskCtx.putImageData(this.overlay, 0, 0, rect.x0, rect.y0, rect.x1 - rect.x0, rect.y1 - rect.y0);
        else this.maskCtx.putImageData(this.overlay, 0, 0);
      }
      this.dirtyMask = null;
      this.dirtyMaskFull = false;
    }
    if (this.dirtyUi) {
      const ctx = this.uiCtx;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, this.uiCanvas.width, this.uiCanvas.height);
      ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
      this.drawUi(ctx);
      this.dirtyUi = false;
    }
    this.afterFrame();
  }

  private checkerPattern: CanvasPattern | null = null;

  private checker(ctx: CanvasRenderingContext2D): CanvasPattern | null {
    if (!this.checkerPattern) {
      const tile = document.createElement("canvas");
      tile.width = tile.height = 16;
      const t = tile.getContext("2d");
      if (!t) return null;
      t.fillStyle = this.colours.checkerLight;
      t.fillRect(0, 0, 16, 16);
      t.fillStyle = this.colours.checkerDark;
      t.fillRect(0, 0, 8, 8);
      t.fillRect(8, 8, 8, 8);
      this.checkerPattern = ctx.createPattern(tile, "repeat");
    }
    return this.checkerPattern;
  }

  private drawImage(): void {
    const ctx = this.imageCtx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.imageCanvas.width, this.imageCanvas.height);
    const raster = this.raster;
    if (!raster) return;
    const { scale, tx, ty } = this.view;
    const d = this.dpr;
    const shown = raster.width * scale * d;
    // the smallest level that still has at least as many pixels as are shown
    let level = this.levels[0];
    for (const l of this.levels) if (l.width >= shown) level = l;
    ctx.setTransform(d, 0, 0, d, 0, 0);
    // a checkerboard under the image shows its transparent pixels (and the image's extent while it loads)
    ctx.fillStyle = this.checker(ctx) ?? this.colours.checkerLight;
    ctx.fillRect(tx, ty, raster.width * scale, raster.height * scale);
    if (!level) return;
    ctx.imageSmoothingEnabled = scale * d < 2;
    ctx.imageSmoothingQuality = "medium";
    ctx.setTransform(
      (d * scale * raster.width) / level.width,
      0,
      0,
      (d * scale * raster.height) / level.height,
      d * tx,
      d * ty,
    );
    ctx.drawImage(level, 0, 0);
  }
}
