/**
 * CompareView: a before/after wipe over one view (like Gradio's ImageSlider), a 1:1 zoom, and Save as a
 * real browser download of the exact bytes shown as "after" (a Blob URL and `<a download>`, made in the
 * click itself, so no round trip to the kernel and no pop-up blocker).
 *
 * Python: `ideogram_widgets/widgets/_compare.py`. Both pictures are drawn in the same box; the "after"
 * picture sets the box's size and is never drawn larger than its own pixels (fit down, 1:1 on demand).
 */
import type { RenderProps } from "@anywidget/types";

/** The synced state of a CompareView (one field per `sync=True` trait in compare.py). */
export interface CompareModel {
  /** The picture before the job (any browser image format), stretched to the after picture's box. */
  before: DataView;
  /** The result file's bytes; what Save downloads. */
  after: DataView;
  /** The MIME type of `after`, e.g. "image/png". */
  after_type: string;
  before_alt: string;
  after_alt: string;
  /** The download's file name. */
  filename: string;
  /** The share of the width (from the left) that shows the before picture, 0..1. */
  position: number;
  /** "fit" (never larger than the pixels, smaller when the column is narrow) or "actual" (1:1, scrolls). */
  zoom: "fit" | "actual";
  /** The Python that reproduces the run: "Copy as code" puts it on the clipboard. */
  code: string;
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> & { cls?: string } = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  const { cls, ...rest } = props;
  if (cls) node.className = cls;
  Object.assign(node, rest);
  node.append(...children);
  return node;
}

/** The tallest a fitted picture is drawn (CSS px; 70 % of the window when that is less): about a painter's
 * height, so a portrait result sits beside or below the painter without pushing the page off screen. */
const MAX_FIT_HEIGHT = 640;

