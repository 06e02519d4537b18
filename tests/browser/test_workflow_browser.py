"""The whole workflow as a user sees it, in JupyterLab and Notebook 7: the quickstart notebook opened and run,
a mask drawn with the mouse, a prompt, Submit, the edited image in the page; two jobs and a cancel; a
reframe to a chosen size; bad input explained in the widget; and a saved notebook without the token.

Pixels are read from the page itself (the <img> the widget shows), not from the kernel.
"""

from __future__ import annotations

import base64
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator

from .conftest import NotebookPage
from .jupyter import JupyterServer, wait_until

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
W, H = 768, 512  # the sample image the quickstart edits
TOKEN = "tok-e2e-SECRET-7b1d"
FETCH_IMG = """async (img) => {
  const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}"""


def image_in_page(locator: Locator, size: tuple[int, int]) -> Image.Image:
    """Decode the picture an <img> in the page shows, from the bytes the page holds, once it has loaded
    a picture of ``size`` (the row can say "done" a moment before the image's bytes arrive)."""
    locator.wait_for(state="attached")
    locator.page.wait_for_function(
        "([img, w, h]) => img.complete && img.naturalWidth === w && img.naturalHeight === h",
        arg=[locator.element_handle(), size[0], size[1]],
        timeout=30_000,
    )
    data = base64.b64decode(locator.evaluate(FETCH_IMG))
    return Image.open(io.BytesIO(data)).convert("RGB")


def open_existing(chromium: Browser, server: JupyterServer, name: str) -> NotebookPage:
    shutil.copy(NOTEBOOKS / name, server.root / name)
    context = chromium.new_context(viewport={"width": 1400, "height": 2100}, device_scale_factor=1)
    nb = NotebookPage(context.new_page(), server, name)
    nb.load()
    return nb


@pytest.fixture(scope="module")
def quickstart(chromium: Browser, jupyter: JupyterServer) -> Iterator[NotebookPage]:
    """The quickstart notebook, opened as a new user would and run top to bottom (once per server kind)."""
    nb = open_existing(chromium, jupyter, "quickstart.ipynb")
    nb.run_all()
    nb.page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=90_000)
    nb.page.wait_for_selector(".iw-reframe-widget .iw-framing svg", timeout=60_000)
    nb.wait_kernel_idle(timeout=180)  # the Python cells below the widgets ran their own jobs too
    yield nb
    try:
        nb.assert_no_page_errors()
    finally:
        nb.close()


def edit_widget(nb: NotebookPage) -> Locator:
    return nb.page.locator(".iw-edit-widget").first


def stage_view(nb: NotebookPage) -> tuple[float, float, float]:
    """(scale, left, top) of the painter's fitted image in page pixels."""
    stage = edit_widget(nb).locator(".iw-stage")
    stage.scroll_into_view_if_needed()
    box = stage.bounding_box()
    assert box is not None
    scale = min(box["width"] / W, box["height"] / H)
    return scale, box["x"] + (box["width"] - W * scale) / 2, box["y"] + (box["height"] - H * scale) / 2


def test_draw_a_mask_submit_and_see_the_edit_in_the_page(quickstart: NotebookPage) -> None:
    nb, page = quickstart, quickstart.page
    scale, left, top = stage_view(nb)
    before_version = nb.kernel.eval("edit.painter.mask_version")
    page.mouse.move(left + 570 * scale, top + 45 * scale)
    page.mouse.down()
    for i, y in enumerate(range(45, 150, 12)):  # zigzag over the sun
        x = 680 if i % 2 == 0 else 570
        page.mouse.move(left + x * scale, top + y * scale, steps=8)
    page.mouse.up()
    wait_until(
        lambda: nb.kernel.eval("edit.painter.mask_version") > before_version, what="the mask in the kernel"
    )
    coverage = nb.kernel.eval("edit.painter.coverage")
    assert 0.01 < coverage < 0.1
    nb.screenshot("edit-painted", edit_widget(nb))

    edit_widget(nb).locator("button:has-text('Submit')").click()
    row = edit_widget(nb).locator(".iw-job-row").first
    row.locator("text=done in").wait_for(timeout=60_000)
    shown = image_in_page(edit_widget(nb).locator(".iw-result-view img.iw-compare-after").first, (W, H))

    original, mask = nb.kernel.image_and_mask(nb.server.base / f"probe-{nb.kind}")
    after = np.asarray(shown)
    assert after.shape == original.shape
    assert np.array_equal(after[~mask], original[~mask]), "pixels outside the mask changed"
    assert (after[mask] != original[mask]).any(axis=-1).mean() > 0.5, "the masked area did not change"
    nb.screenshot("edit-result", edit_widget(nb))


def test_reframe_to_a_chosen_resolution(quickstart: NotebookPage) -> None:
    nb = quickstart
    widget = nb.page.locator(".iw-reframe-widget").first
    widget.scroll_into_view_if_needed()
    widget.locator("button:has-text('portrait')").click()
    # the kernel answers the click by refilling the list and choosing a portrait size; choosing before
    # that answer is in the page would be overwritten by it (on a loaded machine it came after the pick)
    wait_until(lambda: nb.kernel.eval("reframe.resolution.orientation") == "portrait", what="portrait sizes")
    chosen = nb.kernel.eval("reframe.picker.choice.label")
    select = widget.locator(".iw-resolution-list select")
    # ipywidgets shows spaces as no-break spaces
    selected_text = "s => (s.options[s.selectedIndex]?.text ?? '').replace(/\\u00a0/g, ' ')"
    wait_until(lambda: select.evaluate(selected_text) == chosen, what="the kernel's choice in the list")
    select.select_option(label="640×1536 (5:12)")
    wait_until(lambda: nb.kernel.eval("str(reframe.resolution)") == "640:1536 (5:12)", what="the choice")
    widget.locator("button:has-text('Reframe')").click()
    widget.locator(".iw-job-row").first.locator("text=done in").wait_for(timeout=60_000)
    shown = image_in_page(widget.locator(".iw-result-view img.iw-compare-after").first, (640, 1536))
    assert shown.size == (640, 1536)
    nb.screenshot("reframe-result", widget)


