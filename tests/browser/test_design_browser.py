"""The editing widgets as a designer would check them, in JupyterLab and Notebook 7, Light and Dark:
axe-core finds nothing critical or serious, every text has a contrast of at least 4.5:1 (measured from the
page's computed colours), Tab reaches every control with a visible focus ring, the result is never drawn
larger than its pixels, Save downloads the file, Copy as code fills the clipboard, a double click or a
repeated Enter on Submit sends one job, and an external sandbox shows its banner.

The MaskPainter's own root (``.iw-painter``) is left out of the axe and contrast checks here: it is
checked by its own browser tests. Figures go to ``tests/artifacts/<kind>-design-figures.json``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser

from .conftest import ARTIFACTS, NotebookPage, new_notebook_page
from .jupyter import JupyterServer, wait_until

THEMES = ["JupyterLab Light", "JupyterLab Dark"]
ROOTS = {"edit": ".iw-edit-widget", "reframe": ".iw-reframe-widget"}
PAINTER = ".iw-painter"
CELLS = [
    "import numpy as np\n"
    "import ideogram_widgets as iw\n"
    "from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread\n"
    "sandbox = serve_in_thread(SandboxConfig(workers=2, speed_scale=0.1))\n"
    "client = iw.AsyncClient(base_url=sandbox.url + '/v1')\n"
    "edit = iw.EditWidget(iw.sample_image(), prompt='a crescent moon', client=client,\n"
    "                     rendering_speed='TURBO')\n"
    "m = np.zeros((512, 768), bool); m[30:160, 550:690] = True\n"
    "edit.mask = m\n"
    "edit",
    "reframe = iw.ReframeWidget(iw.sample_image(320, 200), '1536x640', client=client,\n"
    "                          rendering_speed='TURBO')\n"
    "reframe",
]
# Text contrast from computed colours: the text colour over the first opaque background behind it,
# semi-transparent layers blended on the way (WCAG 2 relative luminance). Disabled controls are exempt.
CONTRAST = """(args) => {
  const [selector, skip] = args;
  const parse = (c) => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of root.querySelectorAll("*")) {
      if (el.closest(skip) || el.closest(":disabled") || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || Number(style.opacity) === 0) continue;
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
      const typed = el.tagName !== "INPUT" || ["text", "number", "password", "search", ""].includes(el.type);
      const field = ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && typed && el.value;
      if (!own && !field) continue;
      const bg = background(el);
      const fg = over(parse(style.color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const where = el.tagName.toLowerCase() + "." + String(el.className).split(" ")[0] + " in " +
        (el.parentElement ? String(el.parentElement.className).split(" ")[0] : "");
      const text = (el.innerText || el.value || "").trim().slice(0, 40);
      const shown = "rgb(" + bg.slice(0, 3).map(Math.round).join(",") + ")";
      out.push({ text, ratio: (a + 0.05) / (b + 0.05), where, fg: style.color, bg: shown });
    }
  }
  return out;
}"""
DESCRIBE_FOCUS = """() => {
  const el = document.activeElement;
  if (!el) return null;
  const style = getComputedStyle(el);
  const label = (el.innerText || "").trim() || el.getAttribute("aria-label") ||
    (el.labels && el.labels[0] ? el.labels[0].innerText : "") || el.placeholder || el.title || el.type || "";
  return { tag: el.tagName.toLowerCase(), label: label.slice(0, 40), painter: !!el.closest(".iw-painter"),
           widget: el.closest(".iw-studio") ? (el.closest(".iw-edit-widget") ? "edit" : "reframe") : null,
           outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
}"""


@pytest.fixture(scope="module")
def studio(chromium: Browser, jupyter: JupyterServer) -> Iterator[NotebookPage]:
    """Both widgets on an external sandbox, each with a finished job, in a wide page."""
    nb = new_notebook_page(
        chromium,
        jupyter,
        CELLS,
        f"design-{jupyter.kind}",
        viewport=(1600, 1800),
        permissions=["clipboard-read", "clipboard-write"],
    )
    try:
        nb.run_all()
        page = nb.page
        page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=90_000)
        page.wait_for_selector(".iw-reframe-widget .iw-framing svg", timeout=60_000)
        nb.wait_kernel_idle(timeout=120)
        nb.kernel.run("_jobs = [edit.submit(), reframe.submit()]")
        wait_until(lambda: nb.kernel.eval("all(j.done for j in _jobs)"), timeout=60, what="both jobs done")
        for root in ROOTS.values():
            page.locator(f"{root} .iw-compare[data-ready='1']").wait_for(timeout=30_000)
        yield nb
        nb.assert_no_page_errors()
    finally:
        nb.close()


def _figures(nb: NotebookPage) -> dict[str, Any]:
    path = ARTIFACTS / f"{nb.kind}-design-figures.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _record(nb: NotebookPage, key: str, value: Any) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = _figures(nb)
    figures[key] = value
    (ARTIFACTS / f"{nb.kind}-design-figures.json").write_text(json.dumps(figures, indent=1))


@pytest.mark.parametrize("theme", THEMES)
def test_axe_and_text_contrast_in_both_themes(studio: NotebookPage, theme: str) -> None:
    nb = studio
    nb.set_theme(theme)
    short = theme.split()[-1].lower()
    for name, root in ROOTS.items():
        violations = nb.axe(root, exclude=[PAINTER])
        bad = [v for v in violations if v["impact"] in ("critical", "serious")]
        _record(nb, f"axe {name} {short}", {v["id"]: v["impact"] for v in violations})
        assert not bad, f"{name} in {theme}: {bad}"
    texts = nb.page.evaluate(CONTRAST, [", ".join(ROOTS.values()), PAINTER])
    assert len(texts) > 30  # the measure saw the widgets' text
    low = sorted((t for t in texts if t["ratio"] < 4.5), key=lambda t: t["ratio"])
    worst = min(texts, key=lambda t: t["ratio"])
    _record(nb, f"contrast {short}", {"texts": len(texts), "lowest": worst})
    assert not low, f"text below 4.5:1 in {theme}: {low[:8]}"
    for name, root in ROOTS.items():
        widget = nb.page.locator(root).first
        widget.scroll_into_view_if_needed()
        nb.screenshot(f"design-{name}-{short}", widget)
    nb.set_theme("JupyterLab Light")


def test_tab_reaches_every_control_with_a_focus_ring(studio: NotebookPage) -> None:
    nb, page = studio, studio.page
    edit = page.locator(".iw-edit-widget").first
    common = ("▸ Style", "Save", "▸ Earlier runs")
    wanted = {
        "edit": (*common, "Submit", "▸ Colour palette", "TURBO", "Seed", "Copy as code"),
        "reframe": (*common, "landscape", "portrait", "1536×512", "Reframe", "Use as input"),
    }
    for name, root in ROOTS.items():
        widget = page.locator(root).first
        widget.scroll_into_view_if_needed()
        widget.locator(".iw-token input").focus()
        path = tab_path(page, name)
        labels = [p["label"] for p in path]
        _record(
            nb,
            f"tab order {name}",
            [f"{p['tag']}:{p['label']}" + (" (painter)" if p["painter"] else "") for p in path],
        )
        for label in wanted[name]:
            assert any(label in seen for seen in labels), f"Tab never reached {label!r} in {name}: {labels}"
        rings = [p for p in path if not p["painter"] and (p["outline"] == "none" or p["width"] < 2)]
        assert not rings, f"no visible focus ring on {rings}"
    # a section opens from the keyboard
    style = edit.locator("button:has-text('▸ Style')")
    style.focus()
    page.keyboard.press("Enter")
    edit.locator("button:has-text('▾ Style')").wait_for(timeout=30_000)
    edit.locator(".iw-section select").first.wait_for(state="visible", timeout=30_000)
    spill = edit.locator(".iw-section").first.evaluate(
        "s => Math.max(...Array.from(s.querySelectorAll('select, input'),"
        " e => e.getBoundingClientRect().right)) - s.getBoundingClientRect().right"
    )
    assert spill <= 0.5, f"a Style control spills {spill} px out of its section"
    assert edit.locator(".iw-section select").first.evaluate("s => s.selectedOptions[0].text") == "none"
    page.keyboard.press("Space")
    edit.locator("button:has-text('▸ Style')").wait_for(timeout=30_000)
    edit.locator("button:has-text('Submit')").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(DESCRIBE_FOCUS)["label"] == "Submit"
    nb.screenshot("design-submit-focus", edit.locator("button:has-text('Submit')").first.locator(".."))


def tab_path(page: Any, widget: str) -> list[dict[str, Any]]:
    """Press Tab until the focus leaves ``widget``; what was focused, in order."""
    path: list[dict[str, Any]] = []
    for _ in range(80):
        page.keyboard.press("Tab")
        here = page.evaluate(DESCRIBE_FOCUS)
        if here is None or here["widget"] != widget:
            break
        path.append(here)
    return path


def test_results_are_never_drawn_larger_than_their_pixels(studio: NotebookPage) -> None:
    for root in ROOTS.values():
        img = studio.page.locator(f"{root} img.iw-compare-after").first
        natural, drawn = img.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
        assert 0 < drawn <= natural + 0.5, (root, natural, drawn)
    # 1:1 on demand: the picture at its own pixels
    edit = studio.page.locator(".iw-edit-widget").first
    edit.locator("button.iw-compare-zoom").click()
    img = edit.locator("img.iw-compare-after")
    wait_until(
        lambda: abs(img.evaluate("i => i.getBoundingClientRect().width - i.naturalWidth")) < 0.5,
        what="the 1:1 view",
    )
    edit.locator("button.iw-compare-zoom").click()


def test_save_downloads_the_file_and_copy_puts_the_code_on_the_clipboard(studio: NotebookPage) -> None:
    nb, page = studio, studio.page
    edit = page.locator(".iw-edit-widget").first
    edit.scroll_into_view_if_needed()
    with page.expect_download(timeout=20_000) as info:
        edit.locator("button.iw-compare-save").click()
    download = info.value
    data = Path(download.path()).read_bytes()
    expected = nb.kernel.eval("__import__('hashlib').sha256(bytes(edit.panel.view.after)).hexdigest()")
    assert hashlib.sha256(data).hexdigest() == expected
    assert download.suggested_filename == nb.kernel.eval("edit.panel.view.filename")
    edit.locator("button.iw-compare-copy").click()
    edit.locator(".iw-compare-saved:has-text('copied')").wait_for(timeout=30_000)
    pasted = page.evaluate("() => navigator.clipboard.readText()")
    assert pasted == nb.kernel.eval("edit.panel.view.code")
    assert "iw.EditInput(" in pasted


def test_an_external_sandbox_shows_its_banner(studio: NotebookPage) -> None:
    url = studio.kernel.eval("sandbox.url")
    banner = studio.page.locator(".iw-edit-widget .iw-banner").first
    assert url in banner.inner_text()
    assert "not the hosted RunComfy service" in banner.inner_text()


def test_a_double_click_or_repeated_enter_on_submit_sends_one_job(studio: NotebookPage) -> None:
    nb, page = studio, studio.page
    url = nb.kernel.eval("sandbox.url")

    def at_sandbox() -> int:
        return len(httpx.get(f"{url}/_sandbox/jobs", timeout=10).json())

    submit = page.locator(".iw-edit-widget button:has-text('Submit')").first
    submit.scroll_into_view_if_needed()
    before_jobs = nb.kernel.eval("len(edit.jobs)")
    for step, how in enumerate(("double click", "Enter twice"), start=1):
        # a kernel clock that stands still: only "still sending" or the repeat window can drop a click
        nb.kernel.run(f"edit.clock = lambda: {step}e9")
        jobs, ignored, server = len_jobs(nb), nb.kernel.eval("edit.ignored_clicks"), at_sandbox()
        wait_until(lambda: submit.is_enabled(), what="Submit enabled")
        if how == "Enter twice":
            submit.focus()
        # Both presses must reach the kernel: with the kernel's main thread held busy (until the test
        # releases it, however long the page takes), the first one cannot disable Submit in the page
        # before the second is sent (else a fast kernel would make the second press fire nothing and
        # the guard would go untested).
        release = nb.server.base / f"release-{uuid.uuid4().hex}"
        busy = nb.kernel.busy_until(release)
        try:
            if how == "double click":
                submit.dblclick()
            else:
                page.keyboard.press("Enter")
                page.keyboard.press("Enter")
            # one round trip through the page: both presses' handlers have run and sent their messages
            page.evaluate("() => 0")
        finally:
            release.touch()
        nb.kernel.finished(busy)
        seen = f"edit.ignored_clicks > {ignored}"
        wait_until(lambda: nb.kernel.eval(seen), what=f"the {how} seen")  # noqa: B023 - waited on here
        wait_until(lambda: nb.kernel.eval("edit.jobs[-1].done"), timeout=60, what="the job done")
        assert len_jobs(nb) == jobs + 1, how
        assert at_sandbox() == server + 1, how
    # a submit on purpose, later (the kernel's clock past the repeat window), is a new job
    nb.kernel.run("edit.clock = lambda: 9e9")
    submit.click()
    wait_until(lambda: len_jobs(nb) == before_jobs + 3, what="a deliberate resubmit")
    wait_until(lambda: nb.kernel.eval("edit.jobs[-1].done"), timeout=60, what="the job done")
    nb.kernel.run("import time as _t; edit.clock = _t.monotonic; edit._last_click = None")


def len_jobs(nb: NotebookPage) -> int:
    return int(nb.kernel.eval("len(edit.jobs)"))