function bytesOf(view: DataView | undefined): Uint8Array {
  if (!view || view.byteLength === 0) return new Uint8Array(0);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function render({ model, el: host }: RenderProps<CompareModel>): () => void {
  const urls: { before?: string; after?: string } = {};
  const root = el("div", { cls: "iw-compare" });
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  const before = el("img", { cls: "iw-compare-before", draggable: false });
  const after = el("img", { cls: "iw-compare-after", draggable: false });
  const handle = el("div", { cls: "iw-compare-handle" });
  handle.setAttribute("aria-hidden", "true");
  const frame = el("div", { cls: "iw-compare-frame" }, [after, before, handle]);
  const scroller = el("div", { cls: "iw-compare-scroller" }, [frame]);
  const slider = el("input", { type: "range", min: "0", max: "1000", step: "1", cls: "iw-compare-slider" });
  slider.setAttribute("aria-label", "before / after split: left of it is before, right is after");
  const zoom = el("button", { type: "button", cls: "iw-compare-btn iw-compare-zoom" });
  const save = el("button", { type: "button", cls: "iw-compare-btn iw-compare-save", textContent: "Save" });
  const copy = el("button", { type: "button", cls: "iw-compare-btn iw-compare-copy", textContent: "Copy as code" });
  copy.title = "put the Python that runs this again on the clipboard";
  const codeBox = el("textarea", { cls: "iw-compare-code", readOnly: true, rows: 8, hidden: true });
  codeBox.setAttribute("aria-label", "the Python that runs this again");
  const sizeLabel = el("span", { cls: "iw-compare-size" });
  const saved = el("span", { cls: "iw-compare-saved", role: "status" });
  const bar = el("div", { cls: "iw-compare-bar" }, [
    el("span", { cls: "iw-compare-end", textContent: "before" }),
    slider,
    el("span", { cls: "iw-compare-end", textContent: "after" }),
    zoom,
    save,
    copy,
    sizeLabel,
    saved,
  ]);
  root.append(scroller, bar, codeBox);
  host.append(root);

  const setUrl = (key: "before" | "after", img: HTMLImageElement, data: Uint8Array, type: string): void => {
    const old = urls[key];
    if (old) URL.revokeObjectURL(old);
    if (data.length === 0) {
      delete urls[key];
      img.removeAttribute("src");
      return;
    }
    const url = URL.createObjectURL(new Blob([data as Uint8Array<ArrayBuffer>], { type }));
    urls[key] = url;
    img.src = url;
  };

  const showPosition = (): void => {
    const p = Math.min(1, Math.max(0, Number(model.get("position")) || 0));
    before.style.clipPath = `inset(0 ${(100 - p * 100).toFixed(2)}% 0 0)`;
    handle.style.left = `${(p * 100).toFixed(2)}%`;
    if (document.activeElement !== slider) slider.value = String(Math.round(p * 1000));
    slider.setAttribute("aria-valuetext", `${Math.round(p * 100)} % before`);
  };
  // The after picture's drawn size, in CSS pixels: its own pixels at 1:1, else fitted inside the column's
  // width and MAX_FIT_HEIGHT (a portrait photo is shrunk whole, never cropped), never larger than its own
  // pixels. Set explicitly, so the width and the height always keep the picture's aspect.
  const fit = (): void => {
    const w = after.naturalWidth;
    const h = after.naturalHeight;
    if (!w || !h) return;
    const scale =
      model.get("zoom") === "actual"
        ? 1
        : Math.min(1, Math.max(1, host.clientWidth - 2) / w, Math.max(1, Math.min(window.innerHeight * 0.7, MAX_FIT_HEIGHT)) / h);
    after.style.width = `${Math.max(1, Math.floor(w * scale))}px`;
    after.style.height = `${Math.max(1, Math.floor(h * scale))}px`;
  };
  const resized = new ResizeObserver(() => fit());
  resized.observe(host);
  const showZoom = (): void => {
    const actual = model.get("zoom") === "actual";
    root.classList.toggle("iw-compare-actual", actual);
    zoom.textContent = actual ? "Fit" : "1:1";
    zoom.title = actual ? "fit the picture to the column" : "show the picture at its own pixels (scrolls)";
    zoom.setAttribute("aria-pressed", String(actual));
    fit();
  };
  const showAfter = (): void => {
    setUrl("after", after, bytesOf(model.get("after")), model.get("after_type") || "image/png");
    after.alt = model.get("after_alt") || "the result";
    save.disabled = bytesOf(model.get("after")).length === 0;
    save.title = `download ${model.get("filename") || "the result"}`;
    saved.textContent = "";
  };
  const showBefore = (): void => {
    setUrl("before", before, bytesOf(model.get("before")), "image/png");
    before.alt = model.get("before_alt") || "the input";
    before.hidden = bytesOf(model.get("before")).length === 0;
  };
  after.addEventListener("load", () => {
    sizeLabel.textContent = `${after.naturalWidth}×${after.naturalHeight} px`;
    fit();
    root.dataset.ready = "1";
  });

  const setPosition = (p: number): void => {
    model.set("position", Math.min(1, Math.max(0, p)));
    model.save_changes();
  };
  slider.addEventListener("input", () => setPosition(Number(slider.value) / 1000));
  // dragging on the picture itself moves the wipe, as in an image slider
  let dragging = false;
  const fromPointer = (ev: PointerEvent): void => {
    const box = frame.getBoundingClientRect();
    if (box.width > 0) setPosition((ev.clientX - box.left) / box.width);
  };
  frame.addEventListener("pointerdown", (ev) => {
    if (ev.button !== 0) return;
    dragging = true;
    frame.setPointerCapture(ev.pointerId);
    fromPointer(ev);
  });
  frame.addEventListener("pointermove", (ev) => dragging && fromPointer(ev));
  frame.addEventListener("pointerup", () => {
    dragging = false;
  });
  zoom.addEventListener("click", () => {
    model.set("zoom", model.get("zoom") === "actual" ? "fit" : "actual");
    model.save_changes();
  });
  save.addEventListener("click", () => {
    const url = urls.after;
    if (!url) return;
    const link = el("a", { href: url, download: model.get("filename") || "result.png" });
    link.style.display = "none";
    root.append(link);
    link.click();
    link.remove();
    saved.textContent = `downloaded as ${link.download}`;
  });

  copy.addEventListener("click", async () => {
    const code = model.get("code") || "";
    try {
      await navigator.clipboard.writeText(code);
      codeBox.hidden = true;
      saved.textContent = "copied: paste it into a cell";
    } catch {
      // no clipboard here (an insecure page, a refused permission): show it, selected, to copy by hand
      codeBox.value = code;
      codeBox.hidden = false;
      codeBox.select();
      saved.textContent = "the clipboard is not available here: press Ctrl+C (⌘C) to copy the selected code";
    }
  });
  const showCode = (): void => {
    copy.disabled = !model.get("code");
    codeBox.value = model.get("code") || "";
  };

  const handlers: [string, () => void][] = [
    ["change:code", showCode],
    ["change:position", showPosition],
    ["change:zoom", showZoom],
    ["change:after", showAfter],
    ["change:after_type", showAfter],
    ["change:after_alt", showAfter],
    ["change:filename", showAfter],
    ["change:before", showBefore],
    ["change:before_alt", showBefore],
  ];
  for (const [name, fn] of handlers) model.on(name, fn);
  showBefore();
  showAfter();
  showPosition();
  showZoom();
  showCode();
  return () => {
    for (const [name, fn] of handlers) model.off(name, fn);
    resized.disconnect();
    for (const url of Object.values(urls)) if (url) URL.revokeObjectURL(url);
    root.remove();
  };
}

export default { render };
