/**
 * The painter's controls: toolbar, status line (coverage and its warning) and the shortcuts help.
 * Plain DOM, styled by painter.css with JupyterLab's theme variables (and fallbacks elsewhere).
 */
import { type Action, HELP } from "./keys";
import type { Tool } from "./model";

export interface ToolbarState {
  tool: Tool;
  brushSize: number;
  maxBrush: number;
  canUndo: boolean;
  canRedo: boolean;
  color: string;
  opacity: number;
  showMask: boolean;
  tolerance: number;
  contiguous: boolean;
  growBy: number;
  zoom: number;
  coverage: number;
  width: number;
  height: number;
  syncText: string;
}

export interface ToolbarEvents {
  action(a: Action): void;
  /** Give the keyboard focus to the painter. */
  focus(): void;
  brushSize(size: number): void;
  color(css: string): void;
  opacity(value: number): void;
  showMask(visible: boolean): void;
  tolerance(value: number): void;
  contiguous(on: boolean): void;
  growBy(px: number): void;
}

/** A log scale for the size slider (0..1000) so both 2 px and 800 px are easy to hit. */
export function sizeToSlider(size: number, max: number): number {
  return Math.round((1000 * Math.log(Math.max(1, size))) / Math.log(Math.max(2, max)));
}

export function sliderToSize(pos: number, max: number): number {
  return Math.max(1, Math.round(Math.exp((pos / 1000) * Math.log(Math.max(2, max)))));
}

/** "12.3 %", with more digits near the two ends where they matter. */
export function formatCoverage(c: number): string {
  const pct = c * 100;
  if (pct > 0 && pct < 0.1) return "< 0.1 %";
  if (pct < 100 && pct > 99.9) return "> 99.9 %";
  return `${pct.toFixed(1)} %`;
}

/** The warning shown for masks the service refuses, or "" for a usable one. */
export function coverageWarning(c: number): string {
  if (c <= 0) return "Empty mask: paint the area to change (the service refuses an empty mask)";
  if (c >= 1) return "Full mask: leave some of the image unmasked (the service refuses a full mask)";
  return "";
}

const TOOL_BUTTONS: [Tool, string, string][] = [
  ["brush", "Brush", "B"],
  ["eraser", "Eraser", "E"],
  ["rectangle", "Rect", "R"],
  ["ellipse", "Ellipse", "O"],
  ["lasso", "Lasso", "L"],
  ["wand", "Wand", "W"],
];

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { cls?: string; data?: Record<string, string> } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { cls, data, ...rest } = props;
  if (cls) node.className = cls;
  Object.assign(node, rest);
  for (const [k, v] of Object.entries(data ?? {})) node.dataset[k] = v;
  for (const c of children) node.append(c);
  return node;
}

export class Toolbar {
  readonly bar: HTMLDivElement;
  readonly status: HTMLDivElement;
  readonly help: HTMLDivElement;
  private toolButtons = new Map<Tool, HTMLButtonElement>();
  private size: HTMLInputElement;
  private sizeLabel: HTMLSpanElement;
  private undo: HTMLButtonElement;
  private redo: HTMLButtonElement;
  private colorInput: HTMLInputElement;
  private opacityInput: HTMLInputElement;
  private showInput: HTMLInputElement;
  private zoomLabel: HTMLSpanElement;
  private coverageLabel: HTMLSpanElement;
  private warning: HTMLSpanElement;
  private sizeInfo: HTMLSpanElement;
  private syncLabel: HTMLSpanElement;
  private helpButton: HTMLButtonElement;
  private wandOptions: HTMLDivElement;
  private toleranceInput: HTMLInputElement;
  private contiguousInput: HTMLInputElement;
  private growInput: HTMLInputElement;
  private maxBrush = 100;

