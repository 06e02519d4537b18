"""The painter without a pointer, and as assistive technology sees it, in JupyterLab and Notebook 7: Tab to
every control, Enter and Space press buttons, a partial mask made with the keyboard alone, axe-core on a
bare MaskPainter in the Light and Dark themes, focus rings and text contrast measured from computed colours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ._painter import H, Painter, W, assert_matches
from .conftest import ARTIFACTS
from .jupyter import wait_until

AXE = Path(__file__).resolve().parents[2] / "js" / "node_modules" / "axe-core" / "axe.min.js"
THEMES = ["JupyterLab Light", "JupyterLab Dark"]

# Contrast of colours as the page computes them: text against the background it sits on (semi-transparent
# layers composited), and each control's focus ring against what surrounds it.
CONTRAST = """
() => {
  const rgba = (css) => {
    const m = css.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let out = [255, 255, 255, 1];
    for (const c of layers.reverse()) out = over(c, out);
    return out;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const root = document.querySelector(".iw-painter");
  const text = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const el = t.parentElement;
    const shown = el.getClientRects().length && !el.closest("[hidden]") && !el.disabled;
    if (!t.textContent.trim() || !shown) continue;
    const bg = background(el);
    const fg = over(rgba(getComputedStyle(el).color), bg);
    text.push({ text: t.textContent.trim().slice(0, 30), ratio: ratio(fg, bg) });
  }
  return { text };
}
"""

FOCUS_RING = """
() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {
    action: el.dataset.action || el.getAttribute("aria-label") || el.className,
    width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor,
    around: getComputedStyle(el.parentElement.closest(".iw-toolbar, .iw-painter")).backgroundColor,
  };
}
"""


def _channel(v: float) -> float:
    v /= 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def luminance(css: str) -> float:
    """Relative luminance (WCAG) of a computed "rgb(r, g, b)" colour."""
    inner = css[css.index("(") + 1 : css.index(")")].replace("/", " ").replace(",", " ")
    parts = [float(v) for v in inner.split()]
    channel = _channel
    return 0.2126 * channel(parts[0]) + 0.7152 * channel(parts[1]) + 0.0722 * channel(parts[2])


def contrast(a: str, b: str) -> float:
    hi, lo = sorted([luminance(a), luminance(b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_toolbar_buttons_press_with_enter_and_space(painter: Painter) -> None:
    page = painter.page
    painter.root.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.dataset.action") == "brush"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # Eraser
    wait_until(lambda: painter.nb.kernel.eval("painter.tool") == "eraser", timeout=30, what="Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Rect
    wait_until(lambda: painter.nb.kernel.eval("painter.tool") == "rectangle", timeout=30, what="Enter")
    assert painter.dataset("view") is not None
    page.focus(".iw-painter button[data-action='fill']")
    page.keyboard.press("Space")
    painter.wait_browser_coverage(1.0)
    wait_until(lambda: painter.nb.kernel.eval("painter.coverage") == 1.0, timeout=30, what="Fill by Space")
    scale_before = painter.dataset("view")
    page.focus(".iw-painter button[data-action='undo']")
    page.keyboard.press("Space")  # pressed the button: no pan mode was entered, the view did not move
    painter.wait_browser_coverage(0.0)
    assert painter.dataset("view") == scale_before


def test_a_partial_mask_from_the_keyboard_alone(painter: Painter) -> None:
    page = painter.page
    kernel = painter.nb.kernel
    painter.root.focus()
    page.keyboard.press("r")  # rectangle
    page.keyboard.press("ArrowLeft")  # shows the cursor at the centre of the picture
    assert [float(v) for v in (painter.dataset("cursor") or "").split()] == [W / 2, H / 2]
    scale = float((painter.dataset("view") or "").split()[0])
    page.keyboard.press("Enter")  # first corner
    for key in ["Shift+ArrowRight"] * 3 + ["Shift+ArrowDown"] * 2:
        page.keyboard.press(key)
    v = painter.kernel_version()
    page.keyboard.press("Enter")  # second corner: the rectangle is filled, one mask sent
    painter.wait_kernel_has_browser_mask(v)
    assert painter.kernel_version() == v + 1
    x0, y0 = W / 2, H / 2
    x1, y1 = x0 + 3 * 40 / scale, y0 + 2 * 40 / scale
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    expected = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
    edges = (np.abs(xs - x1) <= 1) | (np.abs(ys - y1) <= 1)  # float rounding of the far corner
    mask = painter.kernel_mask()
    assert_matches(mask, expected, edges)

    page.keyboard.press("b")  # a brush stroke up from the rectangle's corner, along the cursor's path
    v = painter.sent_version()
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("Shift+ArrowUp")
    page.keyboard.press("Enter")
    painter.wait_kernel_has_browser_mask(v)
    stroke = painter.kernel_mask() & ~mask
    column = round(x1 - 0.5)
    assert stroke[round(y1 - 3 * 40 / scale), column]
    assert not stroke[round(y1 + 3 * 40 / scale), column]
    assert 0 < kernel.eval("painter.coverage") < 0.2
    painter.nb.screenshot("painter-keyboard-mask", painter.root)


@pytest.mark.parametrize("theme", THEMES)
def test_axe_finds_nothing_serious_and_rings_and_text_have_contrast(painter: Painter, theme: str) -> None:
    page = painter.page
    painter.set_theme(theme)
    painter.nb.kernel.run("painter.tool = 'wand'")  # its options (tolerance, contiguous) are shown too
    page.wait_for_selector(".iw-painter .iw-wand-options", state="visible")
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document.querySelector('.iw-painter'))")
    bad = [v for v in results["violations"] if v["impact"] in ("critical", "serious")]
    assert not bad, json.dumps([(v["id"], v["impact"], [n["html"] for n in v["nodes"]]) for v in bad])
    impacts = ("critical", "serious", "moderate", "minor")
    counts = {i: sum(v["impact"] == i for v in results["violations"]) for i in impacts}

    # every control is reached by Tab, and shows a ring of at least 2 px with 3:1 against its surroundings
    painter.root.focus()
    rings: list[dict[str, Any]] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if not page.evaluate("() => !!document.activeElement.closest('.iw-painter')"):
            break
        ring = page.evaluate(FOCUS_RING)
        ring["contrast"] = contrast(ring["color"], ring["around"])
        rings.append(ring)
    reached = {r["action"] for r in rings}
    controls = {"brush", "wand", "fill", "grow", "help", "Brush size", "Overlay opacity", "Wand tolerance"}
    assert controls <= reached
    for ring in rings:
        assert ring["style"] != "none", ring
        assert ring["width"] >= 2, ring
        assert ring["contrast"] >= 3, ring

    page.focus(".iw-painter button[data-action='rectangle']")
    page.keyboard.press("Enter")  # an active tool button, to measure its text too
    texts = page.evaluate(CONTRAST)["text"]
    assert texts
    low = [t for t in texts if t["ratio"] < 4.5]
    assert not low, low
    name = theme.split()[-1].lower()
    painter.nb.screenshot(f"painter-theme-{name}", painter.root)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {"axe": counts, "rings": rings, "text": texts}
    (ARTIFACTS / f"{painter.nb.kind}-painter-contrast-{name}.json").write_text(json.dumps(figures, indent=1))
