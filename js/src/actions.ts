/**
 * What each toolbar button and shortcut does (keys.ts maps keys to these actions; ui.ts buttons too).
 */
import type { Action } from "./keys";
import type { Model, Tool } from "./model";
import type { MaskRaster, Rect } from "./raster";
import type { Stage } from "./stage";

/** The painter, as the actions see it. */
export interface ActionHost {
  readonly stage: Stage;
  readonly tool: Tool;
  readonly helpOpen: boolean;
  toggleHelp(open?: boolean): void;
  cancelGesture(): void;
  closePolygon(): void;
  undoRedo(which: "undo" | "redo"): void;
  editMask(label: string, edit: (raster: MaskRaster) => Rect | null): void;
  trait<K extends keyof Model>(name: K): Model[K];
  setTrait<K extends keyof Model>(name: K, value: Model[K]): void;
  brushSizeBy(steps: number): void;
}

/** The brush size one step ([ / ] or Alt+wheel) up or down from `size`: 20 % a step, at least 1 px. */
export function nextBrushSize(size: number, steps: number, max: number): number {
  const next = steps > 0 ? Math.max(size + 1, Math.round(size * 1.2)) : Math.min(size - 1, Math.round(size / 1.2));
  return Math.min(max, Math.max(1, next));
}

export function runAction(h: ActionHost, a: Action): void {
  const st = h.stage;
  switch (a) {
    case "undo":
    case "redo":
      h.undoRedo(a);
      break;
    case "grow":
    case "shrink": {
      const by = h.trait("grow_by");
      h.editMask(a, (r) => r.grow(a === "grow" ? by : -by));
      break;
    }
    case "invert":
      h.editMask(a, (r) => r.invert());
      break;
    case "clear":
    case "fill":
      h.editMask(a, (r) => r.fillAll(a === "fill" ? 1 : 0));
      break;
    case "swap":
      h.setTrait("tool", h.tool === "eraser" ? "brush" : "eraser");
      break;
    case "size-down":
    case "size-up":
      h.brushSizeBy(a === "size-up" ? 1 : -1);
      break;
    case "fit":
      st.fit();
      break;
    case "actual":
      st.zoomCentered(1);
      break;
    case "zoom-in":
    case "zoom-out":
      st.zoomCentered(st.view.scale * (a === "zoom-in" ? 1.25 : 0.8));
      break;
    case "toggle-mask":
      h.setTrait("show_mask", !h.trait("show_mask"));
      break;
    case "help":
      h.toggleHelp();
      break;
    case "cancel":
      if (h.helpOpen) h.toggleHelp(false);
      else h.cancelGesture();
      break;
    case "close-polygon":
      h.closePolygon();
      break;
    default:
      if (a.startsWith("tool:")) {
        h.cancelGesture();
        h.setTrait("tool", a.slice(5) as Tool);
      }
  }
}
