/**
 * Keeping Python's copy of the mask current without ever leaving it stale.
 *
 * Out: after each finished edit the whole mask is encoded (1-bit PNG) and sent together with a new
 * `mask_version` in one message. Encodes run one at a time; an edit made while one runs marks the result
 * stale and the mask is encoded again, so messages leave in edit order and the last one is the newest.
 *
 * In: a `mask_png` written by Python (or another view of the same widget) is decoded and handed to the
 * painter, which applies it as an undoable step. A decode overtaken by a newer one is dropped, and any
 * encode still running when an incoming mask lands is discarded (its content was replaced).
 */
import type { AnyModel } from "@anywidget/types";
import type { Model } from "./model";
import { decodeMaskPng, encodeMaskPng } from "./png";
import type { MaskRaster } from "./raster";

export interface SentMask {
  version: number;
  bytes: number;
  /** performance.now() when the edit that caused it was made, and when it was handed to the kernel. */
  editedAt: number;
  sentAt: number;
}

export function dataViewBytes(view: DataView | ArrayBuffer | Uint8Array | null | undefined): Uint8Array {
  if (!view) return new Uint8Array(0);
  if (view instanceof ArrayBuffer) return new Uint8Array(view);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class MaskSync {
  private encoding = false;
  private dirty = false;
  private editedAt = 0;
  private generation = 0;
  private sending = false;
  private incomingSeq = 0;
  private lastVersion: number;
  /** Called after each mask handed to the kernel (for the status line and benchmarks). */
  onSent: ((sent: SentMask) => void) | null = null;

  constructor(
    private model: AnyModel<Model>,
    private raster: () => MaskRaster,
  ) {
    this.lastVersion = model.get("mask_version") ?? 0;
  }

  /** True while this view is writing the model itself (its own change events are not incoming masks). */
  get isSending(): boolean {
    return this.sending;
  }

  /** The mask changed in this view: send it once the current encode (if any) is done. */
  edited(): void {
    this.dirty = true;
    this.editedAt = performance.now();
    // in a task of its own, so the pointer-up that caused it is painted first and no task runs long
    if (!this.encoding) {
      this.encoding = true;
      setTimeout(() => void this.flush(), 0);
    }
  }

  /** Whatever is being encoded is obsolete (an incoming mask or a new image replaced it). */
  invalidate(): void {
    this.generation++;
    this.dirty = false;
  }

  /** Resolves once nothing is waiting to be sent. */
  async idle(): Promise<void> {
    while (this.encoding) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const generation = this.generation;
        const editedAt = this.editedAt;
        const r = this.raster();
        const coverage = r.coverage();
        const png = await encodeMaskPng(r.data, r.width, r.height);
        if (generation !== this.generation || this.dirty) continue;
        const version = Math.max(this.model.get("mask_version") ?? 0, this.lastVersion) + 1;
        this.lastVersion = version;
        this.sending = true;
        try {
          this.model.set("mask_png", new DataView(png.buffer, png.byteOffset, png.byteLength));
          this.model.set("mask_version", version);
          this.model.set("coverage", coverage);
          this.model.save_changes();
        } finally {
          this.sending = false;
        }
        this.onSent?.({ version, bytes: png.length, editedAt, sentAt: performance.now() });
      }
    } catch (err) {
      console.error("ideogram-widgets: could not encode the mask", err);
    } finally {
      this.encoding = false;
    }
  }

  /**
   * Decode the model's current `mask_png` for a raster of `width` × `height`: all zeros for empty bytes,
   * null when a newer mask arrived meanwhile (the caller drops this one) or when the size is wrong.
   */
  async decodeIncoming(width: number, height: number): Promise<Uint8Array | null> {
    const seq = ++this.incomingSeq;
    const bytes = dataViewBytes(this.model.get("mask_png")).slice();
    this.lastVersion = Math.max(this.lastVersion, this.model.get("mask_version") ?? 0);
    let data: Uint8Array;
    if (bytes.length === 0) {
      data = new Uint8Array(width * height);
    } else {
      const decoded = await decodeMaskPng(bytes);
      if (decoded.width !== width || decoded.height !== height) {
        console.warn(`ideogram-widgets: ignoring a ${decoded.width}×${decoded.height} mask for a ${width}×${height} image`);
        return null;
      }
      data = decoded.data;
    }
    if (seq !== this.incomingSeq) return null;
    this.invalidate();
    return data;
  }
}