def test_bad_input_is_explained_in_the_widget(quickstart: NotebookPage) -> None:
    nb = quickstart
    widget = edit_widget(nb)
    widget.scroll_into_view_if_needed()
    prompt = widget.locator("textarea").first
    prompt.fill("")
    widget.locator("text=the prompt is empty").first.wait_for(timeout=30_000)
    assert widget.locator("button:has-text('Submit')").is_disabled()
    nb.screenshot("edit-bad-input", widget)
    prompt.fill("a crescent moon")
    wait_until(lambda: not widget.locator("button:has-text('Submit')").is_disabled(), what="Submit enabled")
    assert "Traceback" not in widget.inner_text()


def test_a_saved_notebook_never_contains_the_token(quickstart: NotebookPage) -> None:
    nb = quickstart
    widget = edit_widget(nb)
    field = widget.locator(".iw-token input[type=password]")
    field.fill(TOKEN)
    widget.locator(".iw-token button:has-text('Use token')").click()
    wait_until(lambda: nb.kernel.eval("edit.manager.client.has_token"), what="the token in the kernel")
    assert field.input_value() == ""  # the box is emptied once the token is sent
    nb.command("docmanager:save")
    saved = nb.server.root / "quickstart.ipynb"
    wait_until(
        lambda: "application/vnd.jupyter.widget-state+json" in saved.read_text(), what="widget state saved"
    )
    text = saved.read_text()
    assert TOKEN not in text
    assert "local sandbox" in text or "RunComfy" in text  # the widget state really is in the file
    widget.locator(".iw-token button:has-text('Forget')").click()
    wait_until(lambda: not nb.kernel.eval("edit.manager.client.has_token"), what="the token forgotten")


@pytest.fixture
def two_job_page(chromium: Browser, jupyter: JupyterServer) -> Iterator[NotebookPage]:
    cells = [
        "import time\n"
        "import numpy as np\n"
        "import ideogram_widgets as iw\n"
        "from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread\n"
        "class Clock:  # the sandbox's time, standing still until the test moves it (as tests/_timing's)\n"
        "    now = time.time()\n"
        "    def __call__(self): return self.now\n"
        "clock = Clock()\n"
        "# one worker: a queue forms; a job runs until the test moves the clock\n"
        "sandbox = serve_in_thread(SandboxConfig(workers=1, speed_scale=1.0, clock=clock))\n"
        "client = iw.AsyncClient(base_url=sandbox.url + '/v1')\n"
        "w = iw.EditWidget(iw.sample_image(), prompt='a moon', rendering_speed='QUALITY', client=client)\n"
        "m = np.zeros((512, 768), bool); m[30:160, 550:690] = True\n"
        "w.mask = m\n"
        "w",
    ]
    jupyter.write_notebook(f"two-jobs-{jupyter.kind}", cells)
    context = chromium.new_context(viewport={"width": 1400, "height": 2100}, device_scale_factor=1)
    nb = NotebookPage(context.new_page(), jupyter, f"two-jobs-{jupyter.kind}.ipynb")
    nb.load()
    nb.run_all()
    nb.page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=60_000)
    yield nb
    try:
        nb.assert_no_page_errors()
    finally:
        nb.close()


def test_queue_two_jobs_and_cancel_the_queued_one(two_job_page: NotebookPage) -> None:
    nb = two_job_page
    widget = edit_widget(nb)
    submit = widget.locator("button:has-text('Submit')")
    submit.click()
    wait_until(lambda: nb.kernel.eval("bool(w.jobs and w.jobs[0].request_id)"), what="the first job accepted")
    # a second click on purpose: past the repeat window that takes quick clicks for a double click
    wait_until(lambda: nb.kernel.eval("w.takes_a_click"), what="Submit to take a new click")
    submit.click()
    rows = widget.locator(".iw-job-row")
    wait_until(lambda: rows.count() == 2, what="two job rows")
    newest = rows.first
    # the sandbox's clock stands still: the first job runs (and the second waits) for as long as this takes
    newest.locator("text=queued").wait_for(timeout=30_000)
    newest.locator("button:has-text('Cancel')").click()
    newest.locator("text=cancelled").wait_for(timeout=30_000)
    nb.screenshot("two-jobs-cancelled", widget)
    assert nb.kernel.eval("w.jobs[0].state") != "completed"
    # now the first one's 4 s (QUALITY) pass, once the sandbox's worker has started it
    running = "sandbox.sandbox.queue.get(w.jobs[0].request_id).state == 'in_progress'"
    wait_until(lambda: nb.kernel.eval(running), what="the first job running at the sandbox")
    nb.kernel.run("clock.now += 4.0; sandbox.sandbox.queue.poke()")
    rows.nth(1).locator("text=done in").wait_for(timeout=60_000)
    assert nb.kernel.eval("[j.state for j in w.jobs]") == ["completed", "cancelled"]
