/**
 * The keyboard cursor: every tool works without a pointer.
 *
 * With the drawing area focused, the arrow keys show a cursor (a crosshair) and move it over the picture,
 * 8 screen pixels a press (Shift: 40). Enter starts what a press of the mouse button would start at the
 * cursor — the brush's pen down, a rectangle's or ellipse's first corner, the lasso's first point — the
 * arrows then draw, size the shape or trace the lasso, and Enter again ends it (one undoable step, one
 * mask to the kernel). A lasso that did not move becomes a polygon: each Enter adds a point, Shift+Enter
 * closes it. The magic wand selects at the cursor on Enter (Shift+Enter adds to the mask). Alt+Enter
 * erases instead, Esc cancels.
 * Moving the pointer over the picture hides the cursor, and the mouse takes over.
 */
import type { Point, ViewTransform } from "./view";

/** What the cursor drives: the painter's gestures, in screen coordinates like the pointer's. */
export interface CursorTarget {
  readonly view: ViewTransform;
  /** The image's size in pixels. */
  readonly imageSize: { width: number; height: number };
  hasGesture(): boolean;
  /** True while a polygon (click-by-click lasso) is open: Enter then adds a point. */
  polygonOpen(): boolean;
  beginGesture(screen: Point, erase: boolean, add: boolean): void;
  clickGesture(screen: Point): void;
  moveGesture(screens: Point[], constrain: boolean): void;
  releaseGesture(): void;
  /** The cursor moved or appeared/disappeared: redraw the UI layer. */
  cursorChanged(): void;
}

/** Screen pixels per arrow press, and with Shift. */
export const STEP = 8;
export const FAST_STEP = 40;

export class KeyboardCursor {
  /** Where the cursor is, in image pixels; null while hidden (the pointer was used last). */
  at: Point | null = null;

  constructor(private t: CursorTarget) {}

  get visible(): boolean {
    return this.at !== null;
  }

  /** The cursor in screen coordinates (CSS pixels of the drawing area), or null. */
  get screen(): Point | null {
    if (!this.at) return null;
    const [x, y] = this.t.view.toScreen(this.at.x, this.at.y);
    return { x, y };
  }

  hide(): void {
    if (!this.at) return;
    this.at = null;
    this.t.cursorChanged();
  }

  /** An arrow key: move by (dx, dy) steps (each −1, 0 or 1); the first press shows it at the centre. */
  move(dx: number, dy: number, fast: boolean): void {
    const { width, height } = this.t.imageSize;
    if (!this.at) {
      this.at = { x: width / 2, y: height / 2 };
    } else {
      const step = (fast ? FAST_STEP : STEP) / this.t.view.scale;
      this.at = {
        x: Math.min(width, Math.max(0, this.at.x + dx * step)),
        y: Math.min(height, Math.max(0, this.at.y + dy * step)),
      };
    }
    if (this.t.hasGesture()) this.t.moveGesture([this.screen!], false);
    this.t.cursorChanged();
  }

  /** Enter at the cursor; returns false when the cursor is hidden (Enter then keeps its other meaning). */
  enter(erase: boolean, add = false): boolean {
    const p = this.screen;
    if (!p) return false;
    if (!this.t.hasGesture()) this.t.beginGesture(p, erase, add);
    else if (this.t.polygonOpen()) this.t.clickGesture(p);
    else this.t.releaseGesture();
    this.t.cursorChanged();
    return true;
  }
}
