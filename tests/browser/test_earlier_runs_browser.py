"""Earlier runs in JupyterLab, and resume() on screen: the section opened from the keyboard lists the
journal's past edits, "Show" on an older one puts that run's composite in the widget's result view (read
back from the page's own <img> and compared pixel for pixel with the journal's file), axe finds nothing
critical or serious in Light and Dark, every text is at least 4.5:1; ``iw.resume()`` displays its
ResumeView with the taken job finishing in the job view. Screenshots of both go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from .conftest import NotebookPage
from .jupyter import JupyterServer, wait_until
from .test_design_browser import CONTRAST, PAINTER
from .test_workflow_browser import image_in_page

W, H = 768, 512  # the sample image
PICKED = "a green door"  # the older of the two earlier runs
CELLS = [
    "import asyncio, os\n"
    "import numpy as np\n"
    "import ideogram_widgets as iw\n"
    "from ideogram_widgets import jobs\n"
    "from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread\n"
    "sandbox = serve_in_thread(SandboxConfig(workers=2, speed_scale=0.1))\n"
    "client = iw.AsyncClient(base_url=sandbox.url + '/v1')\n"
    "J = jobs.Journal(os.path.abspath('earlier-journal'))\n"
    "image = iw.sample_image()\n"
    "m = np.zeros((512, 768), bool); m[30:160, 550:690] = True\n"
    "manager = jobs.JobManager(client=client, journal=J)\n"
    f"for seed, prompt in [(7, {PICKED!r}), (8, 'a crescent moon')]:\n"
    "    await manager.submit(iw.EditInput(image, m, prompt, rendering_speed='TURBO', seed=seed))",
    "edit = iw.EditWidget(image, prompt='a window', client=client, journal=J, rendering_speed='TURBO')\nedit",
    # a job caught by a "restart": stopped here, then taken over by resume(), displayed as a ResumeView
    "pending = manager.submit(iw.EditInput(image, m, 'a lantern', rendering_speed='QUALITY'))\n"
    "for _ in range(1500):\n"
    "    if pending.request_id:\n"
    "        break\n"
    "    await asyncio.sleep(0.02)\n"
    "assert pending.request_id and pending.stop()\n"
    "report = iw.resume(client=client, journal=J)\n"
    "report",
]


def _composite_of(nb: NotebookPage, prompt: str) -> Image.Image:
    runs = "iw.history(journal=J, limit=20)"
    path = nb.kernel.eval(f"[str(r.composites[0]) for r in {runs} if r.params['prompt'] == {prompt!r}][0]")
    with Image.open(path) as picture:
        return picture.convert("RGB")


@pytest.mark.parametrize("jupyter", ["lab"], indirect=True)
def test_pick_an_earlier_run_and_see_its_composite_then_resume_on_screen(
    open_notebook: Callable[..., NotebookPage], jupyter: JupyterServer
) -> None:
    nb = open_notebook(CELLS, name="earlier-runs", viewport=(1400, 2400))
    nb.run_all()
    page = nb.page
    page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=90_000)
    # iw.resume() in a notebook: its ResumeView, the taken job finishing in the widgets' job view (first:
    # then the journal holds every run finished when the section below reads it)
    view = page.locator(".iw-resume-view").first
    view.locator(".iw-resume-summary:has-text('took 1 job')").wait_for(timeout=60_000)
    view.locator(".iw-job-row").first.locator("text=done in").wait_for(timeout=90_000)
    shown = image_in_page(view.locator(".iw-result-view img.iw-compare-after").first, (W, H))
    assert shown.size == (W, H)
    use = view.locator(".iw-result-box button:has-text('Use as input')").first
    inside, outside = use.bounding_box(), view.bounding_box()
    assert inside is not None
    assert outside is not None
    assert inside["y"] + inside["height"] <= outside["y"] + outside["height"], "tools spill out"
    view.scroll_into_view_if_needed()
    nb.screenshot("resume-view", view)

    wait_until(
        lambda: nb.kernel.eval("all(r.downloaded for r in iw.history(journal=J, limit=5))"),
        what="every run's files in the journal",
    )
    widget = page.locator(".iw-edit-widget").first
    section = widget.locator(".iw-earlier-runs")
    toggle = section.locator("button.iw-section-toggle")
    assert toggle.inner_text().strip() == "▸ Earlier runs"
    assert section.locator(".iw-run-row").count() == 0  # closed: nothing listed, nothing read

    # opened from the keyboard, like the Style section
    toggle.focus()
    page.keyboard.press("Enter")
    section.locator("button:has-text('▾ Earlier runs')").wait_for(timeout=30_000)
    picked = section.locator(f".iw-run-row:has-text('{PICKED}')")
    picked.locator(".iw-run-thumb img").wait_for(timeout=30_000)
    section.locator(".iw-run-row:has-text('a crescent moon') .iw-run-thumb img").wait_for(timeout=30_000)
    texts = section.locator(".iw-run-row").all_inner_texts()
    assert texts.index(next(t for t in texts if "a crescent moon" in t)) < texts.index(
        next(t for t in texts if PICKED in t)
    ), texts  # newest first
    # every run has its picture (each thumbnail is made on one of two threads: the lantern's may come last)
    thumbs = section.locator(".iw-run-row .iw-run-thumb img")
    wait_until(lambda: thumbs.count() == 3, what="a picture for each of the three runs")
    assert "completed" in picked.inner_text()

    expected = _composite_of(nb, PICKED)
    other = _composite_of(nb, "a crescent moon")
    assert not np.array_equal(np.asarray(expected), np.asarray(other))  # the check below can tell them apart
    picked.locator("button:has-text('Show')").click()
    widget.locator(f".iw-caption:has-text('{PICKED}')").wait_for(timeout=30_000)
    after = widget.locator(".iw-result-view img.iw-compare-after").first
    wait_until(
        lambda: np.array_equal(np.asarray(image_in_page(after, (W, H))), np.asarray(expected)),
        timeout=30,
        what="the picked run's composite in the page",
    )
    assert nb.kernel.eval("edit.jobs") == []  # shown, not made one of the widget's own jobs
    assert widget.locator(".iw-result-box button:has-text('Use as input')").is_visible()
    assert widget.locator(".iw-result-view button.iw-compare-save").is_visible()

    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        nb.set_theme(theme)
        short = theme.split()[-1].lower()
        violations = nb.axe(".iw-edit-widget .iw-earlier-runs")
        bad = [v for v in violations if v["impact"] in ("critical", "serious")]
        assert not bad, f"Earlier runs in {theme}: {bad}"
        measured = page.evaluate(CONTRAST, [".iw-edit-widget .iw-earlier-runs", PAINTER])
        assert len(measured) >= 6  # the heading, the rows' text, the buttons
        low = [t for t in measured if t["ratio"] < 4.5]
        assert not low, f"text below 4.5:1 in {theme}: {low}"
        section.scroll_into_view_if_needed()
        nb.screenshot(f"earlier-runs-{short}", section)
    nb.set_theme("JupyterLab Light")
