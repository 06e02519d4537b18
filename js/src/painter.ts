/**
 * One view of a MaskPainter: wires the model, the full-resolution mask, its history, the drawing area,
 * the controls and the input together. All drawing happens here in the browser; the kernel hears about
 * the mask once per finished edit (see sync.ts).
 */
import type { AnyModel } from "@anywidget/types";
import { type CursorTarget, KeyboardCursor } from "./cursor";
import { History } from "./history";
import { type InputTarget, InputController } from "./input";
import type { Action } from "./keys";
import { type Model, TOOLS, type Tool } from "./model";
import { MaskRaster, type Rect, unionRect } from "./raster";
import { contrastingColour, decodeImageLevels, Picture } from "./picture";
import { parseColor } from "./render";
import { Stage } from "./stage";
import { dataViewBytes, MaskSync } from "./sync";
import { type CanvasColours, strokeVisible, watchTheme } from "./theme";
import { type Gesture, LassoGesture, startGesture } from "./tools";
import { Toolbar } from "./ui";
import { clamp, type Point, type ViewTransform } from "./view";
import { type Combine, wandSelect } from "./wand";

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

  private setTrait<K extends keyof Model>(name: K, value: Model[K]): void {
    this.model.set(name, value);
    this.model.save_changes();
    this.refreshControls();
    this.stage.requestUi();
  }

  private get tool(): Tool {
    const t = this.model.get("tool");
    return TOOLS.includes(t) ? t : "brush";
  }

  private get maxBrush(): number {
    return Math.max(16, Math.min(1024, Math.round(Math.max(this.raster.width, this.raster.height) / 2)));
  }

  private refreshControls(): void {
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
    if (!px || p.x < 0 || p.y < 0 || p.x >= this.raster.width || p.y >= this.raster.height) return;
    const started = performance.now();
    const sx = (p.x * px.width) / this.raster.width;
    const sy = (p.y * px.height) / this.raster.height;
    const tolerance = this.model.get("wand_tolerance");
    const selection = wandSelect(px, sx, sy, tolerance, this.model.get("wand_contiguous"));
    const rect = this.raster.combineSelection(selection, px.width, px.height, mode);
    this.commit(rect, "magic wand");
    this.root.dataset.wandMs = String(performance.now() - started);
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
    const size = this.model.get("brush_size");
    const next = steps > 0 ? Math.max(size + 1, Math.round(size * 1.2)) : Math.min(size - 1, Math.round(size / 1.2));
    this.setTrait("brush_size", clamp(next, 1, this.maxBrush));
  }

  action(a: Action): void {
    const st = this.stage;
    switch (a) {
      case "undo":
      case "redo": {
        this.cancelGesture();
        const patch = a === "undo" ? this.history.undo() : this.history.redo();
        if (patch) {
          st.requestMask(patch.rect);
          this.syncText = "sending…";
          this.sync.edited();
        }
        this.refreshControls();
        break;
      }
      case "grow":
      case "shrink": {
        this.cancelGesture();
        const by = this.model.get("grow_by");
        this.commit(this.raster.grow(a === "grow" ? by : -by), a);
        break;
      }
      case "invert":
      case "clear":
      case "fill":
        this.cancelGesture();
        if (a === "invert") this.commit(this.raster.invert(), "invert");
        else this.commit(this.raster.fillAll(a === "fill" ? 1 : 0), a);
        break;
      case "swap":
        this.setTrait("tool", this.tool === "eraser" ? "brush" : "eraser");
        break;
      case "size-down":
      case "size-up":
        this.brushSizeBy(a === "size-up" ? 1 : -1);
        break;
      case "fit":
        st.fit();
        this.refreshControls();
        break;
      case "actual":
        st.zoomCentered(1);
        break;
      case "zoom-in":
      case "zoom-out":
        st.zoomCentered(st.view.scale * (a === "zoom-in" ? 1.25 : 0.8));
        break;
      case "toggle-mask":
        this.setTrait("show_mask", !this.model.get("show_mask"));
        break;
      case "help":
        this.toolbar.toggleHelp();
        break;
      case "cancel":
        if (this.toolbar.helpOpen) this.toolbar.toggleHelp(false);
        else this.cancelGesture();
        break;
      case "close-polygon":
        if (this.gesture) this.finishGesture();
        break;
      default:
        if (a.startsWith("tool:")) {
          this.cancelGesture();
          this.setTrait("tool", a.slice(5) as Tool);
        }
    }
    this.refreshControls();
  }

  private drawUi(ctx: CanvasRenderingContext2D): void {
    const colours = this.stage.colours;
    this.gesture?.preview(ctx, this.stage.view, colours);
    const cursor = this.cursor.screen;
    const p = cursor ?? this.hoverAt;
    if (cursor) drawCrosshair(ctx, cursor, colours);
    const tool = this.tool;
    if (!p || this.panning || (tool !== "brush" && tool !== "eraser")) return;
    const r = Math.max(1, (this.model.get("brush_size") / 2) * this.stage.view.scale);
    ctx.beginPath();
    ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    strokeVisible(ctx, colours, tool === "eraser" ? [4, 3] : []);
  }
}

/** The keyboard cursor: a crosshair with a gap at its centre, in colours that show on any picture. */
function drawCrosshair(ctx: CanvasRenderingContext2D, p: Point, colours: CanvasColours): void {
  ctx.beginPath();
  for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
    ctx.moveTo(p.x + dx * 4, p.y + dy * 4);
    ctx.lineTo(p.x + dx * 14, p.y + dy * 14);
  }
  strokeVisible(ctx, colours, [], 1.5);
}
