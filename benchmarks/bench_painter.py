"""MaskPainter on a 4096 × 4096 image in headless Chromium (JupyterLab), against a plain ipycanvas canvas
that handles every pointer move in Python, drawing the same stroke over the same pixels.

Figures: animation-frame intervals while the stroke is drawn (median, p95), the time from a pointer move
to paint under it on screen, long tasks, pointer-up → mask in the kernel, and the bytes the browser sent.
Goals for the painter: median frame ≤ 16.7 ms, p95 ≤ 33 ms, pointer-up → kernel ≤ 250 ms, bytes per
mask ≈ the mask's PNG size. Run: ``python -m benchmarks painter`` (or ``make bench``).

Each of the ``RUNS`` repetitions opens the notebook afresh (new page, new kernel) and draws the stroke
once on each widget; ``main()`` returns the figures (per-run values, and the frame intervals and paint
latencies of all runs pooled).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from playwright.sync_api import Browser, FloatRect, Page, WebSocket, sync_playwright

from benchmarks._figures import Figure, print_figures, quick
from benchmarks._painter_page import (
    BRUSH,
    LOAD_CASES,
    LOAD_PAINTER,
    LOAD_PROBE,
    LOAD_SETUP,
    PAINTER,
    PROBE,
    REFERENCE,
    SETUP,
    SIDE,
    VIEW,
)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, KERNEL_IDLE
from tests.browser.jupyter import JupyterServer, KernelProbe, isolated_env, wait_until

MOVE_INTERVAL = 0.008  # s between pointer moves: a 125 Hz mouse
STROKE = [(0.12, 0.15), (0.85, 0.3), (0.2, 0.55), (0.88, 0.8), (0.3, 0.9)]  # fractions of the image
MOVES_PER_SEGMENT = 40
RUNS = 5
LOAD_RUNS = 5


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    return float(np.percentile(np.asarray(values, dtype=float), q))


class WireCounter:
    """Bytes the page sends to (and receives from) the Jupyter server over websockets."""

    def __init__(self, page: Page) -> None:
        self.sent = 0
        self.received = 0
        page.on("websocket", self._attach)

    def _attach(self, ws: WebSocket) -> None:
        ws.on("framesent", lambda payload: self._add("sent", payload))
        ws.on("framereceived", lambda payload: self._add("received", payload))

    def _add(self, direction: str, payload: str | bytes) -> None:
        size = len(payload.encode() if isinstance(payload, str) else payload)
        setattr(self, direction, getattr(self, direction) + size)

    def reset(self) -> None:
        self.sent = self.received = 0


def draw_stroke(page: Page, box: FloatRect) -> None:
    """The same stroke, in fractions of the image, over the page rectangle ``box`` that shows the image."""

    def at(fx: float, fy: float) -> tuple[float, float]:
        return box["x"] + fx * box["width"], box["y"] + fy * box["height"]

    page.mouse.move(*at(*STROKE[0]))
    page.mouse.down()
    start = time.perf_counter()
    n = 0
    for (ax, ay), (bx, by) in itertools.pairwise(STROKE):
        for k in range(1, MOVES_PER_SEGMENT + 1):
            t = k / MOVES_PER_SEGMENT
            n += 1
            delay = start + n * MOVE_INTERVAL - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the synthetic mouse, not waiting for a result
            page.mouse.move(*at(ax + t * (bx - ax), ay + t * (by - ay)))
    page.mouse.up()


def frame_stats(rec: dict[str, Any]) -> dict[str, Any]:
    frames = [t for t in rec["frames"] if rec["downT"] <= t <= rec["upT"]]
    intervals = list(np.diff(frames)) if len(frames) > 1 else []
    return {
        "frame_median": percentile(intervals, 50),
        "frame_p95": percentile(intervals, 95),
        "paint_median": percentile(rec["latencies"], 50),
        "paint_p95": percentile(rec["latencies"], 95),
        "moves": len(rec["moves"]),
        "long_tasks": sum(1 for start, _ in rec["longTasks"] if rec["downT"] <= start <= rec["upT"]),
        "longest_task_after_up": max([d for s, d in rec["longTasks"] if s >= rec["upT"] - 1] or [0.0]),
        "intervals": [float(i) for i in intervals],
        "latencies": [float(v) for v in rec["latencies"]],
    }


def run_painter(page: Page, kernel: KernelProbe, wire: WireCounter) -> dict[str, float]:
    page.locator(".iw-stage").scroll_into_view_if_needed()
    page.click(".iw-painter button[data-action='fit']")
    before = int(kernel.eval("len(received)"))
    page.evaluate(PROBE, [".iw-mask-layer", "alpha"])
    stage = page.locator(".iw-stage").bounding_box()
    assert stage is not None
    scale, tx, ty = (float(v) for v in (page.locator(".iw-painter").get_attribute("data-view") or "").split())
    image_box: FloatRect = {
        "x": stage["x"] + tx,
        "y": stage["y"] + ty,
        "width": SIDE * scale,
        "height": SIDE * scale,
    }
    wire.reset()
    draw_stroke(page, image_box)
    wait_until(lambda: kernel.eval("len(received)") > before, timeout=30, what="the mask in the kernel")
    page.wait_for_function("() => window.__benchPending() === 0", timeout=30_000)
    rec = page.evaluate("() => window.__bench()")
    arrived, version, png_bytes = kernel.eval("received[-1]")
    stats = frame_stats(rec)
    stats.update(
        up_to_kernel=arrived * 1000 - rec["up"],
        up_to_sent=rec.get("sent", math.nan) - rec["up"],
        mask_png=png_bytes,
        sent=wire.sent,
        received=wire.received,
        masks=int(kernel.eval("len(received)")) - before,
        version=version,
    )
    return stats


def run_reference(page: Page, kernel: KernelProbe, wire: WireCounter) -> dict[str, float]:
    canvas = "div.jp-OutputArea-output canvas:not(.iw-layer)"
    page.locator(canvas).last.scroll_into_view_if_needed()
    box = page.locator(canvas).last.bounding_box()
    assert box is not None
    page.evaluate(PROBE, [canvas, "red"])
    wire.reset()
    draw_stroke(page, box)
    wait_until(lambda: kernel.eval("len(reference_events)") > 0, timeout=120, what="the reference's mouse-up")
    arrived = kernel.eval("reference_events[-1][0]")
    page.wait_for_function("() => window.__benchPending() === 0", timeout=120_000)
    rec = page.evaluate("() => window.__bench()")
    stats = frame_stats(rec)
    mask_pixels = int(kernel.eval("int(reference_mask.sum())"))
    stats.update(
        up_to_kernel=arrived * 1000 - rec["up"], mask_png=math.nan, sent=wire.sent, received=wire.received
    )
    stats["mask_pixels"] = mask_pixels
    return stats


def report(painter: dict[str, float], reference: dict[str, float], load_s: float) -> None:
    rows = [
        ("frame interval while drawing, median (ms)", "frame_median", "≤ 16.7"),
        ("frame interval while drawing, p95 (ms)", "frame_p95", "≤ 33"),
        ("pointer move → paint on screen, median (ms)", "paint_median", ""),
        ("pointer move → paint on screen, p95 (ms)", "paint_p95", ""),
        ("long tasks (> 50 ms) during the stroke", "long_tasks", ""),
        ("longest task after pointer-up (ms)", "longest_task_after_up", ""),
        ("pointer-up → mask in the kernel (ms)", "up_to_kernel", "≤ 250"),
        ("  of which pointer-up → mask on the websocket (ms)", "up_to_sent", ""),
        ("bytes sent browser → kernel for the stroke", "sent", "≈ PNG"),
        ("bytes sent kernel → browser for the stroke", "received", ""),
        ("mask PNG bytes (per mask)", "mask_png", ""),
        ("pointer moves in the stroke", "moves", ""),
    ]
    print(
        f"image {SIDE}×{SIDE}, shown at {VIEW} px, brush {BRUSH} px; painter ready {load_s:.1f} s after run"
    )
    print(f"{'':46} {'MaskPainter':>14} {'ipycanvas ref':>14}  goal")
    for label, key, goal in rows:
        a, b = painter.get(key, math.nan), reference.get(key, math.nan)
        print(f"{label:46} {a:>14,.1f} {b:>14,.1f}  {goal}")
    print(f"masks sent by the painter for the stroke: {painter['masks']:.0f}")


@contextlib.contextmanager
def fresh_page(browser: Browser, server: JupyterServer) -> Iterator[tuple[Page, WireCounter]]:
    """A new 1280×1000 page counting its websocket bytes; on the way out the page is closed and every
    kernel session deleted, so the next run starts on a fresh kernel."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    try:
        page = context.new_page()
        yield page, WireCounter(page)
    finally:
        context.close()
        for session in server.api("GET", "/api/sessions").json():  # its kernel, before the next
            server.api("DELETE", f"/api/sessions/{session['id']}")


