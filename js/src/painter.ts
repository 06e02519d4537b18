/**
 * One view of a MaskPainter: wires the model, the full-resolution mask, its history, the drawing area,
 * the controls and the input together. All drawing happens here in the browser; the kernel hears about
 * the mask once per finished edit (see sync.ts).
 */
import type { AnyModel } from "@anywidget/types";
import { type CursorTarget, KeyboardCursor } from "./cursor";
import { History } from "./history";
import { type InputTarget, InputController } from "./input";
import { nextBrushSize, runAction } from "./actions";
import type { Action } from "./keys";
import { type Model, TOOLS, type Tool } from "./model";
import { MaskRaster, type Rect, unionRect } from "./raster";
import { contrastingColour, decodeImageLevels, Picture } from "./picture";
import { parseColor } from "./render";
import { Stage } from "./stage";
import { dataViewBytes, MaskSync } from "./sync";
import { watchTheme } from "./theme";
import { type Gesture, LassoGesture, startGesture } from "./tools";
import { Toolbar } from "./ui";
import { drawUiLayer } from "./ui_layer";
import type { Point, ViewTransform } from "./view";
import { applyWand, type Combine } from "./wand";

export class Painter implements InputTarget, CursorTarget {
  readonly root: HTMLDivElement;
  readonly stage: Stage;
  private toolbar: Toolbar;
  private sync: MaskSync;
  private input: InputController;
  private cursor: KeyboardCursor;
  private raster: MaskRaster;
  private history: History;
  private gesture: Gesture | null = null;
  private gestureRect: Rect | null = null;
  private hoverAt: Point | null = null;
  private panning = false;
  private pendingIncoming: Uint8Array | null = null;
  private imageChanged = false;
  private maskChanged = false;
  private changesQueued = false;
  private imageLoad = 0;
  private syncText = "";
  private picture: Picture | null = null;
  /** The overlay colour "auto" stands for: chosen against the picture's mean colour. */
  private autoColour = "#ff00ff";
  private offModel: (() => void)[] = [];

  constructor(
    private model: AnyModel<Model>,
    el: HTMLElement,
  ) {
    this.root = document.createElement("div");
    this.root.className = "iw-painter";
    this.root.tabIndex = 0;
    this.root.setAttribute("data-lm-suppress-shortcuts", "true");
    this.root.setAttribute("role", "application");
    this.root.setAttribute("aria-label", "Mask painter: draw the area to edit");

    this.raster = new MaskRaster(Math.max(1, model.get("image_width")), Math.max(1, model.get("image_height")));
    this.history = new History(this.raster);
    this.stage = new Stage(model.get("viewport_height") || 520);
    this.stage.drawUi = (ctx) => this.drawUi(ctx);
    this.stage.afterFrame = () => this.refreshControls();
    this.toolbar = new Toolbar({
      action: (a) => this.action(a),
      focus: () => {
        if (!this.root.contains(document.activeElement)) this.root.focus({ preventScroll: true });
      },
      brushSize: (size) => this.setTrait("brush_size", size),
      color: (css) => this.setTrait("overlay_color", css),
      tolerance: (value) => this.setTrait("wand_tolerance", value),
      contiguous: (on) => this.setTrait("wand_contiguous", on),
      growBy: (px) => this.setTrait("grow_by", px),
      opacity: (value) => this.setTrait("overlay_opacity", value),
      showMask: (visible) => this.setTrait("show_mask", visible),
    });
    this.sync = new MaskSync(model, () => this.raster);
    this.sync.onSent = (s) => {
      this.syncText = `sent to the kernel: ${(s.bytes / 1024).toFixed(1)} kB`;
      this.root.dataset.sentVersion = String(s.version);
      this.refreshControls();
    };
    this.stage.el.append(this.toolbar.help);
    this.root.append(this.toolbar.bar, this.stage.el, this.toolbar.status);
    el.append(this.root);
    this.input = new InputController(this);
    this.cursor = new KeyboardCursor(this);

    const on = (name: keyof Model, fn: () => void): void => {
      const event = `change:${name}`;
      model.on(event, fn);
      this.offModel.push(() => model.off(event, fn));
    };
    for (const name of ["display_image", "display_mime", "image_width", "image_height"] as const) on(name, () => this.queueChange("image"));
    on("mask_png", () => this.queueChange("mask"));
    for (const name of ["tool", "brush_size", "wand_tolerance", "wand_contiguous", "grow_by"] as const) {
      on(name, () => this.refreshControls());
    }
    for (const name of ["overlay_color", "overlay_opacity", "show_mask"] as const) on(name, () => this.applyOverlay());
    on("viewport_height", () => this.stage.setHeight(model.get("viewport_height")));
    this.offModel.push(watchTheme(() => this.stage.themeChanged()));
    this.stage.themeChanged();
    this.applyOverlay();
    this.imageChanged = true;
    this.processChanges();
  }

