import type { AnyModel } from "@anywidget/types";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { close } from "./helpers";
import type { Model } from "../src/model";
import { decodeMaskPng, encodeMaskPng } from "../src/png";
import { MaskRaster } from "../src/raster";
import { dataViewBytes, MaskSync } from "../src/sync";

/** The part of a widget model MaskSync uses, in memory; `saved` lists what save_changes sent. */
class MemoryModel {
  state: Partial<Model> = { mask_version: 0, mask_png: new DataView(new ArrayBuffer(0)) };
  saved: Partial<Model>[] = [];
  private pending: Partial<Model> = {};
  get<K extends keyof Model>(k: K): Model[K] {
    return this.state[k] as Model[K];
  }
  set<K extends keyof Model>(k: K, v: Model[K]): void {
    this.state[k] = v;
    this.pending[k] = v;
  }
  save_changes(): void {
    this.saved.push(this.pending);
    this.pending = {};
  }
  on(): void {}
  off(): void {}
  send(): void {}
  widget_manager = { get_model: () => Promise.reject(new Error("unused")) };
}

function setup(w = 300, h = 200) {
  const model = new MemoryModel();
  const raster = new MaskRaster(w, h);
  const sync = new MaskSync(model as unknown as AnyModel<Model>, () => raster);
  return { model, raster, sync };
}

describe("sending the mask", () => {
  it("sends the final mask last, with increasing versions, however edits interleave with encoding", async () => {
    const { model, raster, sync } = setup();
    for (let i = 0; i < 10; i++) {
      raster.stampSegment(10, 10 + i * 15, 290, 10 + i * 15, 4, 1);
      sync.edited();
      if (i % 3 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await sync.idle();
    assert.ok(model.saved.length > 0);
    assert.ok(model.saved.length < 10); // edits made during an encode are coalesced
    const versions = model.saved.map((s) => s.mask_version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.equal(new Set(versions).size, versions.length);
    const last = model.saved[model.saved.length - 1]!;
    close(last.coverage, raster.coverage());
    const decoded = await decodeMaskPng(dataViewBytes(last.mask_png));
    assert.deepEqual(decoded.data, raster.data);
  });

  it("sends mask, version and coverage in one message", async () => {
    const { model, raster, sync } = setup();
    raster.fillRect(0, 0, 30, 30, 1);
    sync.edited();
    await sync.idle();
    assert.equal(model.saved.length, 1);
    assert.deepEqual(Object.keys(model.saved[0]!).sort(), ["coverage", "mask_png", "mask_version"]);
    assert.equal(model.saved[0]!.mask_version, 1);
  });

  it("drops an encode that an incoming mask made obsolete", async () => {
    const { model, raster, sync } = setup();
    raster.fillAll(1);
    sync.edited();
    sync.invalidate();
    await sync.idle();
    assert.equal(model.saved.length, 0);
  });

  it("numbers its next mask after the newest version it has seen", async () => {
    const { model, raster, sync } = setup(8, 8);
    model.state.mask_version = 41; // Python set a mask meanwhile
    raster.fillAll(1);
    sync.edited();
    await sync.idle();
    assert.equal(model.saved[0]!.mask_version, 42);
  });
});

describe("receiving a mask", () => {
  it("decodes the model's mask, and treats empty bytes as an empty mask", async () => {
    const { model, sync } = setup(16, 8);
    assert.deepEqual(await sync.decodeIncoming(16, 8), new Uint8Array(128));
    const mask = new Uint8Array(128).map((_, i) => i % 3 === 0 ? 1 : 0);
    const png = await encodeMaskPng(mask, 16, 8);
    model.state.mask_png = new DataView(png.buffer);
    assert.deepEqual(await sync.decodeIncoming(16, 8), mask);
  });

  it("drops a decode overtaken by a newer mask, and masks of the wrong size", async () => {
    const { model, sync } = setup(16, 8);
    const png = await encodeMaskPng(new Uint8Array(128).fill(1), 16, 8);
    model.state.mask_png = new DataView(png.buffer);
    const first = sync.decodeIncoming(16, 8);
    const second = sync.decodeIncoming(16, 8);
    assert.equal(await first, null);
    assert.notEqual(await second, null);
    assert.equal(await sync.decodeIncoming(32, 8), null);
  });
});
