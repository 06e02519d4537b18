"""The MaskPainter on a notebook page, for the painter's browser tests: where the image is on the page,
strokes through image points, and the mask as the kernel holds it (read through a second kernel client,
never through the page).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, FloatRect

from .conftest import NotebookPage, new_notebook_page
from .jupyter import JupyterServer, wait_until

W, H = 1600, 1200
BRUSH = 40
NOTEBOOK = [
    "from ideogram_widgets import MaskPainter\n"
    "from ideogram_widgets.samples import sample_image\n"
    f"painter = MaskPainter(sample_image({W}, {H}), brush_size={BRUSH}, height=480)\n"
    "painter",
]

Point = tuple[float, float]


@dataclass
class View:
    """screen = image * scale + (left + tx, top + ty), in page CSS pixels."""

    scale: float
    left: float
    top: float

    def to_page(self, x: float, y: float) -> Point:
        return (self.left + x * self.scale, self.top + y * self.scale)

    def to_image(self, px: float, py: float) -> Point:
        return ((px - self.left) / self.scale, (py - self.top) / self.scale)


@dataclass
class StageShot:
    """A screenshot of the painter's stage (at ``box`` on the page), read at image pixels through ``view``."""

    pixels: Image.Image
    box: FloatRect
    view: View

    def at(self, x: float, y: float) -> tuple[int, int, int]:
        """The RGB colour shown at image pixel (x, y)."""
        px, py = self.view.to_page(x, y)
        rgb = self.pixels.getpixel((int(px - self.box["x"]), int(py - self.box["y"])))
        assert isinstance(rgb, tuple)
        return rgb[0], rgb[1], rgb[2]


class Painter:
    """The painter on a notebook page, and the same painter as the kernel sees it."""

    def __init__(self, nb: NotebookPage) -> None:
        self.nb = nb
        self.page = nb.page
        self.root = nb.page.locator(".iw-painter")
        self.stage = nb.page.locator(".iw-stage")
        self.mask_file = nb.server.base / "kernel-mask.png"

    # ---- the page ----
    def dataset(self, key: str) -> str | None:
        return self.root.get_attribute(f"data-{key}")

    def button(self, action: str) -> None:
        self.page.click(f".iw-painter button[data-action='{action}']")

    def box(self) -> FloatRect:
        self.stage.scroll_into_view_if_needed()
        box = self.stage.bounding_box()
        assert box is not None
        return box

    def stage_shot(self, name: str, view: View) -> StageShot:
        """Screenshot the stage (as ``tests/artifacts/<kind>-<name>.png``); read it through ``view``."""
        shot = self.nb.screenshot(name, self.stage)
        box = self.box()
        with Image.open(shot) as image:
            return StageShot(image.convert("RGB"), box, view)

    def fit_view(self, width: int = W, height: int = H) -> View:
        """Where "Fit" must put the image: as large as fits, centred (computed here, not read)."""
        b = self.box()
        scale = min(b["width"] / width, b["height"] / height)
        return View(
            scale, b["x"] + (b["width"] - width * scale) / 2, b["y"] + (b["height"] - height * scale) / 2
        )

    def actual_size_view(self) -> View:
        """Where "100 %" must put the image after Fit: one image pixel per CSS pixel, still centred."""
        b = self.box()
        return View(1.0, b["x"] + b["width"] / 2 - W / 2, b["y"] + b["height"] / 2 - H / 2)

    def assert_view(self, expected: View) -> None:
        scale, tx, ty = (float(v) for v in (self.dataset("view") or "").split())
        b = self.box()
        assert scale == pytest.approx(expected.scale, rel=1e-6)
        assert b["x"] + tx == pytest.approx(expected.left, abs=0.01)
        assert b["y"] + ty == pytest.approx(expected.top, abs=0.01)

    def drag(
        self, view: View, image_points: list[Point], *, button: str = "left", steps: int = 12
    ) -> list[Point]:
        """Drag through image points (via whole CSS pixels); returns the image points the pointer hit."""
        page_points = [tuple(round(c) for c in view.to_page(x, y)) for x, y in image_points]
        self.page.mouse.move(*page_points[0])
        self.page.mouse.down(button=button)  # type: ignore[arg-type]
        for p in page_points[1:]:
            self.page.mouse.move(*p, steps=steps)
        self.page.mouse.up(button=button)  # type: ignore[arg-type]
        return [view.to_image(x, y) for x, y in page_points]

    def wait_image(self, width: int, height: int) -> None:
        """Wait until the painter shows a picture of that size, ready to draw on."""
        self.page.wait_for_function(
            "(t) => document.querySelector('.iw-painter .iw-size-info').textContent.startsWith(t)",
            arg=f"{width} × {height}",
        )
        self.page.wait_for_selector(".iw-painter[data-ready='1']")

    def sent_version(self) -> int:
        return int(self.dataset("sent-version") or 0)

    def wait_browser_coverage(self, expected: float, tol: float = 1e-9) -> None:
        self.page.wait_for_function(
            "([e, t]) => Math.abs(Number(document.querySelector('.iw-painter').dataset.coverage) - e) <= t",
            arg=[expected, tol],
        )

    # ---- the kernel ----
    def kernel_version(self) -> int:
        return int(self.nb.kernel.eval("painter.mask_version"))

    def wait_kernel_has_browser_mask(self, after: int) -> int:
        """Wait until the browser sent a mask newer than ``after`` and the kernel holds it."""
        wait_until(lambda: self.sent_version() > after, timeout=30, what="the browser to send the mask")
        sent = self.sent_version()
        wait_until(
            lambda: self.kernel_version() >= sent, timeout=30, what=f"mask version {sent} in the kernel"
        )
        return sent

    def kernel_mask(self) -> np.ndarray:
        self.nb.kernel.run(f"painter.mask.save({str(self.mask_file)!r})")
        with Image.open(self.mask_file) as image:
            assert image.size == (W, H)
            return np.asarray(image) > 127

    def set_theme(self, name: str) -> None:
        """Switch JupyterLab / Notebook 7 to the theme ``name`` ("JupyterLab Light" / "JupyterLab Dark")."""
        light = "true" if "Light" in name else "false"
        if self.page.evaluate("() => document.body.dataset.jpThemeLight") == light:
            return
        self.nb.command("apputils:change-theme", {"theme": name})
        self.page.wait_for_function(
            "(l) => document.body.dataset.jpThemeLight === l && document.body.dataset.jpThemeName", arg=light
        )

    def reset(self) -> None:
        self.set_theme("JupyterLab Light")
        self.nb.kernel.run(
            "painter.clear(); painter.tool = 'brush'; painter.brush_size = 40; painter.show_mask = True; "
            "painter.overlay_color = '#ff3b30'; painter.overlay_opacity = 0.45"
        )
        self.wait_browser_coverage(0.0)
        self.button("fit")