  destroy(): void {
    this.input.destroy();
    this.stage.destroy();
    for (const off of this.offModel) off();
    this.root.remove();
  }

  // ---- model → view --------------------------------------------------------------------------------

  private queueChange(kind: "image" | "mask"): void {
    if (kind === "mask" && this.sync.isSending) return; // our own write
    if (kind === "image") this.imageChanged = true;
    else this.maskChanged = true;
    if (this.changesQueued) return;
    this.changesQueued = true;
    // one message may change the image and the mask together: look at both once it is fully applied
    queueMicrotask(() => this.processChanges());
  }

  private processChanges(): void {
    this.changesQueued = false;
    if (this.imageChanged) {
      this.imageChanged = false;
      this.maskChanged = false;
      void this.loadImage();
    } else if (this.maskChanged) {
      this.maskChanged = false;
      void this.loadIncomingMask();
    }
  }

  private async loadImage(): Promise<void> {
    const load = ++this.imageLoad;
    const w = Math.max(1, this.model.get("image_width"));
    const h = Math.max(1, this.model.get("image_height"));
    this.cancelGesture();
    this.pendingIncoming = null;
    this.sync.invalidate();
    this.raster = new MaskRaster(w, h);
    this.history.reset(this.raster);
    this.stage.fitted = true;
    this.stage.setRaster(this.raster);
    this.syncText = ""; // a new picture: nothing of this one has been sent yet
    this.root.dataset.ready = "0";
    const bytes = dataViewBytes(this.model.get("display_image"));
    const mime = this.model.get("display_mime") || "image/png";
    const [levels, mask] = await Promise.all([
      bytes.length ? decodeImageLevels(bytes, mime) : Promise.resolve([]),
      this.sync.decodeIncoming(w, h),
    ]);
    if (load !== this.imageLoad) {
      for (const l of levels) l.close();
      return;
    }
    if (mask) {
      this.raster.replace(mask);
      this.history.reset(this.raster); // the starting mask is not an undoable step
    }
    this.stage.setImageLevels(levels);
    this.picture = new Picture(levels);
    this.autoColour = contrastingColour(this.picture.meanColour());
    this.applyOverlay();
    this.root.dataset.ready = "1";
    this.refreshControls();
  }

  private async loadIncomingMask(): Promise<void> {
    const load = this.imageLoad;
    const data = await this.sync.decodeIncoming(this.raster.width, this.raster.height);
    if (!data || load !== this.imageLoad) return;
    if (this.gesture) this.pendingIncoming = data; // applied when the gesture ends
    else this.applyIncoming(data);
  }

  /** A mask from Python (or another view) becomes an undoable step. */
  private applyIncoming(data: Uint8Array): void {
    this.pendingIncoming = null;
    this.sync.invalidate();
    const rect = this.raster.replace(data);
    if (rect && this.history.commit(rect, "from Python")) this.stage.requestMask(null);
    this.syncText = "mask from the kernel";
    this.refreshControls();
  }

