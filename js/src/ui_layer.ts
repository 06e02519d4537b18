/**
 * The UI layer's drawing: the shape in progress, the keyboard cursor and the brush ring, in the theme's
 * colours (a wide line in one, a thin one in the other, so they show on any picture).
 */
import { type CanvasColours, strokeVisible } from "./theme";
import type { Gesture } from "./tools";
import type { Point, ViewTransform } from "./view";

export interface UiLayerState {
  gesture: Gesture | null;
  view: ViewTransform;
  colours: CanvasColours;
  /** The keyboard cursor on screen, or null. */
  cursor: Point | null;
  /** The pointer on screen (null while panning or away). */
  pointer: Point | null;
  /** The brush whose ring follows the cursor or pointer, or null for the other tools. */
  brush: "brush" | "eraser" | null;
  brushSize: number;
}

export function drawUiLayer(ctx: CanvasRenderingContext2D, s: UiLayerState): void {
  s.gesture?.preview(ctx, s.view, s.colours);
  if (s.cursor) drawCrosshair(ctx, s.cursor, s.colours);
  const p = s.cursor ?? s.pointer;
  if (!p || !s.brush) return;
  const r = Math.max(1, (s.brushSize / 2) * s.view.scale);
  ctx.beginPath();
  ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
  strokeVisible(ctx, s.colours, s.brush === "eraser" ? [4, 3] : []);
}

/** The keyboard cursor: a crosshair with a gap at its centre. */
function drawCrosshair(ctx: CanvasRenderingContext2D, p: Point, colours: CanvasColours): void {
  ctx.beginPath();
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
    ctx.moveTo(p.x + dx * 4, p.y + dy * 4);
    ctx.lineTo(p.x + dx * 14, p.y + dy * 14);
  }
  strokeVisible(ctx, colours, [], 1.5);
}
