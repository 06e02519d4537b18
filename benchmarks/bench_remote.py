"""A remote kernel: MaskPainter and the ipycanvas reference with 0, 50 and 150 ms of added round trip
between the browser and the Jupyter server (as on a remote JupyterHub or Colab), and Gradio's
ImageEditor (the ``bench`` extra, in ``.venv-bench``) on the same 4096² picture with no added round
trip (``GRADIO_RTTS_MS``: Gradio paints and builds its mask in the browser, so a round trip adds little to
its figures).

Everything the page loads or sends goes through a :class:`~benchmarks._latency_proxy.LatencyProxy`
that holds every chunk for RTT/2 each way. Three figures per tool and round trip:

* **time until the first stroke can be drawn**: from running the widget's cell (Gradio: clicking the
  button whose callback returns the picture) until the picture is on screen and the page has drawn
  frames without a gap over 1 s for 3 s (see ``_probes.READY``);
* **paint latency**: pointer move → the canvas shows paint under the pointer (bench_painter's probe,
  pooled over the moves of all runs);
* **time until the mask is in Python**: pointer-up → MaskPainter's ``mask_version`` observer runs in the
  kernel; ipycanvas: the mouse-up handler runs (its mask is built in Python move by move, and every move
  before it has been handled); Gradio: the ``input`` callback starts with the brush layer as an array.

Ratios pair the two tools on the same page (or Gradio in the same repetition), or the same tool at two
round trips in the same repetition. Run: ``python -m benchmarks remote`` (or ``make bench``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

from benchmarks import _gradio_page as gradio
from benchmarks._figures import Figure, print_figures, quick
from benchmarks._latency_proxy import LatencyProxy
from benchmarks._painter_page import PAINTER, REFERENCE, SETUP
from benchmarks._probes import PRESERVE_WEBGL, READY
from benchmarks._remote_figures import TOOLS, Sample, remote_figures
from benchmarks.bench_painter import fresh_page, painter_then_reference
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, KERNEL_IDLE
from tests.browser.jupyter import JupyterServer, KernelProbe, isolated_env, wait_until

RTTS_MS = (0, 50, 150)
GRADIO_RTTS_MS = (0,)  # Gradio paints and builds its mask in the browser: the round trip is not its cost
GRADIO_ENV = "IDEOGRAM_BENCH_GRADIO"
"""Set to 0 to leave Gradio out (its 4096² WebGL editor takes minutes per stroke without a GPU)."""
RUNS = 3  # 3 notebooks a repetition: 700 s in all on a loaded 2-core machine (Gradio: ~10 min more each)
# the reference's canvas: the output of the notebook's third cell
REFERENCE_CANVAS = ".jp-Notebook .jp-Cell:nth-child(3) .jp-OutputArea-output canvas:not(.iw-layer)"


def open_notebook(server: JupyterServer, proxy: LatencyProxy, page: Page) -> tuple[KernelProbe, Sample]:
    """Open the notebook through ``proxy``, run its setup cell, then time each widget's cell."""
    filename = server.write_notebook(f"remote-{proxy.rtt_ms:g}", [SETUP, PAINTER, REFERENCE])
    page.goto(server.notebook_url(filename).replace(server.url, proxy.url))
    page.wait_for_function(KERNEL_IDLE, timeout=300_000)
    kernel = KernelProbe(server.kernel_connection_file(filename))
    page.evaluate("() => { jupyterapp.shell.currentWidget.content.activeCellIndex = 0; }")
    page.evaluate("() => jupyterapp.commands.execute('notebook:run-cell')")
    wait_until(lambda: kernel.eval("'received' in globals()"), timeout=300, what="the setup cell")
    print(f"  +{proxy.rtt_ms:g} ms: notebook open, picture made", flush=True)
    painter = page.evaluate(READY, ["cell:1", ".iw-painter[data-ready='1']", "ready-attr", 600_000])
    wait_until(lambda: kernel.eval("'painter' in globals()"), timeout=300, what="the painter cell")
    reference = page.evaluate(READY, ["cell:2", REFERENCE_CANVAS, "picture", 600_000])
    wait_until(lambda: kernel.eval("'_up' in globals()"), timeout=300, what="the reference cell")
    ready = f"MaskPainter {painter['usable']:,.0f} ms, ipycanvas {reference['usable']:,.0f} ms"
    print(f"  ready to draw: {ready}", flush=True)
    page.wait_for_function(KERNEL_IDLE, timeout=300_000)
    return kernel, {"MaskPainter": {"ready": painter["usable"]}, "ipycanvas": {"ready": reference["usable"]}}