  private get overlayColour(): string {
    const chosen = this.model.get("overlay_color");
    return chosen === "auto" ? this.autoColour : chosen;
  }

  private applyOverlay(): void {
    const colour = parseColor(this.overlayColour);
    this.stage.setOverlay(colour, this.model.get("overlay_opacity"), this.model.get("show_mask"));
    this.refreshControls();
  }

  setTrait<K extends keyof Model>(name: K, value: Model[K]): void {
    this.model.set(name, value);
    this.model.save_changes();
    this.refreshControls();
    this.stage.requestUi();
  }

  get tool(): Tool {
    const t = this.model.get("tool");
    return TOOLS.includes(t) ? t : "brush";
  }

  private get maxBrush(): number {
    return Math.max(16, Math.min(1024, Math.round(Math.max(this.raster.width, this.raster.height) / 2)));
  }

  refreshControls(): void {
    this.toolbar.update({
      tool: this.tool,
      brushSize: this.model.get("brush_size"),
      maxBrush: this.maxBrush,
      canUndo: this.history.canUndo,
      canRedo: this.history.canRedo,
      color: this.overlayColour,
      tolerance: this.model.get("wand_tolerance"),
      contiguous: this.model.get("wand_contiguous"),
      growBy: this.model.get("grow_by"),
      opacity: this.model.get("overlay_opacity"),
      showMask: this.model.get("show_mask"),
      zoom: this.stage.view.scale,
      coverage: this.raster.coverage(),
      width: this.raster.width,
      height: this.raster.height,
      syncText: this.syncText,
    });
    const v = this.stage.view;
    this.root.dataset.view = `${v.scale} ${v.tx} ${v.ty}`;
    this.root.dataset.coverage = String(this.raster.coverage());
    this.root.dataset.tool = this.tool;
    const shapes = this.tool === "rectangle" || this.tool === "ellipse" || this.tool === "lasso";
    this.stage.el.style.cursor = this.panning ? "grab" : shapes ? "crosshair" : "none";
  }

  // ---- input → mask --------------------------------------------------------------------------------

  hasGesture(): boolean {
    return this.gesture !== null;
  }

  private toImage(p: Point): Point {
    const [x, y] = this.stage.view.toImage(p.x, p.y);
    return { x, y };
  }

  beginGesture(screen: Point, erase: boolean, add = false): void {
    if (this.tool === "wand") {
      this.wand(this.toImage(screen), erase ? "subtract" : add ? "add" : "replace");
      return;
    }
    this.gesture = startGesture(this.tool, this.raster, this.toImage(screen), {
      radius: this.model.get("brush_size") / 2,
      erase,
      tolerance: 4 / this.stage.view.scale,
    });
    this.gestureRect = "initial" in this.gesture ? (this.gesture.initial as Rect | null) : null;
    if (this.gestureRect) this.stage.requestMask(this.gestureRect);
    this.stage.requestUi();
  }

  clickGesture(screen: Point): void {
    if (this.gesture?.click?.(this.toImage(screen))) this.finishGesture();
    this.stage.requestUi();
  }

  moveGesture(screens: Point[], constrain: boolean): void {
    if (!this.gesture) return;
    const rect = this.gesture.move(
      screens.map((p) => this.toImage(p)),
      constrain,
    );
    if (rect) {
      this.gestureRect = unionRect(this.gestureRect, rect);
      this.stage.requestMask(rect);
    }
    this.stage.requestUi();
  }

  releaseGesture(): void {
    if (this.gesture?.release()) this.finishGesture();
    this.stage.requestUi();
  }

  private finishGesture(): void {
    const gesture = this.gesture;
    if (!gesture) return;
    this.gesture = null;
    const rect = unionRect(this.gestureRect, gesture.finish());
    this.gestureRect = null;
    this.commit(rect, gesture.label);
    if (this.pendingIncoming) this.applyIncoming(this.pendingIncoming);
  }

