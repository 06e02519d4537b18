/**
 * Keyboard shortcuts: one table drives both the handling and the help panel, so they cannot disagree.
 */

export type Action =
  | "tool:brush"
  | "tool:eraser"
  | "tool:rectangle"
  | "tool:ellipse"
  | "tool:lasso"
  | "tool:wand"
  | "grow"
  | "shrink"
  | "swap"
  | "size-down"
  | "size-up"
  | "undo"
  | "redo"
  | "invert"
  | "clear"
  | "fill"
  | "fit"
  | "actual"
  | "zoom-in"
  | "zoom-out"
  | "toggle-mask"
  | "help"
  | "cancel"
  | "close-polygon";

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

interface Binding {
  keys: string[];
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod?: boolean;
  shift?: boolean;
  action: Action;
}

const BINDINGS: Binding[] = [
  { keys: ["z"], mod: true, shift: true, action: "redo" },
  { keys: ["z"], mod: true, action: "undo" },
  { keys: ["y"], mod: true, action: "redo" },
  { keys: ["b"], action: "tool:brush" },
  { keys: ["e"], action: "tool:eraser" },
  { keys: ["r"], action: "tool:rectangle" },
  { keys: ["o"], action: "tool:ellipse" },
  { keys: ["l"], action: "tool:lasso" },
  { keys: ["w"], action: "tool:wand" },
  { keys: ["."], action: "grow" },
  { keys: [","], action: "shrink" },
  { keys: ["x"], action: "swap" },
  { keys: ["["], action: "size-down" },
  { keys: ["]"], action: "size-up" },
  { keys: ["i"], action: "invert" },
  { keys: ["Delete", "Backspace"], action: "clear" },
  { keys: ["g"], action: "fill" },
  { keys: ["f"], action: "fit" },
  { keys: ["1"], action: "actual" },
  { keys: ["+", "="], action: "zoom-in" },
  { keys: ["-", "_"], action: "zoom-out" },
  { keys: ["h"], action: "toggle-mask" },
  { keys: ["?"], action: "help" },
  { keys: ["Escape"], action: "cancel" },
  { keys: ["Enter"], action: "close-polygon" },
];

/** The action for a key press, or null when the painter does not use that key. */
export function actionForKey(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  for (const b of BINDINGS) {
    if (!b.keys.includes(key)) continue;
    if (Boolean(b.mod) !== mod) continue;
    // shift only matters where the binding says so ("?" and "+" need it on most layouts)
    if (b.mod && Boolean(b.shift) !== e.shiftKey) continue;
    if (e.altKey && !b.mod) continue;
    return b.action;
  }
  return null;
}

/** The help panel's rows: [keys, what they do]. */
export const HELP: readonly [string, string][] = [
  ["B / E", "brush / eraser"],
  ["R / O / L", "rectangle / ellipse / lasso (drag; click points for a polygon, Enter closes)"],
  ["W", "magic wand: click selects similar colours (Shift adds, Alt or right-click subtracts)"],
  [". / ,", "grow / shrink the mask by the pixels set beside Grow"],
  ["X", "swap brush and eraser"],
  ["Right-drag or Alt-drag", "erase with any tool"],
  ["[ / ] or Alt + wheel", "smaller / larger brush"],
  ["Shift + drag", "square / circle"],
  ["Ctrl/⌘ + Z", "undo"],
  ["Ctrl/⌘ + Shift + Z, Ctrl + Y", "redo"],
  ["I", "invert"],
  ["Delete / G", "clear / fill all"],
  ["Wheel (when focused) or Ctrl + wheel", "zoom at the cursor"],
  ["Space + drag, middle-drag", "pan"],
  ["two fingers", "pinch to zoom and pan"],
  ["F / 1 / + / −", "fit / 100 % / zoom in / zoom out"],
  ["H", "show / hide the mask"],
  ["Esc", "cancel the shape in progress, close this help"],
  ["Arrows (Shift: faster)", "no pointer needed: move the keyboard cursor over the picture"],
  ["Enter … arrows … Enter", "at the cursor: start, draw, end a stroke, shape or lasso (Alt + Enter erases)"],
  ["Shift + Enter", "close a polygon (a lasso that did not move adds a point per Enter)"],
  ["W, then Enter", "magic wand at the keyboard cursor (Shift + Enter adds, Alt + Enter subtracts)"],
  ["Tab, then Enter or Space", "reach and press the toolbar's buttons"],
];
