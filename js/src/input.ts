/**
 * Pointer, wheel and keyboard input. Pointer Events cover mouse, pen and touch alike; coalesced samples
 * are used so fast strokes stay smooth. Nothing here talks to the kernel.
 *
 *  - left drag (one finger, pen tip): the current tool; right drag, Alt-drag or the pen's eraser end: erase
 *  - middle drag or Space + drag: pan; two fingers: pinch zoom and pan
 *  - wheel over a focused painter, or Ctrl + wheel (trackpad pinch) anywhere on it: zoom at the cursor;
 *    Alt + wheel: brush size; an unfocused painter leaves the wheel to the page so notebooks still scroll
 *  - no context menu over the painter (right-drag, long press)
 *  - arrow keys and Enter on the drawing area: the keyboard cursor (cursor.ts)
 *  - keys: see keys.ts; every key the painter uses is kept from JupyterLab (stopPropagation, plus the
 *    root's data-lm-suppress-shortcuts)
 */
import { type Action, actionForKey } from "./keys";
import type { Stage } from "./stage";
import { type Point, ViewTransform } from "./view";

export interface InputTarget {
  readonly root: HTMLElement;
  readonly stage: Stage;
  hasGesture(): boolean;
  /** `add`: Shift was held (the magic wand adds to the mask). */
  beginGesture(screen: Point, erase: boolean, add: boolean): void;
  /** A click while a polygon is open: adds a vertex or closes it. */
  clickGesture(screen: Point): void;
  moveGesture(screens: Point[], constrain: boolean): void;
  releaseGesture(): void;
  cancelGesture(): void;
  hover(screen: Point | null): void;
  action(a: Action): void;
  brushSizeBy(steps: number): void;
  viewChanged(): void;
  setPanning(on: boolean): void;
  /** Arrow keys on the drawing area: the keyboard cursor (cursor.ts). */
  cursorMove(dx: number, dy: number, fast: boolean): void;
  /** Enter on the drawing area: true when the keyboard cursor took it. */
  cursorEnter(erase: boolean, add: boolean): boolean;
}

const ARROWS: Record<string, [number, number]> = {
  ArrowLeft: [-1, 0],
  ArrowRight: [1, 0],
  ArrowUp: [0, -1],
  ArrowDown: [0, 1],
};

type Mode = { kind: "idle" } | { kind: "draw"; id: number } | { kind: "pan"; id: number; last: Point } | { kind: "pinch" };

export class InputController {
  private mode: Mode = { kind: "idle" };
  private touches = new Map<number, Point>();
  private spaceDown = false;
  private removers: (() => void)[] = [];

  constructor(private t: InputTarget) {
    const stage = t.stage.el;
    this.listen(stage, "pointerdown", (e) => this.down(e as PointerEvent));
    this.listen(stage, "pointermove", (e) => this.move(e as PointerEvent));
    this.listen(stage, "pointerup", (e) => this.up(e as PointerEvent));
    this.listen(stage, "pointercancel", (e) => this.up(e as PointerEvent, true));
    this.listen(stage, "pointerleave", () => t.hover(null));
    // right-drag erases and a long press is a touch gesture: neither may open the browser's menu, nor
    // JupyterLab's cell menu, whose handler sits higher up and sees the event unless it stops here
    this.listen(t.root, "contextmenu", (e) => {
      e.preventDefault();
      e.stopPropagation();
    });
    this.listen(stage, "dblclick", (e) => {
      e.preventDefault();
      if (t.hasGesture()) t.action("close-polygon");
    });
    this.listen(stage, "wheel", (e) => this.wheel(e as WheelEvent), { passive: false });
    this.listen(t.root, "keydown", (e) => this.keydown(e as KeyboardEvent));
    this.listen(t.root, "keyup", (e) => this.keyup(e as KeyboardEvent));
    this.listen(t.root, "focusout", (e) => {
      if (!t.root.contains((e as FocusEvent).relatedTarget as Node | null)) this.setSpace(false);
    });
  }

  destroy(): void {
    for (const remove of this.removers) remove();
    this.removers = [];
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, opts?: AddEventListenerOptions): void {
    target.addEventListener(type, fn, opts);
    this.removers.push(() => target.removeEventListener(type, fn, opts));
  }

  private down(e: PointerEvent): void {
    const t = this.t;
    const p = t.stage.localPoint(e);
    e.preventDefault();
    t.root.focus({ preventScroll: true });
    if (e.pointerType === "touch") {
      this.touches.set(e.pointerId, p);
      if (this.touches.size === 2) {
        if (this.mode.kind === "draw") t.cancelGesture();
        this.mode = { kind: "pinch" };
        return;
      }
      if (this.touches.size > 2) return;
    }
    if (this.mode.kind !== "idle") return;
    t.stage.el.setPointerCapture(e.pointerId);
    if (e.button === 1 || (e.button === 0 && this.spaceDown)) {
      this.mode = { kind: "pan", id: e.pointerId, last: p };
      t.setPanning(true);
      return;
    }
    if (e.button !== 0 && e.button !== 2 && e.button !== 5) return;
    if (t.hasGesture()) {
      // an open polygon: this press adds a vertex (or closes it)
      t.clickGesture(p);
      return;
    }
    const erase = e.button === 2 || e.button === 5 || e.altKey;
    this.mode = { kind: "draw", id: e.pointerId };
    t.beginGesture(p, erase, e.shiftKey);
  }