  cancelGesture(): void {
    if (!this.gesture) return;
    this.gesture = null;
    this.history.revert(this.gestureRect);
    if (this.gestureRect) this.stage.requestMask(this.gestureRect);
    this.gestureRect = null;
    this.stage.requestUi();
    if (this.pendingIncoming) this.applyIncoming(this.pendingIncoming);
  }

  private commit(rect: Rect | null, label: string): void {
    if (this.history.commit(rect, label)) {
      this.stage.requestMask(rect);
      this.syncText = "sending…";
      this.sync.edited();
    }
    this.refreshControls();
  }

  hover(screen: Point | null): void {
    this.hoverAt = screen;
    if (screen) this.cursor.hide(); // the pointer takes over from the keyboard
    this.stage.requestUi();
  }

  // ---- the keyboard cursor (cursor.ts) ---------------------------------------------------------------

  get view(): ViewTransform {
    return this.stage.view;
  }

  get imageSize(): { width: number; height: number } {
    return { width: this.raster.width, height: this.raster.height };
  }

  polygonOpen(): boolean {
    return this.gesture instanceof LassoGesture && this.gesture.isPolygon;
  }

  cursorMove(dx: number, dy: number, fast: boolean): void {
    this.cursor.move(dx, dy, fast);
  }

  cursorEnter(erase: boolean, add: boolean): boolean {
    if (add && this.tool !== "wand") return false; // Shift+Enter closes a polygon
    return this.cursor.enter(erase, add);
  }

  /** The magic wand at image point `p`: one undoable step, one mask to the kernel. */
  private wand(p: Point, mode: Combine): void {
    const px = this.picture?.pixels;
    if (!px) return;
    const started = performance.now();
    const options = { tolerance: this.model.get("wand_tolerance"), contiguous: this.model.get("wand_contiguous") };
    this.commit(applyWand(this.raster, px, p, options, mode), "magic wand");
    this.root.dataset.wandMs = String(performance.now() - started); // for the benchmark
  }

  cursorChanged(): void {
    const at = this.cursor.at;
    this.root.dataset.cursor = at ? `${at.x} ${at.y}` : "";
    this.stage.requestUi();
  }

  setPanning(on: boolean): void {
    this.panning = on;
    this.refreshControls();
  }

  viewChanged(): void {
    this.stage.requestView();
  }

  brushSizeBy(steps: number): void {
    this.setTrait("brush_size", nextBrushSize(this.model.get("brush_size"), steps, this.maxBrush));
  }

  action(a: Action): void {
    runAction(this, a);
    this.refreshControls();
  }

  // ---- what actions.ts drives ------------------------------------------------------------------------

  get helpOpen(): boolean {
    return this.toolbar.helpOpen;
  }

  toggleHelp(open?: boolean): void {
    this.toolbar.toggleHelp(open);
  }

  closePolygon(): void {
    if (this.gesture) this.finishGesture();
  }

  undoRedo(which: "undo" | "redo"): void {
    this.cancelGesture();
    const patch = which === "undo" ? this.history.undo() : this.history.redo();
    if (patch) {
      this.stage.requestMask(patch.rect);
      this.syncText = "sending…";
      this.sync.edited();
    }
  }

  /** A whole-mask edit (invert, grow, ...): one undoable step, one mask to the kernel. */
  editMask(label: string, edit: (raster: MaskRaster) => Rect | null): void {
    this.cancelGesture();
    this.commit(edit(this.raster), label);
  }

  trait<K extends keyof Model>(name: K): Model[K] {
    return this.model.get(name);
  }

  private drawUi(ctx: CanvasRenderingContext2D): void {
    drawUiLayer(ctx, {
      gesture: this.gesture,
      view: this.stage.view,
      colours: this.stage.colours,
      cursor: this.cursor.screen,
      pointer: this.panning ? null : this.hoverAt,
      brush: this.tool === "brush" || this.tool === "eraser" ? this.tool : null,
      brushSize: this.model.get("brush_size"),
    });
  }
}