def painter_then_reference(
    page: Page, kernel: KernelProbe, wire: WireCounter
) -> tuple[dict[str, float], dict[str, float]]:
    """The MaskPainter's run, then the ipycanvas reference's, on the open notebook; closes ``kernel``."""
    try:
        return run_painter(page, kernel, wire), run_reference(page, kernel, wire)
    finally:
        kernel.close()


def open_notebook(server: JupyterServer, page: Page) -> tuple[KernelProbe, float]:
    """Open and run the benchmark notebook; returns a probe into its kernel and the painter's load time."""
    filename = server.write_notebook("bench", [SETUP, PAINTER, REFERENCE])
    page.goto(server.notebook_url(filename))
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    started = time.perf_counter()
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_selector(".iw-painter[data-ready='1']", timeout=300_000)
    load_s = time.perf_counter() - started
    kernel = KernelProbe(server.kernel_connection_file(filename))
    wait_until(lambda: kernel.eval("'reference' in globals()"), timeout=300, what="the reference canvas")
    page.wait_for_function(KERNEL_IDLE, timeout=300_000)
    return kernel, load_s


def measure_load(
    server: JupyterServer, page: Page, wire: WireCounter, size: tuple[int, int]
) -> tuple[float, int, list[float]]:
    """Seconds from the painter's cell starting in the kernel to the painter drawn and usable in the page,
    the bytes the kernel sent the page meanwhile, and two magic-wand clicks (ms each)."""
    width, height = size
    setup = LOAD_SETUP.format(width=width, height=height)
    filename = server.write_notebook(f"load-{width}x{height}", [setup])
    page.goto(server.notebook_url(filename))
    page.wait_for_function(KERNEL_IDLE, timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")  # makes the photo
    kernel = KernelProbe(server.kernel_connection_file(filename))
    try:
        wait_until(lambda: kernel.eval("'picture' in globals()"), timeout=120, what="the photo")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000)
        page.evaluate(LOAD_PROBE)
        wire.reset()
        page.evaluate(
            """(source) => {
              const panel = window.jupyterapp.shell.currentWidget;
              panel.content.model.sharedModel.insertCell(1, { cell_type: "code", source });
              panel.content.activeCellIndex = 1;
              return window.jupyterapp.commands.execute("notebook:run-cell");
            }""",
            LOAD_PAINTER,
        )
        drawn_ms = float(page.evaluate("() => window.__painterDrawn"))
        started = float(kernel.eval("started"))
        loaded = (drawn_ms / 1000 - started, wire.received)
        wand = [wand_click(page, kernel, k) for k in range(2)]
        return loaded[0], loaded[1], wand
    finally:
        kernel.close()


