"""Real-looking photos through ``edit`` on the sandbox over HTTP: upright, sizes right, tones right, and the
composite the upright original bit for bit outside the blend band."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import AsyncClient, Result
from ideogram_widgets.api._composite import DEFAULT_FEATHER, _grow
from ideogram_widgets.api._intake import open_image

from .photos import (
    PHONE,
    QUADRANTS,
    cmyk_jpeg,
    gradient_png16,
    p3_jpeg,
    p3_to_srgb,
    phone_jpeg,
    quadrant_colour,
    upright_picture,
)

LANDSCAPE = PHONE
PORTRAIT = (PHONE[1], PHONE[0])


@pytest.fixture(scope="module")
def pictures() -> dict[tuple[int, int], Image.Image]:
    """The upright pictures, made once: landscape (orientations 1–4) and portrait (5–8)."""
    return {LANDSCAPE: upright_picture(LANDSCAPE), PORTRAIT: upright_picture(PORTRAIT)}


def centre_mask(size: tuple[int, int]) -> np.ndarray:
    """A mask over a box in the middle of an upright picture of ``size`` (it spans all four quadrants)."""
    width, height = size
    mask = np.zeros((height, width), bool)
    mask[height * 2 // 5 : height * 3 // 5, width * 2 // 5 : width * 3 // 5] = True
    return mask


async def edit(sandbox: Any, image: Any, mask: np.ndarray) -> Result:
    async with AsyncClient(base_url=sandbox.url + "/v1") as client:
        return await client.edit(image, mask, "a plain wall", rendering_speed="TURBO", seed=1)


def assert_outside_band_identical(result: Result, original: Image.Image, mask: np.ndarray) -> None:
    band = _grow(mask, 2 * DEFAULT_FEATHER + 1)  # the blend weight is 0 beyond 2 × feather
    composite = np.asarray(result.composite.convert("RGB"))
    upright = np.asarray(original.convert("RGB"))
    assert composite.shape == upright.shape
    assert np.array_equal(composite[~band], upright[~band])
    assert (composite[mask] != upright[mask]).any()  # and the edit is in it


def assert_quadrants_upright(seen: Image.Image, upright: Image.Image) -> None:
    for name in QUADRANTS:  # every quadrant's colour where it belongs (a wrong turn swaps them)
        got, want = quadrant_colour(seen, name), quadrant_colour(upright, name)
        assert max(abs(a - b) for a, b in zip(got, want, strict=True)) <= 6, (name, got, want)


@pytest.mark.parametrize("orientation", range(1, 9))
async def test_a_phone_jpeg_in_every_exif_orientation_is_edited_upright(sandbox, pictures, orientation):
    size = LANDSCAPE if orientation <= 4 else PORTRAIT
    jpeg = phone_jpeg(pictures[size], orientation)
    with Image.open(io.BytesIO(jpeg)) as stored:
        assert stored.size == LANDSCAPE  # the sensor's layout, whatever the tag says
    mask = centre_mask(size)  # drawn on the upright picture
    result = await edit(sandbox, jpeg, mask)
    assert result.image.size == ((1536, 1152) if size == LANDSCAPE else (1152, 1536))  # the working size
    assert result.composite.size == size
    assert_quadrants_upright(result.composite, pictures[size])
    assert_outside_band_identical(result, open_image(jpeg), mask)


async def test_a_display_p3_photo_is_sent_in_srgb(sandbox):
    p3 = (200, 120, 80)
    jpeg = p3_jpeg((1200, 900), p3)
    mask = centre_mask((1200, 900))
    result = await edit(sandbox, jpeg, mask)
    expected = p3_to_srgb(p3)  # (214, 116, 69): what the browser shows; the raw bytes would be (200, 120, 80)
    for image in (result.image, result.composite):
        corner = np.asarray(image.convert("RGB"))[10, 10].astype(float)
        assert np.abs(corner - expected).max() <= 3, corner
    assert_outside_band_identical(result, open_image(jpeg), mask)


async def test_a_16_bit_png_gradient_keeps_its_tones(sandbox):
    png = gradient_png16((1600, 400))
    mask = np.zeros((400, 1600), bool)
    mask[150:250, 700:900] = True
    result = await edit(sandbox, png, mask)
    assert result.image.size == (1536, 384)
    assert result.composite.size == (1600, 400)
    row = np.asarray(result.composite.convert("L"))[20]
    assert row[0] <= 1
    assert row[-1] >= 254
    assert abs(int(row[800]) - 128) <= 2  # not all white (16-bit values read as 0..65535)
    assert_outside_band_identical(result, open_image(png), mask)


async def test_a_cmyk_jpeg_is_sent_as_rgb(sandbox):
    jpeg = cmyk_jpeg((800, 600))
    mask = centre_mask((800, 600))
    result = await edit(sandbox, jpeg, mask)
    pixels = np.asarray(result.composite.convert("RGB")).astype(int)
    assert np.abs(pixels[50, 100] - (255, 0, 0)).max() <= 8
    assert np.abs(pixels[50, 700] - (0, 255, 255)).max() <= 8
    assert_outside_band_identical(result, open_image(jpeg), mask)


async def test_an_iphone_heic_is_edited_when_its_plugin_is_installed(sandbox):
    pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif (the [heif] extra) is not installed")
    picture = upright_picture((1024, 768))
    heif = pillow_heif.from_pillow(picture)
    buf = io.BytesIO()
    heif.save(buf, quality=90)
    data = buf.getvalue()
    assert data[4:8] == b"ftyp"
    mask = centre_mask((1024, 768))
    result = await edit(sandbox, data, mask)
    assert result.composite.size == (1024, 768)
    assert_quadrants_upright(result.composite, picture)
    assert_outside_band_identical(result, open_image(data), mask)
