"""The painter's selection tools in JupyterLab and Notebook 7: the magic wand (contiguous and global, add
and subtract), grow and shrink, an overlay that shows on a picture of its own colour, and a toolbar that
wraps in a narrow notebook. Each action is one undoable step and one mask for the kernel.
"""

from __future__ import annotations

import colorsys

import numpy as np
import pytest
from PIL import Image

from ._painter import Painter

PW, PH = 1200, 800
# a red-brown left half, a blue right half with a red-brown disc in it (the same colour, not connected)
PICTURE = f"""
import numpy as _np
from PIL import Image as _Image
_ys, _xs = _np.mgrid[0:{PH}, 0:{PW}]
_pic = _np.zeros(({PH}, {PW}, 3), _np.uint8)
_pic[:] = (40, 70, 170)
_pic[_xs < {PW // 2}] = (150, 70, 50)
_pic[(_xs - 900) ** 2 + (_ys - 400) ** 2 <= 100 ** 2] = (150, 70, 50)
painter.set_image(_Image.fromarray(_pic))
painter.overlay_color = "auto"
"""


@pytest.fixture
def painter(painter: Painter) -> Painter:
    """The module's painter (reset by conftest's fixture), showing this module's picture."""
    painter.nb.kernel.run(PICTURE)
    painter.wait_image(PW, PH)
    return painter


