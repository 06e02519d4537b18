"""Teaching demos: a notebook served as an app by Voilà shows the EditWidget, and a job started from the
page finishes and shows its result (the widgets need nothing that only JupyterLab gives them)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import nbformat
import pytest
from playwright.sync_api import Browser

from .conftest import ARTIFACTS
from .jupyter import free_port, isolated_env, wait_until

CELLS = [
    "import numpy as np\n"
    "import ideogram_widgets as iw\n"
    "edit = iw.EditWidget(iw.sample_image(), prompt='a crescent moon', rendering_speed='TURBO')\n"
    "m = np.zeros((512, 768), bool); m[30:160, 550:690] = True\n"
    "edit.mask = m\n"
    "edit",
]


@pytest.fixture(scope="module")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Voilà serving one notebook (on the embedded sandbox) on a free port of 127.0.0.1."""
    base = tmp_path_factory.mktemp("voila")
    root = base / "notebooks"
    root.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "demo.ipynb")
    env = isolated_env(base)
    env["IDEOGRAM_WIDGETS_HOME"] = str(base / "home-widgets")
    port = free_port()
    log = (base / "voila.log").open("wb")
    cmd = [
        sys.executable, "-m", "voila", str(root / "demo.ipynb"), "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--show_tracebacks=True",
    ]  # fmt: skip
    process = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}/"

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited:\n{(base / 'voila.log').read_text()[-3000:]}")
        return httpx.get(url, timeout=5).status_code < 500

    try:
        wait_until(ready, timeout=60, interval=0.2, what="voila to answer")
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


def test_voila_serves_the_widget_and_a_job_finishes(chromium: Browser, voila_url: str) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1600}, device_scale_factor=1)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(voila_url, timeout=120_000)
        page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=120_000)
        widget = page.locator(".iw-edit-widget").first
        assert "local sandbox" in widget.locator(".iw-banner").inner_text()
        submit = widget.locator("button:has-text('Submit')")
        wait_until(lambda: submit.is_enabled(), what="Submit enabled (mask and prompt set in the notebook)")
        submit.click()
        widget.locator(".iw-job-row").first.locator("text=done in").wait_for(timeout=90_000)
        page.wait_for_function(
            "() => { const i = document.querySelector('.iw-edit-widget img.iw-compare-after');"
            " return i && i.complete && i.naturalWidth === 768; }",
            timeout=30_000,
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        widget.screenshot(path=str(ARTIFACTS / "voila-edit-result.png"))
        assert not errors, errors
    finally:
        context.close()