  private move(e: PointerEvent): void {
    const t = this.t;
    const p = t.stage.localPoint(e);
    if (e.pointerType === "touch" && this.touches.has(e.pointerId)) {
      if (this.mode.kind === "pinch") {
        const old = [...this.touches.entries()];
        this.touches.set(e.pointerId, p);
        if (old.length === 2) {
          const [[ida, a0], [idb, b0]] = old as [[number, Point], [number, Point]];
          t.stage.view.pinch(a0, b0, this.touches.get(ida)!, this.touches.get(idb)!);
          t.stage.fitted = false;
          t.viewChanged();
        }
        return;
      }
      this.touches.set(e.pointerId, p);
    }
    if (e.pointerType !== "touch") t.hover(p);
    if (this.mode.kind === "pan" && this.mode.id === e.pointerId) {
      t.stage.view.panBy(p.x - this.mode.last.x, p.y - this.mode.last.y);
      t.stage.fitted = false;
      this.mode.last = p;
      t.viewChanged();
    } else if (this.mode.kind === "draw" && this.mode.id === e.pointerId) {
      const samples = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
      const points = samples.length ? samples.map((s) => t.stage.localPoint(s)) : [p];
      t.moveGesture(points, e.shiftKey);
    } else if (t.hasGesture()) {
      t.moveGesture([p], e.shiftKey); // polygon: rubber band to the pointer
    }
  }

  private up(e: PointerEvent, cancelled = false): void {
    const t = this.t;
    if (e.pointerType === "touch") {
      this.touches.delete(e.pointerId);
      if (this.mode.kind === "pinch") {
        if (this.touches.size === 0) this.mode = { kind: "idle" };
        return;
      }
    }
    if (t.stage.el.hasPointerCapture(e.pointerId)) t.stage.el.releasePointerCapture(e.pointerId);
    if (this.mode.kind === "pan" && this.mode.id === e.pointerId) {
      this.mode = { kind: "idle" };
      t.setPanning(this.spaceDown);
    } else if (this.mode.kind === "draw" && this.mode.id === e.pointerId) {
      this.mode = { kind: "idle" };
      if (cancelled) t.cancelGesture();
      else t.releaseGesture();
    }
  }

  private wheel(e: WheelEvent): void {
    const t = this.t;
    const focused = t.root.contains(document.activeElement);
    const p = t.stage.localPoint(e);
    const delta = e.deltaMode === 1 ? e.deltaY * 16 : e.deltaY;
    if (e.altKey) {
      e.preventDefault();
      t.brushSizeBy(delta < 0 ? 1 : -1);
    } else if (e.ctrlKey || e.metaKey || focused) {
      e.preventDefault();
      t.stage.view.zoomBy(ViewTransform.wheelFactor(delta), p.x, p.y);
      t.stage.fitted = false;
      t.viewChanged();
    }
  }

  private setSpace(on: boolean): void {
    if (this.spaceDown === on) return;
    this.spaceDown = on;
    if (this.mode.kind !== "pan") this.t.setPanning(on);
  }

  private onControl(e: KeyboardEvent): boolean {
    const target = e.target as HTMLElement;
    return target !== this.t.root && (target.tagName === "BUTTON" || target.tagName === "INPUT");
  }

  private keydown(e: KeyboardEvent): void {
    const onControl = this.onControl(e);
    // Space pans on the drawing area only; on a focused button or box it presses it, as everywhere
    if (e.key === " " && !onControl) {
      e.preventDefault();
      e.stopPropagation();
      this.setSpace(true);
      return;
    }
    if (onControl && (e.key === " " || e.key === "Enter")) {
      e.stopPropagation(); // the control's own (native) handling, and nothing in JupyterLab
      return;
    }
    const arrow = ARROWS[e.key];
    if (arrow && (onControl || e.ctrlKey || e.metaKey)) return; // sliders use arrows
    if (arrow || (e.key === "Enter" && !e.ctrlKey && !e.metaKey)) {
      let taken = true;
      if (arrow) this.t.cursorMove(arrow[0], arrow[1], e.shiftKey);
      else taken = this.t.cursorEnter(e.altKey, e.shiftKey);
      if (taken) {
        e.preventDefault();
        e.stopPropagation();
        return;
      }
    }
    const action = actionForKey(e);
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    this.t.action(action);
  }

  private keyup(e: KeyboardEvent): void {
    if (e.key === " " && this.onControl(e)) {
      e.stopPropagation(); // a button clicks on Space's keyup: preventing it here is what broke Space
      return;
    }
    if (e.key === " ") {
      e.preventDefault();
      e.stopPropagation();
      this.setSpace(false);
    }
  }
}