def distance_to_path(points: list[Point]) -> np.ndarray:
    """Distance from every pixel centre of the image to a polyline given in image coordinates."""
    ys, xs = np.mgrid[0:H, 0:W].astype(np.float32) + 0.5
    best = np.full((H, W), np.inf, np.float32)
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy or 1e-9
        t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / length2, 0, 1)
        best = np.minimum(best, np.hypot(xs - (ax + t * dx), ys - (ay + t * dy)))
    return best


def assert_matches(mask: np.ndarray, expected: np.ndarray, uncertain: np.ndarray) -> None:
    """``mask`` equals ``expected`` everywhere except a thin band of ``uncertain`` edge pixels."""
    wrong = (mask != expected) & ~uncertain
    assert not wrong.any(), (
        f"{int(wrong.sum())} pixels differ, e.g. at (y, x) {np.argwhere(wrong)[:5].tolist()}"
    )
    iou = (mask & expected).sum() / max(1, (mask | expected).sum())
    assert iou > 0.97


def stroke_area(points: list[Point], view: View, radius: float = BRUSH / 2) -> tuple[np.ndarray, np.ndarray]:
    """The pixels a brush of ``radius`` covers along ``points``, and the edge band where the pointer's
    rounding to whole screen pixels may flip them."""
    d = distance_to_path(points)
    tolerance = 1.0 + 0.75 / view.scale
    return d <= radius, np.abs(d - radius) <= tolerance


class Touchscreen:
    """Touch events through Chromium's DevTools protocol (Playwright itself only taps)."""

    def __init__(self, nb: NotebookPage) -> None:
        self.cdp = nb.page.context.new_cdp_session(nb.page)

    def __call__(self, kind: str, *fingers: Point) -> None:
        """One touch event with the fingers at the given page points (none for touchEnd)."""
        points = [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(fingers)]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def open_painter(chromium: Browser, jupyter: JupyterServer, name: str) -> Iterator[Painter]:
    """For a module-scoped fixture: a notebook page showing NOTEBOOK's painter, closed after."""
    nb = new_notebook_page(chromium, jupyter, NOTEBOOK, name)
    try:
        nb.run_all()
        nb.page.wait_for_selector(".iw-painter[data-ready='1']", timeout=60_000)
        yield Painter(nb)
    finally:
        nb.close()


def fresh_painter(painter_page: Painter) -> Iterator[Painter]:
    """For a per-test fixture: the page's painter reset (empty mask, brush, Light theme); no page errors."""
    painter_page.reset()
    yield painter_page
    painter_page.nb.assert_no_page_errors()
