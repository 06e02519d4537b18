"""Images and masks in: every source kind, lossless payloads, the mask's polarity, the size limits."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import EditInput, InputError, MaskPolarity
from ideogram_widgets.api._media import (
    PayloadLimits,
    check_mask,
    data_uri,
    decode_image,
    encode_png,
    load_image,
    load_mask,
    mask_to_png,
)
from ideogram_widgets.api._working import image_payload

RNG = np.random.default_rng(0)
PIXELS = RNG.integers(0, 256, (40, 50, 3), dtype=np.uint8)


def decode_uri(uri: str) -> Image.Image:
    head, data = uri.split(",", 1)
    assert head == "data:image/png;base64"
    return Image.open(io.BytesIO(base64.b64decode(data)))


def png_bytes(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["pil", "array", "path", "str_path", "bytes"])
def test_every_local_source_becomes_a_lossless_png_data_uri(kind, tmp_path):
    pil = Image.fromarray(PIXELS)
    path = tmp_path / "in.png"
    pil.save(path)
    source = {"pil": pil, "array": PIXELS, "path": path, "str_path": str(path), "bytes": png_bytes(pil)}[kind]
    out = decode_uri(image_payload(source))
    assert np.array_equal(np.asarray(out.convert("RGB")), PIXELS)


def test_jpeg_pixels_are_kept_as_decoded_not_recompressed(tmp_path):
    path = tmp_path / "in.jpg"
    Image.fromarray(PIXELS).save(path, quality=70)
    decoded = np.asarray(Image.open(path).convert("RGB"))
    assert np.array_equal(np.asarray(decode_uri(image_payload(path)).convert("RGB")), decoded)


def test_alpha_is_kept():
    rgba = np.dstack([PIXELS, np.full((40, 50), 77, np.uint8)])
    out = decode_uri(image_payload(rgba))
    assert out.mode == "RGBA"
    assert np.array_equal(np.asarray(out), rgba)


TINY_PNG_URI = data_uri(encode_png(Image.new("RGB", (2, 2), "red")))


@pytest.mark.parametrize("url", ["https://example.com/a.png", "http://h/x.png", TINY_PNG_URI])
def test_urls_and_data_uris_pass_through_untouched(url):
    assert image_payload(url) == url


def test_float_and_bool_arrays_are_scaled():
    img = load_image(np.array([[0.0, 1.0], [0.5, 0.25]]))
    assert img.mode == "L"
    assert np.asarray(img).tolist() == [[0, 255], [128, 64]]
    assert np.asarray(load_image(np.array([[True, False]]))).tolist() == [[255, 0]]


def test_a_png_over_the_inline_limit_is_sent_smaller_only_as_much_as_needed():
    noisy = RNG.integers(0, 256, (300, 300, 3), dtype=np.uint8)
    sent = decode_uri(image_payload(noisy, limits=PayloadLimits(max_png_bytes=100_000)))
    assert 150 <= sent.width < 300  # noise: ~270 KB at 300², ~100 KB at ~180²
    assert sent.width == sent.height


def test_without_a_working_size_a_too_large_png_is_a_clear_error():
    noisy = RNG.integers(0, 256, (300, 300, 3), dtype=np.uint8)
    with pytest.raises(InputError) as info:
        image_payload(noisy, limits=PayloadLimits(max_png_bytes=100_000, max_side=None))
    assert "uploader=" in str(info.value)
    assert "MiB" in str(info.value)


def test_uploader_hook_sends_a_url_instead():
    seen = []

    def upload(data: bytes, name: str) -> str:
        seen.append((name, data[:8]))
        return "https://files.example/" + name

    noisy = RNG.integers(0, 256, (300, 300, 3), dtype=np.uint8)
    out = image_payload(noisy, limits=PayloadLimits(max_png_bytes=100), uploader=upload)
    assert out == "https://files.example/image.png"
    assert seen == [("image.png", b"\x89PNG\r\n\x1a\n")]


def test_uploader_must_return_a_url():
    with pytest.raises(InputError, match="http"):
        image_payload(PIXELS, uploader=lambda data, name: "/local/path.png")


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_bytes(Image.new("L", (8000, 8000)))  # 64 MP of zeros compresses to a few KB
    assert len(bomb) < 200_000
    with pytest.raises(InputError, match="megapixels"):
        decode_image(bomb)


class TestMasks:
    def test_true_white_and_opaque_mean_edit(self):
        arr = np.zeros((4, 6), bool)
        arr[1:3, 2:5] = True
        as_l = Image.fromarray(arr.astype(np.uint8) * 255)
        as_rgba = Image.new("RGBA", (6, 4), (0, 0, 0, 0))
        as_rgba.putalpha(as_l)
        for source in (arr, arr.astype(np.uint8) * 255, arr.astype(float), as_l, as_rgba, png_bytes(as_l)):
            assert np.array_equal(load_mask(source), arr)

    @pytest.mark.parametrize(
        ("polarity", "edit_value"), [(MaskPolarity.BLACK_IS_EDIT, 0), (MaskPolarity.WHITE_IS_EDIT, 255)]
    )
    def test_polarity_is_applied_only_at_the_edge(self, polarity, edit_value):
        arr = np.zeros((10, 10), bool)
        arr[:5] = True
        out = np.asarray(Image.open(io.BytesIO(mask_to_png(arr, polarity))))
        assert set(np.unique(out[:5])) == {edit_value}
        assert set(np.unique(out[5:])) == {255 - edit_value}

    def test_the_sent_mask_is_checked_then_encoded(self):
        arr = np.zeros((40, 50), bool)
        arr[10:20, 10:20] = True
        uri = EditInput(PIXELS, arr, "a door").to_payload()["mask"]
        out = np.asarray(decode_uri(uri))
        assert out.shape == (40, 50)
        assert (out == 0).sum() == 100  # black = edit by default

    def test_check_mask_names_both_sizes(self):
        with pytest.raises(InputError, match="the mask is 10×10 but the image is 50×40"):
            check_mask(np.ones((10, 10), bool), (50, 40))

    def test_polarity_setting_accepts_its_names(self):
        assert MaskPolarity.coerce("white_is_edit") is MaskPolarity.WHITE_IS_EDIT
        with pytest.raises(InputError, match="black_is_edit"):
            MaskPolarity.coerce("grey")
