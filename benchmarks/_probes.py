"""In-page probes shared by bench_remote and bench_gradio (bench_painter's stroke probe is reused as is).

* ``READY``: starts an action (run a notebook cell, click a button) and resolves when the picture is on
  screen *and* the page has then drawn frames without a gap over ``GAP_MS`` for ``QUIET_MS``: the moment
  a stroke could really be drawn (a picture on screen behind a frozen main thread does not count; Gradio's
  editor freezes for seconds soon after its picture shows).
* ``PRESERVE_WEBGL``: an init script that makes WebGL canvases keep their drawing buffer, so a probe can
  read the pixels Gradio's PixiJS canvas shows.
* ``gl_stroke_probe()``: bench_painter's ``PROBE`` reading a WebGL canvas through a 1×1 2D copy.
"""

from __future__ import annotations

from benchmarks._painter_page import PROBE

QUIET_MS = 3000
GAP_MS = 1000

# Arguments: [action, selector, mode, timeout_ms]. action: "cell:N" runs notebook cell N, "click:SEL"
# clicks SEL. Mode "picture": the picture is on screen when the canvas under `selector` (the last match)
# shows at its centre the picture's centre, light-blue sky (blue ≥ red + 60); both canvases centre the
# picture. Mode "ready-attr": when `selector` matches at all (MaskPainter sets data-ready once it shows).
READY = f"""
async ([action, selector, mode, timeoutMs]) => {{
  const scratch = document.createElement("canvas");
  scratch.width = scratch.height = 1;
  const sctx = scratch.getContext("2d", {{ willReadFrequently: true }});
  const shown = () => {{
    const el = [...document.querySelectorAll(selector)].pop();
    if (!el) return false;
    if (mode === "ready-attr") return true;
    sctx.clearRect(0, 0, 1, 1);
    sctx.drawImage(el, el.width / 2, el.height / 2, 1, 1, 0, 0, 1, 1);
    const d = sctx.getImageData(0, 0, 1, 1).data;
    return d[3] > 200 && d[2] >= d[0] + 60;
  }};
  const t0 = performance.now();
  if (action.startsWith("cell:")) {{
    const notebook = window.jupyterapp.shell.currentWidget.content;
    notebook.activeCellIndex = Number(action.slice(5));
    window.jupyterapp.commands.execute("notebook:run-cell");
  }} else {{
    document.querySelector(action.slice(6)).click();
  }}
  return await new Promise((resolve, reject) => {{
    let visible = null, quietFrom = null, last = null, longest = 0;
    const gaps = [];
    const frame = (t) => {{
      if (t - t0 > timeoutMs) return reject(new Error(`picture not usable after ${{timeoutMs}} ms`));
      if (visible === null && shown()) {{ visible = t; quietFrom = t; }}
      if (visible !== null) {{
        if (last !== null && t - last > {GAP_MS}) {{
          quietFrom = t;
          longest = Math.max(longest, t - last);
          gaps.push([last - t0, t - last]);
        }}
        if (t - quietFrom >= {QUIET_MS}) {{
          return resolve({{ visible: visible - t0, usable: quietFrom - t0, longest, gaps }});
        }}
      }}
      last = t;
      requestAnimationFrame(frame);
    }};
    requestAnimationFrame(frame);
  }});
}}
"""

PRESERVE_WEBGL = """
(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (kind, options) {
    if (kind === "webgl" || kind === "webgl2") options = { ...(options || {}), preserveDrawingBuffer: true };
    return getContext.call(this, kind, options);
  };
})();
"""

_CONTEXT_LINE = 'const ctx = canvas.getContext("2d");'
_GL_CONTEXT = """const ctx = (() => {
    const scratch = document.createElement("canvas");
    scratch.width = scratch.height = 1;
    const sctx = scratch.getContext("2d", { willReadFrequently: true });
    return { getImageData: (x, y) => {
      sctx.clearRect(0, 0, 1, 1);
      sctx.drawImage(canvas, x, y, 1, 1, 0, 0, 1, 1);
      return sctx.getImageData(0, 0, 1, 1);
    } };
  })();"""


def gl_stroke_probe() -> str:
    """bench_painter's ``PROBE`` with its 2D context replaced by a reader of a WebGL canvas."""
    if _CONTEXT_LINE not in PROBE:  # checked when used, so that a change there never breaks an import
        raise RuntimeError("benchmarks._painter_page.PROBE no longer reads its canvas with a 2D context")
    return PROBE.replace(_CONTEXT_LINE, _GL_CONTEXT)
