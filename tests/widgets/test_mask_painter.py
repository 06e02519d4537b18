"""MaskPainter without a browser: the Python API, the wire format, and how browser updates are taken."""

from __future__ import annotations

import doctest
import io
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import traitlets
from PIL import Image

from ideogram_widgets.api._errors import InputError
from ideogram_widgets.widgets import MaskPainter, _mask_codec
from ideogram_widgets.widgets import _mask_painter as mask_painter
from ideogram_widgets.widgets._mask_codec import decode_mask, encode_mask, png_size

ROOT = Path(__file__).resolve().parents[2]


def photo(width: int = 320, height: int = 200) -> Image.Image:
    rng = np.random.default_rng(width * 7 + height)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


def browser_update(painter: MaskPainter, state: dict[str, Any]) -> None:
    """Deliver an update the way the kernel receives one: bytes as memoryview buffers."""
    buffers = []
    paths = []
    plain = {}
    for key, value in state.items():
        if isinstance(value, bytes):
            paths.append([key])
            buffers.append(memoryview(value))
        else:
            plain[key] = value
    painter._handle_msg(
        {"content": {"data": {"method": "update", "state": plain, "buffer_paths": paths}}, "buffers": buffers}
    )


def sent_messages(painter: MaskPainter, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what the widget sends to the browser (the comm has no kernel here)."""
    sent: list[dict[str, Any]] = []

    def publish(msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **_: Any) -> None:
        sent.append({"data": data, "buffers": buffers})

    monkeypatch.setattr(painter.comm, "publish_msg", publish)
    return sent


def test_typescript_model_names_every_synced_trait():
    source = (ROOT / "js" / "src" / "model.ts").read_text()
    body = re.search(r"export interface Model \{(.*?)\n\}", source, re.S)
    assert body is not None
    ts_names = set(re.findall(r"^\s+(\w+):", body.group(1), re.M))
    base = set(MaskPainter.__mro__[1]().trait_names(sync=True)) | {"_anywidget_id", "_esm", "_css"}
    py_names = set(MaskPainter.class_trait_names(sync=True)) - base
    assert ts_names == py_names


def test_typescript_tools_are_the_python_tools_in_the_same_order():
    """The toolbar's tools (TS) and the ``tool`` trait's choices (Python) are one list, written twice."""
    from ideogram_widgets.widgets._mask_painter import TOOLS

    source = (ROOT / "js" / "src" / "model.ts").read_text()
    union = re.search(r"export type Tool = ([^;]+);", source)
    listed = re.search(r"export const TOOLS: readonly Tool\[\] = \[([^\]]*)\];", source)
    assert union is not None
    assert listed is not None
    assert tuple(re.findall(r'"(\w+)"', union.group(1))) == TOOLS
    assert tuple(re.findall(r'"(\w+)"', listed.group(1))) == TOOLS
    assert MaskPainter.class_traits()["tool"].values == TOOLS


def test_the_original_image_is_kept_as_given():
    image = photo()
    painter = MaskPainter(image)
    assert painter.image is image
    assert painter.size == (320, 200)
    assert (painter.image_width, painter.image_height) == (320, 200)


def smooth_photo(width: int, height: int, *, alpha: bool = False) -> Image.Image:
    """A photo-like picture: smooth colour fields, texture and a little sensor noise."""
    rng = np.random.default_rng(width + height)
    coarse = rng.integers(0, 256, (height // 64 + 2, width // 64 + 2, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(coarse).resize((width, height), Image.Resampling.BICUBIC), np.int16)
    noisy = base + rng.normal(0, 3, base.shape).astype(np.int16)
    image = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")
    if alpha:
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    return image


def shown(painter: MaskPainter) -> Image.Image:
    return Image.open(io.BytesIO(painter.display_image))


def test_a_small_picture_goes_to_the_browser_as_a_lossless_png_in_bytes():
    image = smooth_photo(320, 200)
    painter = MaskPainter(image)
    assert isinstance(painter.display_image, bytes)
    assert painter.display_mime == "image/png"
    assert shown(painter).format == "PNG"
    assert np.array_equal(np.asarray(shown(painter)), np.asarray(image))
    state = painter.get_state()
    assert isinstance(state["display_image"], bytes)  # a binary buffer on the wire, never base64 text


def test_a_12_mp_photo_goes_as_a_2048_px_jpeg_with_the_mask_at_full_size():
    image = smooth_photo(4032, 3024)
    painter = MaskPainter(image)
    copy = shown(painter)
    assert (painter.display_mime, copy.format, copy.size) == ("image/jpeg", "JPEG", (2048, 1536))
    assert len(painter.display_image) < 1_500_000
    # the copy is the picture, not something else: close to the original scaled down
    expected = np.asarray(image.resize((2048, 1536), Image.Resampling.BOX), np.float32)
    assert np.abs(np.asarray(copy, np.float32) - expected).mean() < 4
    assert painter.size == (4032, 3024)
    assert painter.mask_array.shape == (3024, 4032)
    mask = np.zeros((3024, 4032), bool)
    mask[1000:1003, 2000:2001] = True  # 3 pixels: far below the display copy's resolution
    painter.mask = mask
    assert png_size(painter.mask_png) == (4032, 3024)
    assert np.array_equal(painter.mask_array, mask)


def test_a_big_picture_with_transparency_goes_as_webp_keeping_its_alpha():
    image = smooth_photo(2400, 1600, alpha=True)
    painter = MaskPainter(image)
    copy = shown(painter)
    assert (painter.display_mime, copy.format, copy.size) == ("image/webp", "WEBP", (2048, 1365))
    assert copy.mode == "RGBA"
    alpha = np.asarray(copy.getchannel("A"), np.int16)
    assert alpha[0].max() < 8  # the top-to-bottom gradient survived
    assert alpha[-1].min() > 247


def test_a_small_picture_whose_png_is_large_goes_lossy():
    noise = np.random.default_rng(1).integers(0, 256, (900, 1000, 3), dtype=np.uint8)  # 2.7 MB as PNG
    painter = MaskPainter(noise)
    assert painter.display_mime == "image/jpeg"
    assert shown(painter).size == (1000, 900)


def test_a_large_image_gets_a_smaller_display_copy_but_a_full_size_mask():
    painter = MaskPainter(photo(900, 300), display_max_side=300)
    assert shown(painter).size == (300, 100)
    assert painter.mask_array.shape == (300, 900)
    painter.fill()
    assert painter.mask.size == (900, 300)


async def test_set_image_async_prepares_the_picture_off_the_event_loop(monkeypatch):
    painter = MaskPainter(photo())
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = _mask_codec.display_copy

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(mask_painter, "display_copy", spy)
    painter.fill()
    await painter.set_image_async(smooth_photo(2400, 1800))
    assert threads
    assert loop_thread not in threads
    assert painter.size == (2400, 1800)
    assert painter.coverage == 0.0
    assert painter.display_mime == "image/jpeg"
    assert shown(painter).size == (2048, 1536)


@pytest.mark.parametrize("size", [(64, 64), (4096, 4096), (4096, 1024)])
def test_works_from_64_to_4096_pixels_a_side(size):
    width, height = size
    gradient = np.linspace(0, 255, width, dtype=np.uint8)[None, :].repeat(height, 0)
    painter = MaskPainter(gradient)
    mask = np.zeros((height, width), bool)
    mask[height // 4 : height // 2, width // 3 : width // 2] = True
    painter.mask = mask
    assert np.array_equal(painter.mask_array, mask)
    assert painter.coverage == pytest.approx(mask.mean())
    assert png_size(painter.mask_png) == (width, height)


def test_images_over_the_service_limit_are_refused_clearly():
    with pytest.raises(InputError, match="megapixels"):
        MaskPainter(np.zeros((6000, 6000), np.uint8))


def test_urls_are_refused_with_a_reason():
    with pytest.raises(InputError, match="URL"):
        MaskPainter("https://example.com/cat.png")


def test_a_new_painter_has_an_empty_mask():
    painter = MaskPainter(photo())
    assert painter.coverage == 0.0
    assert painter.mask_png == b""
    assert painter.mask_array.shape == (200, 320)
    assert not painter.mask_array.any()
    assert painter.mask.mode == "L"
    assert painter.mask.getextrema() == (0, 0)


def test_mask_from_an_array_a_pil_image_or_a_path(tmp_path):
    painter = MaskPainter(photo())
    arr = np.zeros((200, 320), bool)
    arr[20:60, 30:90] = True
    painter.mask = arr
    assert np.array_equal(painter.mask_array, arr)

    as_image = Image.fromarray(np.where(arr, 255, 0).astype(np.uint8))
    painter.mask = as_image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    assert np.array_equal(painter.mask_array, arr[:, ::-1])

    path = tmp_path / "mask.png"
    Image.fromarray(np.where(arr, 255, 0).astype(np.uint8)).save(path)
    painter.mask = path
    assert np.array_equal(painter.mask_array, arr)
    assert painter.mask.getpixel((40, 30)) == 255
    assert painter.mask.getpixel((0, 0)) == 0


def test_a_mask_of_the_wrong_size_is_refused():
    painter = MaskPainter(photo())
    with pytest.raises(InputError, match=r"the mask is 10×10 but the image is 320×200"):
        painter.mask = np.ones((10, 10), bool)


def test_each_python_change_is_one_new_version():
    painter = MaskPainter(photo())
    versions = [painter.mask_version]
    painter.fill()
    versions.append(painter.mask_version)
    painter.invert()
    versions.append(painter.mask_version)
    painter.clear()
    versions.append(painter.mask_version)
    assert versions == [0, 1, 2, 3]


def test_clear_fill_and_invert():
    painter = MaskPainter(photo())
    arr = np.zeros((200, 320), bool)
    arr[:50] = True
    painter.mask = arr
    painter.invert()
    assert np.array_equal(painter.mask_array, ~arr)
    assert painter.coverage == pytest.approx(0.75)
    painter.fill()
    assert painter.coverage == 1.0
    painter.clear()
    assert painter.coverage == 0.0
    assert not painter.mask_array.any()


def test_mask_array_is_a_copy():
    painter = MaskPainter(photo())
    arr = painter.mask_array
    arr[:] = True
    assert not painter.mask_array.any()


def test_python_mask_goes_out_as_one_message_with_bytes_version_and_coverage(monkeypatch):
    painter = MaskPainter(photo())
    sent = sent_messages(painter, monkeypatch)
    arr = np.zeros((200, 320), bool)
    arr[5:9, 5:9] = True
    painter.mask = arr
    updates = [m for m in sent if m["data"]["method"] == "update"]
    assert len(updates) == 1
    state = updates[0]["data"]["state"]
    assert set(state) >= {"mask_version", "coverage"}
    assert updates[0]["data"]["buffer_paths"] == [["mask_png"]]
    png = bytes(updates[0]["buffers"][0])
    assert Image.open(io.BytesIO(png)).mode == "1"  # 1-bit, as the browser reads it
    assert np.array_equal(decode_mask(png), arr)


def test_browser_mask_arrives_as_memoryview_and_is_taken():
    painter = MaskPainter(photo())
    drawn = np.zeros((200, 320), bool)
    drawn[50:80, 100:250] = True
    coverage = float(drawn.mean())
    browser_update(painter, {"mask_png": encode_mask(drawn), "mask_version": 1, "coverage": coverage})
    assert painter.mask_version == 1
    assert isinstance(painter.mask_png, bytes)
    assert np.array_equal(painter.mask_array, drawn)
    assert painter.coverage == pytest.approx(drawn.mean())


def test_browser_changes_are_observable():
    painter = MaskPainter(photo())
    seen: list[float] = []
    versions: list[int] = []
    painter.on_change(lambda p: seen.append(p.coverage))
    painter.observe(lambda change: versions.append(change["new"]), "mask_version")
    drawn = np.zeros((200, 320), bool)
    drawn[:100] = True
    browser_update(painter, {"mask_png": encode_mask(drawn), "mask_version": 1, "coverage": 0.5})
    painter.clear()
    assert seen == [0.5, 0.0]
    assert versions == [1, 2]


def test_a_stale_browser_mask_is_dropped_and_python_resends_its_own(monkeypatch):
    painter = MaskPainter(photo())
    python_mask = np.zeros((200, 320), bool)
    python_mask[:10] = True
    painter.mask = python_mask  # version 1
    sent = sent_messages(painter, monkeypatch)
    seen: list[int] = []
    painter.on_change(lambda p: seen.append(p.mask_version))
    stale = np.ones((200, 320), bool)
    stale[0, 0] = False
    # drawn before the browser saw version 1, so numbered 1 as well
    browser_update(painter, {"mask_png": encode_mask(stale), "mask_version": 1, "coverage": 0.99})
    assert np.array_equal(painter.mask_array, python_mask)
    assert painter.mask_version == 1
    assert seen == []
    resent = [m for m in sent if m["data"]["method"] == "update"]
    assert resent
    assert resent[-1]["data"]["state"]["mask_version"] == 1
    assert np.array_equal(decode_mask(bytes(resent[-1]["buffers"][0])), python_mask)


def test_a_browser_mask_for_another_image_size_is_dropped():
    painter = MaskPainter(photo())
    browser_update(painter, {"mask_png": encode_mask(np.ones((10, 10), bool)), "mask_version": 5})
    assert painter.mask_version == 0
    assert painter.mask_png == b""


def test_other_browser_updates_still_apply_with_a_stale_mask():
    painter = MaskPainter(photo())
    painter.fill()
    browser_update(painter, {"tool": "lasso", "brush_size": 17, "mask_png": b"", "mask_version": 0})
    assert painter.tool == "lasso"
    assert painter.brush_size == 17
    assert painter.coverage == 1.0


def test_set_image_replaces_the_image_and_clears_the_mask():
    painter = MaskPainter(photo())
    painter.fill()
    version = painter.mask_version
    result = photo(160, 90)
    painter.set_image(result)
    assert painter.image is result
    assert painter.size == (160, 90)
    assert painter.mask_version > version
    assert painter.coverage == 0.0
    assert painter.mask_array.shape == (90, 160)
    assert shown(painter).size == (160, 90)


def test_set_image_with_a_mask():
    painter = MaskPainter(photo())
    mask = np.zeros((90, 160), bool)
    mask[:, :80] = True
    painter.set_image(photo(160, 90), mask=mask)
    assert painter.coverage == pytest.approx(0.5)
    with pytest.raises(InputError):
        painter.set_image(photo(), mask=mask)


def test_starting_mask_and_display_options():
    mask = np.zeros((200, 320), bool)
    mask[10:20] = True
    painter = MaskPainter(
        photo(),
        mask=mask,
        brush_size=12,
        tool="ellipse",
        overlay_color="#00FF00",
        overlay_opacity=0.7,
        height=300,
    )
    assert painter.coverage == pytest.approx(0.05)
    assert (painter.brush_size, painter.tool, painter.overlay_color) == (12, "ellipse", "#00ff00")
    assert painter.overlay_opacity == 0.7
    assert painter.viewport_height == 300
    assert painter.show_mask is True


def test_overlay_colour_is_auto_by_default_and_the_selection_settings_sync():
    painter = MaskPainter(photo())
    assert painter.overlay_color == "auto"  # the browser picks a colour against the picture
    painter.overlay_color = " AUTO "
    assert painter.overlay_color == "auto"
    assert (painter.wand_tolerance, painter.wand_contiguous, painter.grow_by) == (32, True, 8)
    browser_update(painter, {"tool": "wand", "wand_tolerance": 60, "wand_contiguous": False, "grow_by": 3})
    assert (painter.tool, painter.wand_tolerance, painter.wand_contiguous, painter.grow_by) == (
        "wand",
        60,
        False,
        3,
    )
    with pytest.raises(traitlets.TraitError):
        painter.wand_tolerance = 300


def test_default_brush_scales_with_the_image():
    assert MaskPainter(photo(400, 100)).brush_size == 10
    assert MaskPainter(np.zeros((64, 64), np.uint8)).brush_size == 4


def test_bad_settings_are_refused():
    painter = MaskPainter(photo())
    with pytest.raises(traitlets.TraitError, match="overlay_color"):
        painter.overlay_color = "red"
    with pytest.raises(traitlets.TraitError):
        painter.tool = "spray"
    with pytest.raises(traitlets.TraitError):
        painter.overlay_opacity = 2.0


def test_mask_codec_round_trips_odd_sizes():
    rng = np.random.default_rng(0)
    for width, height in [(1, 1), (7, 3), (65, 33), (1000, 9)]:
        mask = rng.random((height, width)) < 0.3
        png = encode_mask(mask)
        assert png_size(png) == (width, height)
        assert np.array_equal(decode_mask(png), mask)
    assert png_size(b"not a png at all, definitely not") is None


def test_greyscale_and_16_bit_images_are_displayed_sensibly():
    deep = Image.fromarray(np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16)
    assert deep.mode.startswith("I")
    copy = _mask_codec.display_copy(deep)
    pixels = np.asarray(Image.open(io.BytesIO(copy.data)))
    assert copy.size == (64, 64)
    # scaled, not clipped to white
    assert pixels.max() > 200
    assert pixels.min() < 10


def test_the_bundle_is_built_and_used():
    assert mask_painter._BUNDLE.is_file()
    painter = MaskPainter(photo())
    assert "render" in str(painter._esm)
    assert ".iw-painter" in str(painter._css)


@pytest.mark.parametrize("module", [mask_painter, _mask_codec], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
