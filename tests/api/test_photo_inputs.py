"""Caught before sending (data URIs, URLs, prompts), the working size, payloads built once, and the
composite: bit-identical to the original outside the blend band."""

from __future__ import annotations

import base64

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import EditInput, InputError, PayloadLimits, ReframeInput
from ideogram_widgets.api import _preflight as preflight
from ideogram_widgets.api._composite import _grow, blend_alpha, put_back
from ideogram_widgets.api._inputs import MAX_PROMPT_CHARS
from ideogram_widgets.api._media import data_uri, encode_png
from ideogram_widgets.api._working import scale_mask, send_image, working_size

RNG = np.random.default_rng(9)
SMALL = Image.fromarray(RNG.integers(0, 256, (30, 40, 3), dtype=np.uint8))
MASK = np.zeros((30, 40), bool)
MASK[5:15, 5:20] = True
GOOD_URI = data_uri(encode_png(SMALL))


@pytest.mark.parametrize(
    ("image", "phrase"),
    [
        ("data:text/html,<b>hi</b>", "base64"),
        ("data:text/html;base64," + base64.b64encode(b"<b>hi</b>").decode(), "text/html"),
        ("data:image/png;base64,%%%notbase64", "broken"),
        ("data:", "data URI"),
        ("data:image/png;base64," + base64.b64encode(b"not a png at all").decode(), "not a readable image"),
        ("https://", "no host"),
        ("https:///photo.jpg", "no host"),
    ],
)
def test_unusable_urls_and_data_uris_are_caught_before_sending(image, phrase):
    with pytest.raises(InputError) as info:
        EditInput(image, "https://example.com/mask.png", "x")
    assert info.value.field == "image"
    assert phrase in str(info.value)
    with pytest.raises(InputError):
        ReframeInput(image)


def test_a_good_data_uri_and_a_url_pass_unchanged():
    inp = EditInput(GOOD_URI, "https://example.com/m.png", "x")
    assert inp.to_payload()["image"] == GOOD_URI
    assert ReframeInput("https://example.com/a.jpg").to_payload()["image"] == "https://example.com/a.jpg"


@pytest.mark.parametrize(
    ("prompt", "phrase"),
    [
        ("a door \ud800 here", "lone surrogate"),
        ("a door\x00", "U+0000"),
        ("a \x1b[31m red door", "U+001B"),
        ("x" * (MAX_PROMPT_CHARS + 1), f"{MAX_PROMPT_CHARS:,}"),
    ],
    ids=["lone surrogate", "NUL", "escape", "too long"],
)
def test_prompts_that_cannot_be_sent_are_caught(prompt, phrase):
    with pytest.raises(InputError) as info:
        EditInput(SMALL, MASK, prompt)
    assert info.value.field == "prompt"
    assert phrase in str(info.value)


def test_tabs_line_breaks_and_any_script_are_fine_in_prompts():
    prompt = "ein Tür\taus Holz\nрыжий кот 🐈 " + "x" * (MAX_PROMPT_CHARS - 40)
    assert EditInput(SMALL, MASK, prompt).prompt == prompt.strip()


def test_the_working_size_keeps_the_aspect_and_the_default_is_1536():
    assert PayloadLimits().max_side == 1536
    assert working_size((4032, 3024), 1536) == (1536, 1152)
    assert working_size((3024, 4032), 1536) == (1152, 1536)
    assert working_size((800, 600), 1536) == (800, 600)
    assert working_size((4032, 3024), None) == (4032, 3024)


def test_a_thin_stroke_survives_the_mask_downscale():
    mask = np.zeros((3024, 4032), bool)
    mask[1500, 100:3000] = True  # one pixel wide
    small = scale_mask(mask, (1536, 1152))
    assert small.shape == (1152, 1536)
    assert small.any()
    assert not small.all()