  constructor(events: ToolbarEvents) {
    const button = (label: string, title: string, action: Action, name: string): HTMLButtonElement => {
      const b = el("button", { type: "button", textContent: label, title, cls: "iw-btn", data: { action: name } });
      // a click leaves the keyboard focus on the painter itself, so Space (pan) and the shortcuts keep
      // working; the buttons stay reachable with Tab
      b.addEventListener("mousedown", (e) => e.preventDefault());
      b.addEventListener("click", () => {
        events.focus();
        events.action(action);
      });
      return b;
    };
    const group = (...children: Node[]): HTMLDivElement => el("div", { cls: "iw-group" }, children);

    const tools = group();
    for (const [tool, label, key] of TOOL_BUTTONS) {
      const b = button(label, `${label} (${key})`, `tool:${tool}` as Action, tool);
      b.setAttribute("aria-pressed", "false");
      this.toolButtons.set(tool, b);
      tools.append(b);
    }
    this.size = el("input", { type: "range", min: "0", max: "1000", title: "Brush size ([ / ])", cls: "iw-size" });
    this.size.setAttribute("aria-label", "Brush size");
    this.size.addEventListener("input", () => events.brushSize(sliderToSize(Number(this.size.value), this.maxBrush)));
    this.sizeLabel = el("span", { cls: "iw-size-label" });
    this.undo = button("Undo", "Undo (Ctrl/⌘+Z)", "undo", "undo");
    this.redo = button("Redo", "Redo (Ctrl/⌘+Shift+Z, Ctrl+Y)", "redo", "redo");
    this.zoomLabel = el("span", { cls: "iw-zoom-label", title: "Zoom" });
    this.colorInput = el("input", { type: "color", title: "Overlay colour", cls: "iw-color" });
    this.colorInput.setAttribute("aria-label", "Overlay colour");
    this.colorInput.addEventListener("input", () => events.color(this.colorInput.value));
    this.opacityInput = el("input", { type: "range", min: "0.05", max: "1", step: "0.05", title: "Overlay opacity", cls: "iw-opacity" });
    this.opacityInput.setAttribute("aria-label", "Overlay opacity");
    this.opacityInput.addEventListener("input", () => events.opacity(Number(this.opacityInput.value)));
    this.showInput = el("input", { type: "checkbox", title: "Show the mask (H)", cls: "iw-show" });
    this.showInput.addEventListener("change", () => events.showMask(this.showInput.checked));

    this.toleranceInput = el("input", { type: "range", min: "0", max: "128", title: "Wand tolerance", cls: "iw-tolerance" });
    this.toleranceInput.setAttribute("aria-label", "Wand tolerance");
    this.toleranceInput.addEventListener("input", () => events.tolerance(Number(this.toleranceInput.value)));
    this.contiguousInput = el("input", { type: "checkbox", title: "Only connected pixels", cls: "iw-contiguous" });
    this.contiguousInput.addEventListener("change", () => events.contiguous(this.contiguousInput.checked));
    // shown while the wand is the tool: the toolbar stays short otherwise
    this.wandOptions = group(
      el("label", { cls: "iw-label" }, ["Tolerance", this.toleranceInput]),
      el("label", { cls: "iw-label" }, [this.contiguousInput, "Contiguous"]),
    );
    this.wandOptions.classList.add("iw-wand-options");
    this.growInput = el("input", { type: "number", min: "1", max: "1024", title: "Pixels to grow or shrink by", cls: "iw-grow-by" });
    this.growInput.setAttribute("aria-label", "Grow or shrink by (pixels)");
    this.growInput.addEventListener("change", () => {
      const value = Math.round(Number(this.growInput.value));
      if (value >= 1 && value <= 1024) events.growBy(value);
    });
    this.helpButton = button("?", "Keyboard shortcuts (?)", "help", "help");
    this.helpButton.setAttribute("aria-label", "Help: keyboard shortcuts");
    this.helpButton.setAttribute("aria-expanded", "false");
    this.bar = el("div", { cls: "iw-toolbar" }, [
      tools,
      this.wandOptions,
      group(el("label", { cls: "iw-label" }, ["Size", this.size]), this.sizeLabel),
      group(this.undo, this.redo),
      group(
        button("Invert", "Invert the mask (I)", "invert", "invert"),
        button("Clear", "Clear the mask (Delete)", "clear", "clear"),
        button("Fill", "Mask the whole image (G)", "fill", "fill"),
      ),
      group(
        button("Grow", "Grow the mask (.)", "grow", "grow"),
        button("Shrink", "Shrink the mask (,)", "shrink", "shrink"),
        el("label", { cls: "iw-label" }, ["by", this.growInput, "px"]),
      ),
      group(
        this.colorInput,
        this.opacityInput,
        el("label", { cls: "iw-label iw-show-label" }, [this.showInput, "Mask"]),
      ),
      // the help sits with the view controls, so a narrow toolbar never wraps it onto a row of its own
      group(
        button("Fit", "Fit the image (F)", "fit", "fit"),
        button("100%", "Actual pixels (1)", "actual", "actual"),
        this.zoomLabel,
        this.helpButton,
      ),
    ]);

    this.coverageLabel = el("span", { cls: "iw-coverage" });
    this.warning = el("span", { cls: "iw-warning", role: "status" } as Partial<HTMLSpanElement>);
    this.sizeInfo = el("span", { cls: "iw-size-info" });
    this.syncLabel = el("span", { cls: "iw-sync" });
    this.status = el("div", { cls: "iw-status" }, [this.coverageLabel, this.warning, this.sizeInfo, this.syncLabel]);

    const rows = HELP.map(([keys, what]) => el("tr", {}, [el("th", { textContent: keys }), el("td", { textContent: what })]));
    this.help = el("div", { cls: "iw-help", hidden: true }, [
      el("div", { cls: "iw-help-title", textContent: "Shortcuts (click the picture, or Tab to it, first)" }),
      el("table", {}, [el("tbody", {}, rows)]),
    ]);
  }

  get helpOpen(): boolean {
    return !this.help.hidden;
  }

  toggleHelp(open = this.help.hidden): void {
    this.help.hidden = !open;
    this.helpButton.setAttribute("aria-expanded", String(open));
  }

  update(s: ToolbarState): void {
    for (const [tool, b] of this.toolButtons) {
      const on = tool === s.tool;
      b.classList.toggle("iw-active", on);
      b.setAttribute("aria-pressed", String(on));
    }
    this.maxBrush = s.maxBrush;
    if (document.activeElement !== this.size) this.size.value = String(sizeToSlider(s.brushSize, s.maxBrush));
    this.sizeLabel.textContent = `${s.brushSize} px`;
    this.undo.disabled = !s.canUndo;
    this.redo.disabled = !s.canRedo;
    this.colorInput.value = s.color;
    this.opacityInput.value = String(s.opacity);
    this.showInput.checked = s.showMask;
    this.wandOptions.hidden = s.tool !== "wand";
    if (document.activeElement !== this.toleranceInput) this.toleranceInput.value = String(s.tolerance);
    this.contiguousInput.checked = s.contiguous;
    if (document.activeElement !== this.growInput) this.growInput.value = String(s.growBy);
    this.zoomLabel.textContent = `${Math.round(s.zoom * 100)} %`;
    this.coverageLabel.textContent = `Coverage ${formatCoverage(s.coverage)}`;
    const warning = coverageWarning(s.coverage);
    this.warning.textContent = warning;
    this.warning.hidden = !warning;
    this.sizeInfo.textContent = `${s.width} × ${s.height} px`;
    this.syncLabel.textContent = s.syncText;
  }
}
