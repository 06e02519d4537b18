"""MaskPainter in a real JupyterLab and Notebook 7, driven with the mouse and keyboard in headless Chromium.

What the kernel holds is read through a second kernel client (never through the page), and compared with
where the pointer went, mapped to image pixels by the view transform computed here independently.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from ._painter import (
    BRUSH,
    NOTEBOOK,
    H,
    Painter,
    Touchscreen,
    W,
    assert_matches,
    stroke_area,
)
from .conftest import NotebookPage
from .jupyter import wait_until


def test_strokes_at_two_zoom_levels_reach_the_kernel_at_full_resolution(painter: Painter) -> None:
    fit = painter.fit_view()
    painter.assert_view(fit)
    before = painter.kernel_version()
    path_a = painter.drag(fit, [(200, 200), (800, 1000), (1400, 300)])
    painter.wait_kernel_has_browser_mask(before)
    area_a, band_a = stroke_area(path_a, fit)
    assert_matches(painter.kernel_mask(), area_a, band_a)
    painter.nb.screenshot("painter-stroke-fit", painter.root)

    painter.button("actual")
    actual = painter.actual_size_view()
    painter.assert_view(actual)
    before = painter.kernel_version()
    path_b = painter.drag(actual, [(450, 450), (1150, 780)])
    painter.wait_kernel_has_browser_mask(before)
    area_b, band_b = stroke_area(path_b, actual)
    assert_matches(painter.kernel_mask(), area_a | area_b, band_a | band_b)
    assert painter.nb.kernel.eval("painter.coverage") == pytest.approx((area_a | area_b).mean(), rel=0.02)
    painter.nb.screenshot("painter-stroke-100", painter.root)
    painter.nb.screenshot("page")


def test_undo_and_redo_with_keys_and_buttons(painter: Painter) -> None:
    fit = painter.fit_view()
    v0 = painter.kernel_version()
    path = painter.drag(fit, [(300, 300), (1300, 900)])
    painter.wait_kernel_has_browser_mask(v0)
    stroke = painter.kernel_mask()
    assert stroke.any()

    for undo, redo in [("Control+z", "Control+Shift+z"), ("Control+z", "Control+y")]:
        v = painter.sent_version()
        painter.page.keyboard.press(undo)
        painter.wait_kernel_has_browser_mask(v)
        assert not painter.kernel_mask().any()
        v = painter.sent_version()
        painter.page.keyboard.press(redo)
        painter.wait_kernel_has_browser_mask(v)
        assert np.array_equal(painter.kernel_mask(), stroke)

    v = painter.sent_version()
    painter.button("undo")
    painter.wait_kernel_has_browser_mask(v)
    assert not painter.kernel_mask().any()
    v = painter.sent_version()
    painter.button("redo")
    painter.wait_kernel_has_browser_mask(v)
    area, band = stroke_area(path, fit)
    assert_matches(painter.kernel_mask(), area, band)


CONTEXT_MENU = ".lm-Menu"  # JupyterLab's and Notebook 7's context menu (Lumino)


def test_right_drag_erases_and_opens_no_context_menu(painter: Painter) -> None:
    page = painter.page
    # control: a right click on the notebook's first cell does open JupyterLab's menu
    cell = page.locator(".jp-Cell .jp-InputArea-editor").first
    cell.click(button="right")
    page.wait_for_selector(CONTEXT_MENU, state="visible", timeout=30_000)
    page.keyboard.press("Escape")
    page.wait_for_selector(CONTEXT_MENU, state="detached", timeout=30_000)

    fit = painter.fit_view()
    v = painter.kernel_version()
    path = painter.drag(fit, [(200, 600), (1400, 600)])
    painter.wait_kernel_has_browser_mask(v)
    v = painter.sent_version()
    cut = painter.drag(fit, [(800, 300), (800, 900)], button="right")
    assert page.locator(CONTEXT_MENU).count() == 0
    # a long press on a touch screen fires contextmenu as a touch pointer event: kept from the page too
    kept = page.evaluate(
        """() => {
          const stage = document.querySelector('.iw-stage');
          let reached = false;
          const spy = () => { reached = true; };
          document.addEventListener('contextmenu', spy);
          const event = new PointerEvent(
            'contextmenu', { bubbles: true, cancelable: true, pointerType: 'touch' }
          );
          const allowed = stage.dispatchEvent(event);
          document.removeEventListener('contextmenu', spy);
          return { allowed, reached };
        }"""
    )
    assert kept == {"allowed": False, "reached": False}
    assert page.locator(CONTEXT_MENU).count() == 0
    painter.wait_kernel_has_browser_mask(v)
    painted, band_p = stroke_area(path, fit)
    erased, band_e = stroke_area(cut, fit)
    assert_matches(painter.kernel_mask(), painted & ~erased, band_p | band_e)


def test_keys_in_the_painter_never_reach_the_notebook(painter: Painter) -> None:
    nb = painter.nb
    # control: with the notebook focused in command mode, "b" does add a cell
    nb.command("notebook:enter-command-mode")
    nb.page.evaluate("() => window.jupyterapp.shell.currentWidget.content.node.focus()")
    cells = len(nb.cell_sources())
    nb.page.keyboard.press("b")
    wait_until(
        lambda: len(nb.cell_sources()) == cells + 1, timeout=30, what="JupyterLab's own 'b' to add a cell"
    )
    cells_before = nb.cell_sources()

    fit = painter.fit_view()
    v = painter.kernel_version()
    painter.drag(fit, [(400, 400), (1200, 800)])  # also focuses the painter
    painter.wait_kernel_has_browser_mask(v)
    for key in ["a", "b", "d", "d", "z", "Shift+z", "x", "m", "Enter"]:
        nb.page.keyboard.press(key)
    assert painter.dataset("tool") == "eraser"  # the painter got them: "b" brush, then "x" swapped
    v = painter.sent_version()
    nb.page.keyboard.press("Control+z")
    painter.wait_kernel_has_browser_mask(v)
    assert not painter.kernel_mask().any()  # the painter undid its stroke
    assert nb.cell_sources() == cells_before  # and the notebook did not undo, add or delete a cell


def test_rectangle_ellipse_and_lasso_fill_then_invert(painter: Painter) -> None:
    fit = painter.fit_view()
    ys, xs = np.mgrid[0:H, 0:W] + 0.5
    tolerance = 1.0 + 0.75 / fit.scale

    painter.button("rectangle")
    v = painter.kernel_version()
    (x0, y0), (x1, y1) = painter.drag(fit, [(150, 150), (650, 500)])
    painter.wait_kernel_has_browser_mask(v)
    rect = (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1)
    edge = (np.minimum.reduce([abs(xs - x0), abs(xs - x1), abs(ys - y0), abs(ys - y1)]) <= tolerance) & (
        (xs >= x0 - tolerance) & (xs <= x1 + tolerance) & (ys >= y0 - tolerance) & (ys <= y1 + tolerance)
    )
    assert_matches(painter.kernel_mask(), rect, edge)

    painter.button("ellipse")
    v = painter.sent_version()
    (ex0, ey0), (ex1, ey1) = painter.drag(fit, [(800, 600), (1500, 1100)])
    painter.wait_kernel_has_browser_mask(v)
    cx, cy, rx, ry = (ex0 + ex1) / 2, (ey0 + ey1) / 2, abs(ex1 - ex0) / 2, abs(ey1 - ey0) / 2
    ellipse_d = np.hypot((xs - cx) / rx, (ys - cy) / ry)
    ellipse = ellipse_d <= 1
    ellipse_edge = np.abs(ellipse_d - 1) * min(rx, ry) <= tolerance
    assert_matches(painter.kernel_mask(), rect | ellipse, edge | ellipse_edge)

    painter.button("lasso")
    v = painter.sent_version()
    painter.drag(fit, [(200, 1100), (600, 700), (700, 1150), (200, 1100)])
    painter.wait_kernel_has_browser_mask(v)
    triangle = painter.kernel_mask() & ~(rect | ellipse)
    assert triangle[1000, 500]  # inside the lasso's triangle
    assert not triangle[720, 250]
    painter.nb.screenshot("painter-shapes", painter.root)

    shapes = painter.kernel_mask()
    v = painter.sent_version()
    painter.button("invert")
    painter.wait_kernel_has_browser_mask(v)
    assert np.array_equal(painter.kernel_mask(), ~shapes)
    assert painter.nb.kernel.eval("painter.coverage") == pytest.approx(1 - shapes.mean())
    painter.button("brush")


def test_a_mask_set_from_python_shows_on_screen_and_is_undoable_there(painter: Painter) -> None:
    painter.nb.kernel.run(
        "import numpy as np\n"
        f"block = np.zeros(({H}, {W}), bool); block[300:700, 500:1100] = True\n"
        "painter.overlay_color = '#00ff00'; painter.overlay_opacity = 1.0\n"
        "painter.mask = block"
    )
    painter.wait_browser_coverage(400 * 600 / (W * H))
    shot = painter.stage_shot("painter-mask-from-python", painter.fit_view())
    for x, y in [(800, 500), (520, 320), (1080, 680)]:
        r, g, b = shot.at(x, y)
        assert (g > 240, r < 15, b < 15) == (True, True, True), (x, y, (r, g, b))
    for x, y in [(200, 1000), (480, 500), (800, 720)]:
        r, g, b = shot.at(x, y)
        assert not (g > 200 and r < 60 and b < 60), (x, y, (r, g, b))
    assert painter.root.locator(".iw-color").input_value() == "#00ff00"

    v = painter.kernel_version()
    painter.button("undo")
    painter.wait_kernel_has_browser_mask(v)
    assert not painter.kernel_mask().any()


def test_empty_and_full_masks_show_a_warning(painter: Painter) -> None:
    warning = painter.root.locator(".iw-warning")
    assert "Empty mask" in warning.inner_text()
    painter.button("fill")
    painter.wait_browser_coverage(1.0)
    assert "Full mask" in warning.inner_text()
    painter.nb.screenshot("painter-full-warning", painter.root)
    fit = painter.fit_view()
    painter.button("eraser")
    v = painter.sent_version()
    painter.drag(fit, [(700, 500), (900, 700)])
    painter.wait_kernel_has_browser_mask(v)
    assert not warning.is_visible()
    assert 0 < painter.nb.kernel.eval("painter.coverage") < 1
    painter.button("brush")


def test_help_lists_the_shortcuts_and_escape_closes_it(painter: Painter) -> None:
    help_panel = painter.root.locator(".iw-help")
    assert not help_panel.is_visible()
    painter.button("help")
    assert help_panel.is_visible()
    assert "undo" in help_panel.inner_text()
    painter.nb.screenshot("painter-help", painter.root)
    painter.root.focus()
    painter.page.keyboard.press("Escape")
    assert not help_panel.is_visible()


def test_wheel_zooms_at_the_cursor_space_drag_pans_and_keys_resize_the_brush(painter: Painter) -> None:
    fit = painter.fit_view()
    painter.button("fit")  # focuses the painter: a focused painter zooms on the plain wheel
    cursor = (round(fit.to_page(1000, 400)[0]), round(fit.to_page(1000, 400)[1]))
    painter.page.mouse.move(*cursor)
    painter.page.mouse.wheel(0, -240)
    painter.page.wait_for_function(
        "() => !document.querySelector('.iw-painter').dataset.view.startsWith('0.4 ')"
    )
    scale, tx, ty = (float(v) for v in (painter.dataset("view") or "").split())
    box = painter.box()
    assert scale > fit.scale * 1.2
    # the image point under the cursor did not move
    assert (cursor[0] - box["x"] - tx) / scale == pytest.approx(fit.to_image(*cursor)[0], abs=0.01)
    assert (cursor[1] - box["y"] - ty) / scale == pytest.approx(fit.to_image(*cursor)[1], abs=0.01)

    painter.page.keyboard.down(" ")
    painter.page.mouse.down()
    painter.page.mouse.move(cursor[0] - 120, cursor[1] + 45, steps=5)
    painter.page.mouse.up()
    painter.page.keyboard.up(" ")
    scale2, tx2, ty2 = (float(v) for v in (painter.dataset("view") or "").split())
    assert (scale2, tx2, ty2) == pytest.approx((scale, tx - 120, ty + 45))
    assert painter.nb.kernel.eval("painter.coverage") == 0.0  # panning drew nothing

    painter.page.keyboard.press("]")
    wait_until(
        lambda: painter.nb.kernel.eval("painter.brush_size") == 48, timeout=30, what="] to grow the brush"
    )
    painter.page.keyboard.press("[")
    painter.page.keyboard.press("[")
    wait_until(
        lambda: painter.nb.kernel.eval("painter.brush_size") == 33, timeout=30, what="[ to shrink the brush"
    )
    painter.page.keyboard.down("Alt")
    painter.page.mouse.wheel(0, -100)
    painter.page.keyboard.up("Alt")
    wait_until(
        lambda: painter.nb.kernel.eval("painter.brush_size") == 40, timeout=30, what="Alt+wheel to grow it"
    )
    painter.nb.screenshot("painter-zoomed", painter.root)


def test_set_image_shows_the_new_picture_with_an_empty_mask(painter: Painter) -> None:
    kernel = painter.nb.kernel
    kernel.run("painter.fill()")
    painter.wait_browser_coverage(1.0)
    try:
        kernel.run("from ideogram_widgets.samples import sample_image as _s; painter.set_image(_s(640, 960))")
        painter.wait_image(640, 960)
        painter.wait_browser_coverage(0.0)
        assert painter.page.is_disabled(".iw-painter button[data-action='undo']")  # a fresh history
        # the live figure starts over too ("mask from the kernel" was the old picture's)
        assert (painter.page.text_content(".iw-painter .iw-sync") or "") == ""
        view = painter.fit_view(640, 960)
        v = painter.sent_version()
        painter.drag(view, [(100, 100), (500, 800)])
        painter.wait_kernel_has_browser_mask(v)
        assert kernel.eval("painter.mask_array.shape") == (960, 640)
        assert 0 < kernel.eval("painter.coverage") < 0.2
        painter.nb.screenshot("painter-set-image", painter.root)
    finally:
        kernel.run(f"painter.set_image(sample_image({W}, {H}))")
        painter.wait_image(W, H)


def test_one_finger_draws_and_two_fingers_pinch_zoom(open_notebook: Callable[..., NotebookPage]) -> None:
    nb = open_notebook(NOTEBOOK, has_touch=True)
    nb.run_all()
    nb.page.wait_for_selector(".iw-painter[data-ready='1']", timeout=60_000)
    painter = Painter(nb)
    touch = Touchscreen(nb)
    fit = painter.fit_view()
    path = [(300.0, 300.0), (800.0, 700.0), (1300.0, 400.0)]
    page_points = [(float(round(px)), float(round(py))) for px, py in (fit.to_page(x, y) for x, y in path)]
    touch("touchStart", page_points[0])
    for (ax, ay), (bx, by) in itertools.pairwise(page_points):
        for k in range(1, 11):
            touch("touchMove", (ax + (bx - ax) * k / 10, ay + (by - ay) * k / 10))
    touch("touchEnd")
    painter.wait_kernel_has_browser_mask(0)
    area, band = stroke_area([fit.to_image(x, y) for x, y in page_points], fit)
    assert_matches(painter.kernel_mask(), area, band)

    coverage = painter.dataset("coverage")
    centre = fit.to_page(W / 2, H / 2)
    a, b = (centre[0] - 50, centre[1]), (centre[0] + 50, centre[1])
    touch("touchStart", a, b)
    for k in range(1, 11):
        touch("touchMove", (a[0] - 5 * k, a[1]), (b[0] + 5 * k, b[1]))
    touch("touchEnd")
    scale = float((painter.dataset("view") or "").split()[0])
    assert scale == pytest.approx(fit.scale * 2, rel=0.02)  # the fingers went from 100 to 200 px apart
    assert painter.dataset("coverage") == coverage  # and painted nothing
    nb.screenshot("painter-after-pinch", painter.root)


def test_a_12_mp_photo_is_shown_from_a_small_copy_and_masked_at_full_resolution(painter: Painter) -> None:
    kernel = painter.nb.kernel
    big_w, big_h = 4032, 3024
    kernel.run(
        "import numpy as _np\n"
        "from PIL import Image as _Image\n"
        "_rng = _np.random.default_rng(3)\n"
        f"_coarse = _rng.integers(0, 256, ({big_h // 48}, {big_w // 48}, 3), dtype=_np.uint8)\n"
        f"painter.set_image(_Image.fromarray(_coarse).resize(({big_w}, {big_h}), _Image.Resampling.BICUBIC))"
    )
    try:
        painter.wait_image(big_w, big_h)
        assert kernel.eval("(painter.display_mime, len(painter.display_image) < 1_500_000)") == (
            "image/jpeg",
            True,
        )
        view = painter.fit_view(big_w, big_h)
        v = painter.sent_version()
        path = painter.drag(view, [(1000, 1000), (3000, 2000)])
        painter.wait_kernel_has_browser_mask(v)
        assert kernel.eval("painter.mask_array.shape") == (big_h, big_w)
        # the stroke is where the pointer went, in the original's pixels (not the 2048 px copy's)
        (ax, ay), (bx, by) = path
        mid = (round((ax + bx) / 2), round((ay + by) / 2))
        assert kernel.eval(f"bool(painter.mask_array[{mid[1]}, {mid[0]}])")
        assert not kernel.eval(f"bool(painter.mask_array[{mid[1]}, {mid[0] + 200}])")
        brush = kernel.eval("painter.brush_size")
        coverage = kernel.eval("painter.coverage")
        length = ((bx - ax) ** 2 + (by - ay) ** 2) ** 0.5
        assert coverage == pytest.approx((length * brush + np.pi * brush**2 / 4) / (big_w * big_h), rel=0.05)
        painter.nb.screenshot("painter-12mp", painter.root)
    finally:
        kernel.run(f"painter.set_image(sample_image({W}, {H})); painter.brush_size = {BRUSH}")
        painter.wait_image(W, H)
