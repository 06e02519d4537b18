"""The notebook and the in-page probe for bench_painter: MaskPainter and, as the reference, a plain
ipycanvas canvas whose every pointer move is handled in Python.
"""

from __future__ import annotations

SIDE = 4096
VIEW = 600  # both widgets show the 4096 px image in 600 CSS px, so one stroke covers the same pixels
BRUSH = 64

SETUP = f"""
import time
import numpy as np
import ipywidgets
from PIL import Image
from ipycanvas import Canvas, hold_canvas
from ideogram_widgets import MaskPainter
from ideogram_widgets.samples import sample_image
from ideogram_widgets.api._media import encode_png

SIDE, BRUSH = {SIDE}, {BRUSH}
picture = sample_image(1024, 1024).resize((SIDE, SIDE), Image.Resampling.BICUBIC)
received = []  # (kernel time, mask_version, PNG bytes) for each mask the painter's browser side sent
"""

PAINTER = f"""
painter = MaskPainter(picture, brush_size=BRUSH, height={VIEW})
painter.observe(lambda c: received.append((time.time(), c["new"], len(painter.mask_png))), "mask_version")
painter
"""

REFERENCE = f"""
reference = Canvas(width=SIDE, height=SIDE, layout=ipywidgets.Layout(width="{VIEW}px", height="{VIEW}px"))
reference.draw_image(ipywidgets.Image(value=encode_png(picture, compress_level=1), format="png"), 0, 0)
reference.stroke_style = "#ff0000"
reference.line_width = BRUSH
reference.line_cap = "round"
reference_mask = np.zeros((SIDE, SIDE), bool)
reference_events = []  # (kernel time, kind)
_last = None

def _stamp(ax, ay, bx, by):
    r = BRUSH / 2
    x0, x1 = int(max(0, min(ax, bx) - r)), int(min(SIDE, max(ax, bx) + r + 1))
    y0, y1 = int(max(0, min(ay, by) - r)), int(min(SIDE, max(ay, by) + r + 1))
    ys, xs = np.mgrid[y0:y1, x0:x1] + 0.5
    dx, dy = bx - ax, by - ay
    t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / (dx * dx + dy * dy or 1e-9), 0, 1)
    reference_mask[y0:y1, x0:x1] |= np.hypot(xs - ax - t * dx, ys - ay - t * dy) <= r
    with hold_canvas(reference):
        reference.stroke_line(ax, ay, bx, by)

def _down(x, y):
    global _last
    _last = (x, y)
    _stamp(x, y, x, y)

def _move(x, y):
    global _last
    if _last is not None:
        _stamp(*_last, x, y)
        _last = (x, y)

def _up(x, y):
    global _last
    _last = None
    reference_events.append((time.time(), "up"))

reference.on_mouse_down(_down)
reference.on_mouse_move(_move)
reference.on_mouse_up(_up)
reference
"""

# Installed in the page before a stroke. Records animation frames, long tasks, and for every pointer
# move the time until the canvas shows paint under it (checked once per frame, oldest first).
PROBE = """
([canvasSelector, mode]) => {
  const canvas = [...document.querySelectorAll(canvasSelector)].pop();
  const ctx = canvas.getContext("2d");
  const rec = {
    frames: [], moves: [], latencies: [], longTasks: [], down: null, up: null, downT: null, upT: null,
  };
  let running = true;
  let next = 0;
  const painted = (m) => {
    const box = canvas.getBoundingClientRect();
    const sx = canvas.width / box.width;
    const sy = canvas.height / box.height;
    const x = Math.floor((m.x - box.left) * sx);
    const d = ctx.getImageData(x, Math.floor((m.y - box.top) * sy), 1, 1).data;
    return mode === "alpha" ? d[3] > 0 : d[0] > 240 && d[1] < 16 && d[2] < 16;
  };
  const frame = (t) => {
    rec.frames.push(t);
    while (next < rec.moves.length && painted(rec.moves[next])) {
      rec.latencies.push(t - rec.moves[next].t);
      next++;
    }
    if (running || next < rec.moves.length) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) rec.longTasks.push([e.startTime, e.duration]);
  });
  try { observer.observe({ type: "longtask", buffered: false }); } catch (e) {}
  const onMove = (e) => { if (e.buttons) rec.moves.push({ t: e.timeStamp, x: e.clientX, y: e.clientY }); };
  const onDown = (e) => { rec.downT = e.timeStamp; rec.down = performance.timeOrigin + e.timeStamp; };
  const onUp = (e) => {
    rec.upT = e.timeStamp;
    rec.up = performance.timeOrigin + e.timeStamp;
    running = false;
  };
  // when the browser hands a large message (the mask) to the websocket
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const size = data.byteLength ?? data.size ?? data.length ?? 0;
    if (size > 4096 && rec.up !== null && rec.sent === undefined) {
      rec.sent = performance.timeOrigin + performance.now();
    }
    return send.call(this, data);
  };
  window.addEventListener("pointermove", onMove, true);
  window.addEventListener("pointerdown", onDown, true);
  window.addEventListener("pointerup", onUp, true);
  window.__benchPending = () => rec.moves.length - next;
  window.__bench = () => {
    WebSocket.prototype.send = send;
    observer.disconnect();
    window.removeEventListener("pointermove", onMove, true);
    window.removeEventListener("pointerdown", onDown, true);
    window.removeEventListener("pointerup", onUp, true);
    return { ...rec, pending: rec.moves.length - next };
  };
}
"""

# ---- how fast a picture appears (issue 9, item 6) -----------------------------------------------------

LOAD_CASES = {"600×400": (600, 400), "12 MP photo": (4032, 3024)}
"""The pictures the load benchmark opens: a small one, and a 4032 × 3024 phone-camera-sized photo."""

LOAD_SETUP = """
import time
import numpy as np
from PIL import Image
from ideogram_widgets import MaskPainter

def photo(width, height, seed=7):
    # natural-looking, not flat: smooth colour fields, fine texture and sensor noise, so a JPEG/WebP of it
    # is as big as a real photo's would be
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 256, (height // 48 + 2, width // 48 + 2, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC), np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    texture = 14 * np.sin(xs / 5.3 + 3 * np.sin(ys / 41)) * np.cos(ys / 7.1)
    noisy = base + texture[..., None] + rng.normal(0, 4, base.shape).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")

picture = photo({width}, {height})
"""

LOAD_PAINTER = """
started = time.time()
painter = MaskPainter(picture)
painter
"""

# Installed before the cells run: resolves with the wall-clock time (ms) of the first animation frame after
# the painter says it is ready (its image decoded and drawn, its mask allocated, input wired).
LOAD_PROBE = """
() => {
  window.__painterDrawn = new Promise((resolve) => {
    const check = () => {
      if (document.querySelector(".iw-painter[data-ready='1']")) {
        requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
      } else {
        requestAnimationFrame(check);
      }
    };
    check();
  });
}
"""