def test_a_large_image_is_sent_at_the_working_size_and_put_back_at_full_size():
    big = Image.fromarray(RNG.integers(0, 256, (900, 1200, 3), dtype=np.uint8))
    mask = np.zeros((900, 1200), bool)
    mask[300:500, 400:700] = True
    inp = EditInput(big, mask, "x", limits=PayloadLimits(max_side=600, max_png_bytes=2**30))
    prepared = inp.prepare()
    assert prepared.sent_size == (600, 450)
    assert inp.sent_size == (600, 450)
    assert prepared.original_size == (1200, 900)
    output = Image.new("RGB", (600, 450), (255, 0, 0))
    composite = inp.composite(output)
    assert composite.size == (1200, 900)
    assert composite.getpixel((550, 400)) == (255, 0, 0)


def test_the_payload_is_built_once_per_image_and_mask(monkeypatch):
    calls: list[tuple[int, int]] = []
    real = send_image

    def counting(image, *args, **kwargs):
        calls.append(image.size)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(preflight, "send_image", counting)
    image = SMALL.copy()
    first = EditInput(image, MASK, "one").to_payload()
    second = EditInput(image, MASK, "two, a new prompt").to_payload()
    other = MASK.copy()
    other[20:25, 30:35] = True
    third = EditInput(image, other, "three").to_payload()
    assert calls == [(40, 30)]  # one image build for three payloads
    assert first["image"] == second["image"] == third["image"]
    assert first["mask"] == second["mask"] != third["mask"]


@pytest.mark.parametrize("feather", [0, 1, 4, 7])
def test_the_composite_is_the_original_bit_for_bit_outside_the_band(feather):
    original = Image.fromarray(RNG.integers(0, 256, (120, 160, 3), dtype=np.uint8))
    output = Image.fromarray(RNG.integers(0, 256, (60, 80, 3), dtype=np.uint8))
    mask = np.zeros((120, 160), bool)
    mask[40:70, 50:110] = True
    mask[100, 10] = True  # a lone pixel
    out = np.asarray(put_back(original, mask, output, feather=feather))
    band = _grow(mask, 2 * feather)
    assert np.array_equal(out[~band], np.asarray(original)[~band])
    weights = blend_alpha(mask, feather)
    assert (weights[mask] == 255).all()  # the mask itself is the output's, fully
    assert (weights[~band] == 0).all()


def test_a_grey_or_transparent_original_gives_a_composite_that_keeps_it():
    grey = Image.fromarray(RNG.integers(0, 256, (40, 50), dtype=np.uint8))
    mask = np.zeros((40, 50), bool)
    mask[10:20, 10:20] = True
    out = put_back(grey, mask, Image.new("RGB", (50, 40), "red"))
    assert out.mode == "RGB"
    assert out.getpixel((45, 35)) == (grey.getpixel((45, 35)),) * 3
    rgba = Image.new("RGBA", (50, 40), (0, 0, 255, 100))
    assert put_back(rgba, mask, Image.new("RGB", (50, 40), "red")).getpixel((45, 35)) == (0, 0, 255, 100)


def test_a_url_edit_checks_the_mask_against_the_downloaded_original_and_can_composite():
    inp = EditInput("https://example.com/a.png", MASK, "x", original=SMALL)
    assert inp.to_payload()["image"] == "https://example.com/a.png"
    assert inp.composite(Image.new("RGB", (40, 30), "red")).size == (40, 30)
    with pytest.raises(InputError, match="the mask is 40×30 but the image is 20×10"):
        EditInput("https://example.com/a.png", MASK, "x", original=SMALL.resize((20, 10)))


def test_a_reframe_is_sent_at_the_working_size_too():
    wide = Image.fromarray(RNG.integers(0, 256, (1000, 2000, 3), dtype=np.uint8))
    inp = ReframeInput(wide, "1536x640")
    assert inp.sent_size == (1536, 768)
    assert inp.prepare().sent_size == (1536, 768)
    assert inp.prepare().original_size == (2000, 1000)
