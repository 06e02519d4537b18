/**
 * What a drag does with each tool. A gesture paints into the raster as it goes (the brush) or only when
 * it ends (rectangle, ellipse, lasso), and draws its own preview outline on the UI layer.
 * Coordinates are image pixels (floats).
 */
import type { Tool } from "./model";
import { type Bit, type MaskRaster, type Rect, unionRect } from "./raster";
import { type CanvasColours, strokeVisible } from "./theme";
import type { Point, ViewTransform } from "./view";

export interface Gesture {
  /** Continue to the given points (coalesced pointer samples); returns the raster rectangle changed. */
  move(points: readonly Point[], constrain: boolean): Rect | null;
  /** A click while the gesture is open (the polygon adds a vertex); returns true when it ended itself. */
  click?(p: Point): boolean;
  /** Pointer released: true when the gesture is finished and should be committed. */
  release(): boolean;
  /** Paint what the gesture leaves behind; returns every raster rectangle it changed, over its life. */
  finish(): Rect | null;
  /** Draw the outline preview on the UI layer (context in CSS pixels), in the theme's colours. */
  preview(ctx: CanvasRenderingContext2D, view: ViewTransform, colours: CanvasColours): void;
  readonly label: string;
}

export class BrushGesture implements Gesture {
  readonly label: string;
  private last: Point;
  private dirty: Rect | null;

  constructor(
    private raster: MaskRaster,
    start: Point,
    private radius: number,
    private value: Bit,
  ) {
    this.label = value ? "brush" : "eraser";
    this.last = start;
    this.dirty = raster.stampSegment(start.x, start.y, start.x, start.y, radius, value);
  }

  /** The first dab, painted by the constructor. */
  get initial(): Rect | null {
    return this.dirty;
  }

  move(points: readonly Point[]): Rect | null {
    let changed: Rect | null = null;
    for (const p of points) {
      changed = unionRect(changed, this.raster.stampSegment(this.last.x, this.last.y, p.x, p.y, this.radius, this.value));
      this.last = p;
    }
    this.dirty = unionRect(this.dirty, changed);
    return changed;
  }

  release(): boolean {
    return true;
  }

  finish(): Rect | null {
    return this.dirty;
  }

  preview(): void {}
}

export class ShapeGesture implements Gesture {
  readonly label: string;
  private end: Point;

  constructor(
    private raster: MaskRaster,
    private kind: "rectangle" | "ellipse",
    private start: Point,
    private value: Bit,
  ) {
    this.label = value ? kind : `erase ${kind}`;
    this.end = start;
  }

  move(points: readonly Point[], constrain: boolean): Rect | null {
    const p = points[points.length - 1];
    if (!p) return null;
    this.end = constrain ? squareFrom(this.start, p) : p;
    return null;
  }

  release(): boolean {
    return true;
  }

  finish(): Rect | null {
    const { start: a, end: b } = this;
    if (this.kind === "rectangle") return this.raster.fillRect(a.x, a.y, b.x, b.y, this.value);
    return this.raster.fillEllipse(a.x, a.y, b.x, b.y, this.value);
  }

  preview(ctx: CanvasRenderingContext2D, view: ViewTransform, colours: CanvasColours): void {
    const [x0, y0] = view.toScreen(this.start.x, this.start.y);
    const [x1, y1] = view.toScreen(this.end.x, this.end.y);
    ctx.beginPath();
    if (this.kind === "rectangle") ctx.rect(x0, y0, x1 - x0, y1 - y0);
    else ctx.ellipse((x0 + x1) / 2, (y0 + y1) / 2, Math.abs(x1 - x0) / 2, Math.abs(y1 - y0) / 2, 0, 0, 2 * Math.PI);
    strokeVisible(ctx, colours, [5, 5], 1.5);
  }
}

/**
 * Freehand lasso (drag) or polygon (click vertices; close with a click on the first vertex, a double
 * click or Enter). A click that does not move starts polygon mode.
 */
export class LassoGesture implements Gesture {
  readonly label: string;
  private points: Point[];
  private hover: Point;
  private moved = false;
  private polygon = false;

  constructor(
    private raster: MaskRaster,
    start: Point,
    private value: Bit,
    /** Image pixels that count as "the same place" (about 4 screen pixels). */
    private tolerance: number,
  ) {
    this.label = value ? "lasso" : "erase lasso";
    this.points = [start];
    this.hover = start;
  }

  get isPolygon(): boolean {
    return this.polygon;
  }

  get vertexCount(): number {
    return this.points.length;
  }

  move(points: readonly Point[]): Rect | null {
    for (const p of points) {
      this.hover = p;
      if (this.polygon) continue;
      const last = this.points[this.points.length - 1]!;
      if (Math.hypot(p.x - last.x, p.y - last.y) >= this.tolerance / 4) {
        this.points.push(p);
        this.moved ||= Math.hypot(p.x - this.points[0]!.x, p.y - this.points[0]!.y) > this.tolerance;
      }
    }
    return null;
  }

  click(p: Point): boolean {
    const first = this.points[0]!;
    if (this.points.length >= 3 && Math.hypot(p.x - first.x, p.y - first.y) <= this.tolerance) return true;
    this.points.push(p);
    return false;
  }

  release(): boolean {
    if (this.moved) return true;
    this.polygon = true;
    this.points = this.points.slice(0, 1);
    return false;
  }

  finish(): Rect | null {
    const flat: number[] = [];
    for (const p of this.points) flat.push(p.x, p.y);
    return this.raster.fillPolygon(flat, this.value);
  }

  preview(ctx: CanvasRenderingContext2D, view: ViewTransform, colours: CanvasColours): void {
    ctx.beginPath();
    this.points.forEach((p, i) => {
      const [x, y] = view.toScreen(p.x, p.y);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    const [hx, hy] = view.toScreen(this.hover.x, this.hover.y);
    if (this.polygon) ctx.lineTo(hx, hy);
    ctx.closePath();
    strokeVisible(ctx, colours, [5, 5], 1.5);
    if (this.polygon) {
      const [fx, fy] = view.toScreen(this.points[0]!.x, this.points[0]!.y);
      ctx.beginPath();
      ctx.arc(fx, fy, 4, 0, 2 * Math.PI);
      strokeVisible(ctx, colours, [5, 5], 1.5);
    }
  }
}

/** The tool's gesture for a drag starting at `p`; `erase` flips painting to erasing. */
export function startGesture(
  tool: Tool,
  raster: MaskRaster,
  p: Point,
  opts: { radius: number; erase: boolean; tolerance: number },
): Gesture {
  const paint: Bit = (tool === "eraser") !== opts.erase ? 0 : 1;
  switch (tool) {
    case "rectangle":
    case "ellipse":
      return new ShapeGesture(raster, tool, p, paint);
    case "lasso":
      return new LassoGesture(raster, p, paint, opts.tolerance);
    default:
      return new BrushGesture(raster, p, opts.radius, paint);
  }
}

/** The end point that makes the box from `a` a square (for Shift-drag). */
export function squareFrom(a: Point, b: Point): Point {
  const side = Math.max(Math.abs(b.x - a.x), Math.abs(b.y - a.y));
  return { x: a.x + Math.sign(b.x - a.x || 1) * side, y: a.y + Math.sign(b.y - a.y || 1) * side };
}