def wand_click(page: Page, kernel: KernelProbe, k: int) -> float:
    """Milliseconds the page spent on one magic-wand click (select on the display copy, write the
    full-size mask, commit), the first click including reading the copy's pixels."""
    if k == 0:
        page.click(".iw-painter button[data-action='wand']")
    page.evaluate("() => { delete document.querySelector('.iw-painter').dataset.wandMs; }")
    before = int(kernel.eval("painter.mask_version"))
    box = page.locator(".iw-stage").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * (0.3 + 0.4 * k), box["y"] + box["height"] / 2)
    page.wait_for_selector(".iw-painter[data-wand-ms]", timeout=30_000)
    wait_until(lambda: kernel.eval("painter.mask_version") > before, timeout=30, what="the wand's mask")
    return float(page.locator(".iw-painter").get_attribute("data-wand-ms") or "nan")


def load_figures(server: JupyterServer, browser: Any) -> list[Figure]:
    """Painter drawn-and-usable time and kernel → browser bytes for each picture of LOAD_CASES."""
    figures: list[Figure] = []
    goals = {"12 MP photo": ("≤ 2.5 s", 2.5, "≤ 1.5 MB", 1.5e6)}
    for name, size in LOAD_CASES.items():
        times: list[float] = []
        sent: list[float] = []
        wand_first: list[float] = []
        wand_next: list[float] = []
        for _ in range(2 if quick() else LOAD_RUNS):
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
            page = context.new_page()
            wire = WireCounter(page)
            try:
                seconds, received, (first, second) = measure_load(server, page, wire, size)
            finally:
                context.close()
                for session in server.api("GET", "/api/sessions").json():
                    server.api("DELETE", f"/api/sessions/{session['id']}")
            print(f"{name}: painter drawn and usable {seconds:.2f} s after its cell ran, {received:,} B sent")
            times.append(seconds)
            sent.append(received)
            wand_first.append(first)
            wand_next.append(second)
        ready = Figure("painter", f"{name} → painter drawn and usable", "s", times)
        wire_bytes = Figure("painter", f"{name} → bytes kernel → browser", "B", sent)
        if name in goals:
            t_goal, t_max, b_goal, b_max = goals[name]
            ready.goal, ready.met = t_goal, ready.median <= t_max
            wire_bytes.goal, wire_bytes.met = b_goal, wire_bytes.median <= b_max
        figures += [
            ready,
            wire_bytes,
            Figure("painter", f"{name}: first magic-wand click (reads the copy's pixels)", "ms", wand_first),
            Figure("painter", f"{name}: magic-wand click", "ms", wand_next),
        ]
    return figures


