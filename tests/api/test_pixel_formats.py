"""Every pixel format gives the same answer by every path (PIL mode or the equal numpy array)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import EditInput, InputError
from ideogram_widgets.api._media import load_image
from ideogram_widgets.api._working import image_payload

RNG = np.random.default_rng(3)
GREY = RNG.integers(0, 256, (24, 32), dtype=np.uint8)
RGB = RNG.integers(0, 256, (24, 32, 3), dtype=np.uint8)
ALPHA = RNG.integers(1, 256, (24, 32), dtype=np.uint8)
WIDE = RNG.integers(0, 65536, (24, 32), dtype=np.uint16)


def pixels(source: object) -> np.ndarray:
    return np.asarray(load_image(source))  # type: ignore[arg-type]


def as_8bit(values: np.ndarray) -> np.ndarray:
    return ((values.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)


@pytest.mark.parametrize(
    ("name", "build", "mode", "expected"),
    [
        ("1", lambda: Image.fromarray(GREY >= 128).convert("1"), "L", np.where(GREY >= 128, 255, 0)),
        ("L", lambda: Image.fromarray(GREY), "L", GREY),
        ("RGB", lambda: Image.fromarray(RGB), "RGB", RGB),
        ("RGBA", lambda: Image.fromarray(np.dstack([RGB, ALPHA])), "RGBA", np.dstack([RGB, ALPHA])),
        (
            "LA",
            lambda: Image.fromarray(np.dstack([GREY, ALPHA]), "LA"),
            "RGBA",
            np.dstack([GREY] * 3 + [ALPHA]),
        ),
        ("I;16", lambda: Image.fromarray(WIDE), "L", as_8bit(WIDE)),
        (
            "I;16B",
            lambda: Image.frombytes("I;16B", (32, 24), WIDE.astype(">u2").tobytes()),
            "L",
            as_8bit(WIDE),
        ),
        (
            "I;16L",
            lambda: Image.frombytes("I;16L", (32, 24), WIDE.astype("<u2").tobytes()),
            "L",
            as_8bit(WIDE),
        ),
        ("I", lambda: Image.fromarray(WIDE.astype(np.int32)), "L", as_8bit(WIDE)),
        ("F", lambda: Image.fromarray(GREY.astype(np.float32) / 255), "L", GREY),
        ("YCbCr", lambda: Image.fromarray(RGB).convert("YCbCr"), "RGB", None),
        ("CMYK", lambda: Image.fromarray(RGB).convert("CMYK"), "RGB", RGB),
        ("LAB", lambda: Image.fromarray(RGB).convert("LAB"), "RGB", None),
    ],
)
def test_every_pil_mode_comes_in_as_8_bit_l_rgb_or_rgba(name, build, mode, expected):
    out = load_image(build())
    assert out.mode == mode, name
    assert out.size == (32, 24)
    if expected is not None:
        assert np.array_equal(np.asarray(out), np.asarray(expected, np.uint8)), name


def test_premultiplied_modes_are_unpremultiplied():
    rgba = Image.fromarray(np.dstack([RGB, np.full((24, 32), 255, np.uint8)]))
    assert np.array_equal(pixels(rgba.convert("RGBa")), np.asarray(rgba))
    la = Image.frombytes("La", (32, 24), np.dstack([GREY, np.full((24, 32), 255, np.uint8)]).tobytes())
    out = load_image(la)
    assert out.mode == "RGBA"
    assert np.array_equal(np.asarray(out)[:, :, 0], GREY)


def test_a_palette_image_keeps_its_transparency():
    palette = Image.fromarray(RGB).convert("P", palette=Image.Palette.ADAPTIVE, colors=16)
    palette.info["transparency"] = 0
    out = load_image(palette)
    assert out.mode == "RGBA"
    assert (np.asarray(out)[:, :, 3] == 0).any()
    assert load_image(Image.fromarray(RGB).convert("P")).mode == "RGB"


def test_16_bit_png_and_tiff_files_are_scaled_not_clipped():
    for fmt in ("PNG", "TIFF"):
        buf = io.BytesIO()
        Image.fromarray(WIDE).save(buf, fmt)
        assert np.array_equal(pixels(buf.getvalue()), as_8bit(WIDE)), fmt


@pytest.mark.parametrize(
    ("pil", "array"),
    [
        (lambda: Image.fromarray(WIDE), lambda: WIDE.astype(">u2")),
        (lambda: Image.fromarray(WIDE), lambda: WIDE),
        (lambda: Image.fromarray(GREY.astype(np.float32) / 255), lambda: GREY.astype(np.float64) / 255),
        (lambda: Image.fromarray(RGB), lambda: np.asfortranarray(RGB)),
        (lambda: Image.fromarray(RGB), lambda: np.ascontiguousarray(RGB[:, ::-1])[:, ::-1]),
        (lambda: Image.fromarray(GREY), lambda: GREY.astype(np.int64)),
        (lambda: Image.fromarray(GREY >= 128), lambda: GREY >= 128),
    ],
    ids=[">u2", "uint16", "float", "fortran order", "negative stride", "int64 8-bit", "bool"],
)
def test_a_pil_image_and_the_equal_array_give_byte_identical_payloads(pil, array):
    assert image_payload(pil()) == image_payload(array())


def test_8_bit_values_held_in_uint16_are_read_as_8_bit():
    assert np.array_equal(pixels(GREY.astype(np.uint16)), GREY)
    assert np.array_equal(pixels(Image.fromarray(GREY.astype(np.uint16))), GREY)


def test_floats_over_1_are_refused_with_a_hint_to_divide_by_255():
    with pytest.raises(InputError) as info:
        load_image(GREY.astype(np.float32))
    assert info.value.field == "image"
    assert "divide by 255" in str(info.value)


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((0, 10, 3), np.uint8),
        np.zeros((10, 0), np.uint16),
        np.zeros((4, 4, 5), np.uint8),
        np.full((4, 4), np.nan),
        np.full((4, 4), 70000, np.int32),
        np.zeros((4, 4), complex),
    ],
    ids=["no rows", "no columns", "5 channels", "NaN", "over 16 bits", "complex"],
)
def test_unusable_arrays_are_typed_errors_naming_the_field(bad):
    with pytest.raises(InputError) as info:
        EditInput(bad, np.ones((4, 4), bool), "x")
    assert info.value.field == "image"


def test_a_zero_size_pil_image_is_a_typed_error():
    with pytest.raises(InputError, match="no pixels"):
        load_image(Image.new("RGB", (0, 5)))


def test_heic_without_its_plugin_names_the_extra(monkeypatch):
    from ideogram_widgets.api import _intake as intake

    monkeypatch.setattr(intake, "_heif_registered", False)
    fake = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64
    with pytest.raises(InputError) as info:
        load_image(fake)
    assert "ideogram-widgets[heif]" in str(info.value)