def left_half() -> np.ndarray:
    mask = np.zeros((PH, PW), bool)
    mask[:, : PW // 2] = True
    return mask


def disc() -> np.ndarray:
    ys, xs = np.mgrid[0:PH, 0:PW]
    return (xs - 900) ** 2 + (ys - 400) ** 2 <= 100**2


def kernel_mask(painter: Painter) -> np.ndarray:
    painter.nb.kernel.run(f"painter.mask.save({str(painter.mask_file)!r})")
    with Image.open(painter.mask_file) as image:
        return np.asarray(image) > 127


def click(painter: Painter, x: float, y: float, modifiers: list[str] | None = None) -> None:
    """One click at image point (x, y); waits until the kernel has the one mask it caused."""
    view = painter.fit_view(PW, PH)
    v = painter.kernel_version()
    page_x, page_y = view.to_page(x, y)
    painter.page.mouse.move(page_x, page_y)
    for key in modifiers or []:
        painter.page.keyboard.down(key)
    painter.page.mouse.down()
    painter.page.mouse.up()
    for key in modifiers or []:
        painter.page.keyboard.up(key)
    painter.wait_kernel_has_browser_mask(v)
    assert painter.kernel_version() == v + 1  # once per click


def test_magic_wand_contiguous_global_add_and_subtract(painter: Painter) -> None:
    painter.button("wand")
    assert painter.root.locator(".iw-wand-options").is_visible()
    click(painter, 300, 400)  # contiguous: the left half only, not the disc of the same colour
    assert np.array_equal(kernel_mask(painter), left_half())
    click(painter, 900, 100, ["Shift"])  # Shift adds the blue area around the disc
    blue = ~left_half() & ~disc()
    assert np.array_equal(kernel_mask(painter), left_half() | blue)
    click(painter, 1000, 100, ["Alt"])  # Alt subtracts it again
    assert np.array_equal(kernel_mask(painter), left_half())
    painter.root.locator(".iw-contiguous").uncheck()
    click(painter, 300, 400)  # global: every red-brown pixel, the disc too
    assert np.array_equal(kernel_mask(painter), left_half() | disc())
    painter.nb.screenshot("painter-wand", painter.root)
    v = painter.sent_version()
    painter.page.keyboard.press("Control+z")
    painter.wait_kernel_has_browser_mask(v)
    assert np.array_equal(kernel_mask(painter), left_half())  # undo: one step per click
    painter.nb.kernel.run("painter.wand_contiguous = True")


def test_grow_and_shrink_by_n_pixels(painter: Painter) -> None:
    painter.button("wand")
    click(painter, 300, 400)
    painter.root.locator(".iw-grow-by").fill("8")
    painter.root.locator(".iw-grow-by").press("Tab")
    painter.page.wait_for_function("() => true")
    assert painter.nb.kernel.eval("painter.grow_by") == 8
    v = painter.sent_version()
    painter.button("grow")
    painter.wait_kernel_has_browser_mask(v)
    assert painter.kernel_version() == v + 1
    grown = np.zeros((PH, PW), bool)
    grown[:, : PW // 2 + 8] = True  # pixel centres within 8 px of the mask's
    assert np.array_equal(kernel_mask(painter), grown)
    v = painter.sent_version()
    painter.button("shrink")
    painter.wait_kernel_has_browser_mask(v)
    assert np.array_equal(kernel_mask(painter), left_half())
    v = painter.sent_version()
    painter.page.keyboard.press(",")  # shrink by key
    painter.wait_kernel_has_browser_mask(v)
    shrunk = np.zeros((PH, PW), bool)
    shrunk[:, : PW // 2 - 8] = True
    assert np.array_equal(kernel_mask(painter), shrunk)
    for expected in (left_half(), grown):
        v = painter.sent_version()
        painter.page.keyboard.press("Control+z")
        painter.wait_kernel_has_browser_mask(v)
        assert np.array_equal(kernel_mask(painter), expected)


def test_the_mask_shows_on_a_picture_of_its_own_colour(painter: Painter) -> None:
    kernel = painter.nb.kernel
    kernel.run(
        "import numpy as _np\n"
        f"_m = _np.zeros(({PH}, {PW}), bool); _m[200:600, 100:500] = True\n"
        "painter.mask = _m"
    )
    painter.wait_browser_coverage(400 * 400 / (PW * PH))
    colour = painter.root.locator(".iw-color").input_value()
    overlay_hue = colorsys.rgb_to_hsv(*(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)))[0]
    mean = kernel.eval("tuple(float(v) / 255 for v in _np.asarray(painter.image).reshape(-1, 3).mean(0))")
    picture_hue = colorsys.rgb_to_hsv(*mean)[0]
    turn = abs(overlay_hue - picture_hue) * 360
    assert min(turn, 360 - turn) >= 150  # "auto": opposite the picture's mean hue on the colour wheel
    view = painter.fit_view(PW, PH)
    shot = painter.stage_shot("painter-overlay-auto", view)
    inside, outside = shot.at(300, 400), shot.at(300, 700)  # the same red-brown, masked and not
    assert sum(abs(a - b) for a, b in zip(inside, outside, strict=True)) > 100
    # the edge is opaque ink or paper (black / white in the Light theme) along the mask's left side
    column = round(view.to_page(100, 0)[0] - shot.box["x"])
    edge = [
        shot.pixels.getpixel((column + dx, round(view.to_page(0, y)[1] - shot.box["y"])))
        for y in range(250, 550, 10)
        for dx in (0, 1)
    ]
    colours = {p for p in edge if isinstance(p, tuple) and (max(p) < 30 or min(p) > 225)}
    assert any(max(p) < 30 for p in colours)
    assert any(min(p) > 225 for p in colours)


def test_a_narrow_toolbar_wraps_by_groups_and_keeps_help_with_the_view(painter: Painter) -> None:
    page = painter.page
    size = page.viewport_size
    assert size is not None
    try:
        wide = page.evaluate("() => document.querySelector('.iw-painter').getBoundingClientRect().width")
        # a notebook column ~600 px wide, as with JupyterLab's file browser open on a laptop
        page.set_viewport_size({"width": round(size["width"] - wide + 600), "height": size["height"]})
        page.wait_for_function(
            "() => document.querySelector('.iw-painter').getBoundingClientRect().width < 700"
        )
        width = page.evaluate("() => document.querySelector('.iw-painter').getBoundingClientRect().width")
        rows = page.evaluate(
            """() => {
              // groups whose vertical centres are within 10 px are on one row
              const centre = (el) => { const b = el.getBoundingClientRect(); return (b.top + b.bottom) / 2; };
              const groups = [...document.querySelectorAll('.iw-painter .iw-toolbar > .iw-group')]
                .filter((g) => !g.hidden)
                .map((g) => ({ y: centre(g), n: g.querySelectorAll('button, input').length }));
              const rows = [];
              for (const g of groups.sort((a, b) => a.y - b.y)) {
                const row = rows.find((r) => Math.abs(r.y - g.y) <= 10);
                if (row) row.n += g.n; else rows.push({ y: g.y, n: g.n });
              }
              const help = document.querySelector(".iw-painter button[data-action='help']");
              const helpRow = rows.find((r) => Math.abs(r.y - centre(help)) <= 10);
              return { rows: rows.length, helpRowControls: helpRow ? helpRow.n : 0 };
            }"""
        )
        painter.nb.screenshot("painter-narrow-toolbar", painter.root)
        assert 500 < width < 700
        assert rows["rows"] <= 3
        assert rows["helpRowControls"] >= 3  # "?" never alone on a row: its group keeps it with Fit, 100 %
    finally:
        page.set_viewport_size(size)