def run_jupyter(browser: Browser, server: JupyterServer, proxy: LatencyProxy) -> Sample:
    with fresh_page(browser, server) as (page, wire):
        kernel, sample = open_notebook(server, proxy, page)
        painter, reference = painter_then_reference(page, kernel, wire)
    sample["MaskPainter"].update(painter, up_to_python=painter["up_to_kernel"])
    sample["ipycanvas"].update(reference, up_to_python=reference["up_to_kernel"])
    return sample


def run_gradio(browser: Browser, app: gradio.GradioApp, proxy: LatencyProxy) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
    context.add_init_script(PRESERVE_WEBGL)
    try:
        return gradio.run_gradio(context.new_page(), app, proxy.url + "/")
    finally:
        context.close()


def report(rtt: float, sample: Sample) -> None:
    rows = [
        ("time until the first stroke can be drawn (ms)", "ready"),
        ("pointer move → paint on screen, median (ms)", "paint_median"),
        ("pointer-up → mask in Python (ms)", "up_to_python"),
    ]
    print(f"+{rtt:g} ms round trip" + "".join(f"{t:>14}" for t in TOOLS if t in sample))
    for label, key in rows:
        print(f"  {label:46}" + "".join(f"{sample[t][key]:>14,.0f}" for t in TOOLS if t in sample))


def main() -> list[Figure]:
    rtts, runs = ((0, 150), 1) if quick() else (RTTS_MS, RUNS)
    gradio_python = gradio.python() if os.environ.get(GRADIO_ENV, "1") != "0" else None
    if gradio_python is None:
        why = gradio.MISSING if gradio.python() is None else f"{GRADIO_ENV}=0"
        print(f"{why}: skipping the Gradio ImageEditor comparison")
    samples: list[dict[float, Sample]] = []
    with tempfile.TemporaryDirectory(prefix="bench-remote-") as tmp, sync_playwright() as p:
        server = JupyterServer("lab", Path(tmp))
        app = gradio.GradioApp(Path(tmp), gradio_python) if gradio_python else None
        env: dict[str, str | float | bool] = dict(isolated_env(Path(tmp) / "chromium"))
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=env)
        jupyter_proxies = {rtt: LatencyProxy(server.port, rtt) for rtt in rtts}
        gradio_proxies = {rtt: LatencyProxy(app.port, rtt) for rtt in GRADIO_RTTS_MS} if app else {}
        proxies = [*jupyter_proxies.values(), *gradio_proxies.values()]
        server.start()
        try:
            if app:
                app.start()
            for proxy in proxies:
                proxy.start()
            for _ in range(runs):
                repetition: dict[float, Sample] = {}
                for rtt in rtts:
                    sample = run_jupyter(browser, server, jupyter_proxies[rtt])
                    if app and rtt in GRADIO_RTTS_MS:
                        sample["Gradio"] = run_gradio(browser, app, gradio_proxies[rtt])
                    report(rtt, sample)
                    repetition[rtt] = sample
                samples.append(repetition)
        finally:
            for proxy in proxies:
                proxy.stop()
            browser.close()
            if app:
                app.stop()
            server.stop()
    figures = remote_figures(samples, rtts)
    print_figures(figures)
    return figures


if __name__ == "__main__":
    main()
