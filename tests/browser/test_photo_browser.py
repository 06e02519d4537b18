"""A phone photo edited end to end in JupyterLab: a portrait JPEG whose EXIF says "rotate 90°" opens
upright, a stroke is drawn on it, the widget says the size sent, Submit, and the composite appears at the
photo's full resolution — identical to the upright original outside the blend band (read from the page)."""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api._composite import DEFAULT_FEATHER, _grow

from ..photos.photos import QUADRANTS, phone_jpeg, upright_picture
from .conftest import NotebookPage
from .jupyter import JupyterServer, wait_until
from .test_workflow_browser import image_in_page

UPRIGHT = (1512, 2016)  # a portrait phone photo at half the sensor's resolution (stored 2016×1512)

CELLS = [
    "from ideogram_widgets import EditWidget\n"
    'edit = EditWidget("portrait.jpg", "a round window", rendering_speed="TURBO", height=440)\n'
    "edit",
]


def fitted(nb: NotebookPage) -> tuple[float, float, float]:
    """(scale, left, top) of the painter's fitted picture in page pixels."""
    stage = nb.page.locator(".iw-edit-widget .iw-stage").first
    stage.scroll_into_view_if_needed()
    box = stage.bounding_box()
    assert box is not None
    scale = min(box["width"] / UPRIGHT[0], box["height"] / UPRIGHT[1])
    left = box["x"] + (box["width"] - UPRIGHT[0] * scale) / 2
    return scale, left, box["y"] + (box["height"] - UPRIGHT[1] * scale) / 2


@pytest.mark.parametrize("jupyter", ["lab"], indirect=True)
def test_a_portrait_phone_photo_is_edited_end_to_end(
    open_notebook: Callable[..., NotebookPage], jupyter: JupyterServer
) -> None:
    (jupyter.root / "portrait.jpg").write_bytes(phone_jpeg(upright_picture(UPRIGHT), 6))
    nb = open_notebook(CELLS, name="phone-photo", viewport=(1700, 1900))
    nb.run_all()
    page = nb.page
    page.wait_for_selector(".iw-edit-widget .iw-painter[data-ready='1']", timeout=90_000)
    assert tuple(nb.kernel.eval("edit.image.size")) == UPRIGHT

    # upright in the page: each quadrant's colour where it belongs
    scale, left, top = fitted(nb)
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    for name, colour in QUADRANTS.items():
        x = left + UPRIGHT[0] * scale * (0.25 if name.endswith("left") else 0.75)
        y = top + UPRIGHT[1] * scale * (0.25 if name.startswith("top") else 0.75)
        seen = shot.getpixel((round(x), round(y)))
        assert isinstance(seen, tuple)
        assert max(abs(a - b) for a, b in zip(seen, colour, strict=True)) <= 30, (name, seen, colour)

    version = nb.kernel.eval("edit.painter.mask_version")
    page.mouse.move(left + 500 * scale, top + 900 * scale)
    page.mouse.down()
    for i, y in enumerate(range(900, 1250, 50)):  # a zigzag across the middle of the photo
        page.mouse.move(left + (1000 if i % 2 == 0 else 500) * scale, top + y * scale, steps=6)
    page.mouse.up()
    wait_until(lambda: nb.kernel.eval("edit.painter.mask_version") > version, what="the mask in the kernel")
    widget = page.locator(".iw-edit-widget").first
    widget.locator("text=sent at 1152×1536; the result is put back into your 1512×2016 original").wait_for(
        timeout=30_000
    )
    widget.locator("button:has-text('Submit')").click()
    widget.locator(".iw-job-row").first.locator("text=done in").wait_for(timeout=90_000)

    # the widget's own result view shows the composite, at the original's full resolution, fitted whole
    composite = widget.locator(".iw-compare-after").first
    shown = image_in_page(composite, UPRIGHT)
    drawn = composite.bounding_box()
    frame = widget.locator(".iw-compare-scroller").first.bounding_box()
    assert drawn is not None
    assert frame is not None
    assert abs(drawn["width"] / drawn["height"] - UPRIGHT[0] / UPRIGHT[1]) < 0.01, drawn  # not stretched
    assert drawn["width"] <= UPRIGHT[0], drawn  # never upscaled
    assert drawn["height"] <= frame["height"], (drawn, frame)  # shrunk whole, not cropped
    original, mask = nb.kernel.image_and_mask(jupyter.base / "phone-probe")
    after = np.asarray(shown)
    assert after.shape == original.shape == (UPRIGHT[1], UPRIGHT[0], 3)
    band = _grow(mask, 2 * DEFAULT_FEATHER + 1)
    assert np.array_equal(after[~band], original[~band]), "pixels outside the blend band changed"
    assert (after[mask] != original[mask]).any(axis=-1).mean() > 0.5, "the masked area did not change"

    # the picture for the README: the whole widget, the upright photo with its stroke, "sent at", the job
    # and its composite in the before/after view
    nb.screenshot("phone-photo-edit", widget)  # docs/images/phone-photo-edit.png is a copy of it
