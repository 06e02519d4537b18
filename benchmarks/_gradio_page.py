"""Gradio's ImageEditor for bench_remote: start the app of ``_gradio_app`` in its own process and draw
the stroke of bench_painter on it in the browser.

``gradio`` is a benchmark-only extra. ``make bench`` installs it (``-e ".[bench]"``) into a venv of its
own, ``.venv-bench``, so that its pins (it holds Pillow below 13) never change the dev venv that
``make test`` checks; the app runs with that venv's Python. Without ``.venv-bench`` the app runs with this
interpreter if it has gradio; ``python()`` is None when neither has it, and bench_remote skips Gradio.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import FloatRect, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from benchmarks._figures import ROOT
from benchmarks._probes import READY, gl_stroke_probe
from benchmarks.bench_painter import draw_stroke, frame_stats
from tests.browser.jupyter import free_port, wait_until

EDITOR_CANVAS = "#editor canvas"
CALLBACK_TIMEOUT_S = 300
PAINT_TIMEOUT_MS = 120_000  # after the stroke: moves still without paint under them by then stay unpainted
MISSING = "gradio is not installed (`make bench` puts it in .venv-bench)"

# The rectangle of the page that shows the picture inside the editor's canvas: the picture is centred,
# so scan outwards from the centre until the pixels turn into the editor's background.
PICTURE_BOX = """(selector) => {
  const canvas = [...document.querySelectorAll(selector)].pop();
  const w = canvas.width, h = canvas.height;
  const copy = document.createElement("canvas");
  copy.width = w;
  copy.height = h;
  const c = copy.getContext("2d", { willReadFrequently: true });
  c.drawImage(canvas, 0, 0);
  const bg = c.getImageData(1, 1, 1, 1).data;
  const differs = (x, y) => {
    const d = c.getImageData(x, y, 1, 1).data;
    return Math.abs(d[0] - bg[0]) + Math.abs(d[1] - bg[1]) + Math.abs(d[2] - bg[2]) > 24;
  };
  const cx = Math.floor(w / 2), cy = Math.floor(h / 2);
  let l = cx, r = cx, t = cy, b = cy;
  while (l > 0 && differs(l - 1, cy)) l--;
  while (r < w - 1 && differs(r + 1, cy)) r++;
  while (t > 0 && differs(cx, t - 1)) t--;
  while (b < h - 1 && differs(cx, b + 1)) b++;
  const box = canvas.getBoundingClientRect();
  const sx = box.width / w, sy = box.height / h;
  return { x: box.left + l * sx, y: box.top + t * sy, width: (r - l + 1) * sx, height: (b - t + 1) * sy };
}"""


BENCH_VENV_PYTHON = ROOT / ".venv-bench" / "bin" / "python"


def python() -> str | None:
    """The interpreter that runs the Gradio app (see the module's docstring), or None without gradio."""
    if BENCH_VENV_PYTHON.is_file():
        return str(BENCH_VENV_PYTHON)
    return sys.executable if importlib.util.find_spec("gradio") is not None else None


class GradioApp:
    """``python -m benchmarks._gradio_app`` on a free port of 127.0.0.1, with the log of its callbacks."""

    def __init__(self, base: Path, python: str) -> None:
        self.python = python
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = base / "gradio-callbacks.jsonl"
        self.output = base / "gradio.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 180.0) -> None:
        env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "GRADIO_TEMP_DIR": str(self.log.parent)}
        with self.output.open("wb") as out:
            self._process = subprocess.Popen(
                [self.python, "-m", "benchmarks._gradio_app", str(self.port), str(self.log)],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"the Gradio app exited:\n{self.output.read_text()[-3000:]}")
            return httpx.get(self.url, timeout=5).status_code == 200

        wait_until(ready, timeout=timeout, interval=0.2, what="the Gradio app to answer")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def callbacks(self) -> list[dict[str, Any]]:
        if not self.log.is_file():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line.strip()]


def run_gradio(page: Page, app: GradioApp, url: str) -> dict[str, Any]:
    """Open the app at ``url`` (direct or through a proxy), show the picture, draw the stroke."""
    page.goto(url)
    page.wait_for_selector("#show", timeout=300_000)
    ready = page.evaluate(READY, ["click:#show", EDITOR_CANVAS, "picture", 600_000])
    print(f"  Gradio: picture shown after {ready['visible']:,.0f} ms, usable after {ready['usable']:,.0f} ms")
    box: FloatRect = page.evaluate(PICTURE_BOX, EDITOR_CANVAS)
    page.evaluate(gl_stroke_probe(), [EDITOR_CANVAS, "red"])
    draw_stroke(page, box)
    with contextlib.suppress(PlaywrightTimeoutError):  # moves never painted are counted below
        page.wait_for_function("() => window.__benchPending() === 0", timeout=PAINT_TIMEOUT_MS)
    rec = page.evaluate("() => window.__bench()")

    def arrived() -> float:
        return next((c["t"] for c in app.callbacks() if c["painted"] and c["t"] * 1000 >= rec["up"]), 0.0)

    try:
        t = wait_until(arrived, timeout=CALLBACK_TIMEOUT_S, interval=0.1, what="the brush layer in Python")
        painted = next(c["painted"] for c in app.callbacks() if c["t"] == t)
    except TimeoutError:
        print(f"  Gradio: no brush layer reached Python within {CALLBACK_TIMEOUT_S} s of pointer-up")
        t, painted = math.nan, 0
    stats = frame_stats(rec)
    stats.update(
        ready=ready["usable"],
        visible=ready["visible"],
        up_to_python=t * 1000 - rec["up"],
        painted=painted,
        unpainted=rec["pending"],
        box_side=box["width"],
    )
    return stats