def main() -> list[Figure]:
    runs: list[tuple[dict[str, Any], dict[str, Any], float]] = []
    loads: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-painter-") as tmp, sync_playwright() as p:
        server = JupyterServer("lab", Path(tmp))
        env: dict[str, str | float | bool] = dict(isolated_env(Path(tmp) / "chromium"))
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=env)
        server.start()
        try:
            loads = load_figures(server, browser)
            for _ in range(2 if quick() else RUNS):
                with fresh_page(browser, server) as (page, wire):
                    kernel, load_s = open_notebook(server, page)
                    painter, reference = painter_then_reference(page, kernel, wire)
                report(painter, reference, load_s)
                runs.append((painter, reference, load_s))
        finally:
            browser.close()
            server.stop()
    figures = loads + painter_figures(runs)
    print_figures(figures)
    return figures


def painter_figures(runs: list[tuple[dict[str, Any], dict[str, Any], float]]) -> list[Figure]:
    """The figures of all runs: per-run values, and frame intervals / paint latencies pooled."""
    bench = "painter"
    ours, ref = [r[0] for r in runs], [r[1] for r in runs]

    def per_run(name: str, unit: str, rows: list[dict[str, Any]], key: str, **kw: Any) -> Figure:
        return Figure(bench, name, unit, [float(r[key]) for r in rows], **kw)

    def pooled(name: str, rows: list[dict[str, Any]], key: str, per: str, chart: str) -> Figure:
        return Figure(bench, name, "ms", [v for r in rows for v in r[key]], per=per, chart=chart)

    def paired(name: str, key: str, ratio_to: str) -> Figure:
        samples = [a[key] / b[key] if b[key] else math.nan for a, b in zip(ours, ref, strict=True)]
        return Figure(bench, name, "×", samples, ratio_to=ratio_to)

    frames_chart = "Painter: frame interval while drawing, 4096² image (ms)"
    paint_chart = "Painter: pointer move → paint on screen (ms)"
    up_chart = "Painter: pointer-up → kernel (ms)"
    frames = pooled("frame interval while drawing, MaskPainter", ours, "intervals", "frame", frames_chart)
    frames.goal, frames.met = "≤ 16.7 ms", frames.median <= 16.7 + 0.05  # one 60 Hz frame; timer jitter
    p95 = per_run("frame interval p95 per stroke, MaskPainter", "ms", ours, "frame_p95")
    p95.goal, p95.met = "≤ 33 ms", p95.median <= 33
    up = per_run("pointer-up → mask in the kernel, MaskPainter", "ms", ours, "up_to_kernel", chart=up_chart)
    up.goal, up.met = "≤ 250 ms", up.median <= 250
    wire = Figure(
        bench,
        "bytes sent browser → kernel per stroke ÷ mask PNG bytes, MaskPainter",
        "×",
        [r["sent"] / r["mask_png"] for r in ours],
        ratio_to="mask PNG bytes, MaskPainter",
    )
    wire.goal, wire.met = "≈ 1× (≤ 1.1×)", wire.median <= 1.1
    frames_ref = pooled(
        "frame interval while drawing, ipycanvas reference", ref, "intervals", "frame", frames_chart
    )
    paint_ref = pooled(
        "pointer move → paint on screen, ipycanvas reference", ref, "latencies", "move", paint_chart
    )
    sent_ref = per_run("bytes sent browser → kernel per stroke, ipycanvas reference", "B", ref, "sent")
    return [
        frames,
        frames_ref,
        paired("median frame interval, MaskPainter ÷ ipycanvas", "frame_median", frames_ref.name),
        p95,
        per_run("frame interval p95 per stroke, ipycanvas reference", "ms", ref, "frame_p95"),
        pooled("pointer move → paint on screen, MaskPainter", ours, "latencies", "move", paint_chart),
        paint_ref,
        paired("median pointer move → paint, MaskPainter ÷ ipycanvas", "paint_median", paint_ref.name),
        per_run("long tasks (> 50 ms) during the stroke, MaskPainter", "", ours, "long_tasks"),
        per_run("long tasks (> 50 ms) during the stroke, ipycanvas reference", "", ref, "long_tasks"),
        up,
        per_run(
            "pointer-up → mouse-up event in the kernel, ipycanvas reference",
            "ms",
            ref,
            "up_to_kernel",
            chart=up_chart,
            note="the reference sends no mask: its mask was built in Python move by move",
        ),
        per_run("mask PNG bytes, MaskPainter", "B", ours, "mask_png"),
        wire,
        sent_ref,
        paired("bytes sent browser → kernel, MaskPainter ÷ ipycanvas", "sent", sent_ref.name),
        Figure(bench, "painter ready after running the notebook", "s", [r[2] for r in runs]),
    ]


if __name__ == "__main__":
    main()
