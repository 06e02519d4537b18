"""Bad input is refused before anything is sent, with an error naming the field and what is allowed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import ColorPalette, EditInput, InputError, ReframeInput, Style
from ideogram_widgets.api._media import PayloadLimits

IMG = Image.new("RGB", (64, 48), (120, 130, 140))
HALF = np.zeros((48, 64), bool)
HALF[:, :32] = True


def edit(**kw):
    args: dict[str, Any] = {"image": IMG, "mask": HALF, "prompt": "a red door"}
    args.update(kw)
    return EditInput(**args)


def reframe(**kw):
    args: dict[str, Any] = {"image": IMG, "resolution": "1024x1024"}
    args.update(kw)
    return ReframeInput(**args)


# (id, build, field the error names, a phrase the message contains)
CASES = [
    ("empty prompt", lambda: edit(prompt=""), "prompt", "non-empty"),
    ("blank prompt", lambda: edit(prompt="   "), "prompt", "non-empty"),
    ("prompt not text", lambda: edit(prompt=42), "prompt", "non-empty"),
    ("negative seed", lambda: edit(seed=-1), "seed", "0 to 2147483647"),
    ("seed too big", lambda: edit(seed=2**31), "seed", "0 to 2147483647"),
    ("float seed", lambda: edit(seed=1.5), "seed", "integer"),
    ("text seed", lambda: edit(seed="7"), "seed", "integer"),
    ("bool seed", lambda: edit(seed=True), "seed", "integer"),
    ("unknown speed", lambda: edit(rendering_speed="FAST"), "rendering_speed", "TURBO | BALANCED | QUALITY"),
    ("speed not text", lambda: edit(rendering_speed=3), "rendering_speed", "TURBO"),
    ("unknown magic prompt", lambda: edit(magic_prompt="MAYBE"), "magic_prompt", "AUTO | ON | OFF"),
    ("bool magic prompt", lambda: edit(magic_prompt=True), "magic_prompt", "AUTO"),
    ("empty mask", lambda: edit(mask=np.zeros((48, 64), bool)), "mask", "marks nothing"),
    ("full mask", lambda: edit(mask=np.ones((48, 64), bool)), "mask", "whole image"),
    ("mask wrong size", lambda: edit(mask=np.ones((10, 10), bool)), "mask", "64×48"),
    ("mask transposed", lambda: edit(mask=HALF.T.copy()), "mask", "64×48"),
    ("mask 3-D array", lambda: edit(mask=np.zeros((48, 64, 3), bool)), "mask", "2-D"),
    ("mask of strings", lambda: edit(mask=np.array([["a"]])), "mask", "bool, integer or float"),
    ("mask path missing", lambda: edit(mask="/nonexistent/mask.png"), "mask", "no such file"),
    ("image path missing", lambda: edit(image="/nonexistent/cat.png"), "image", "no such file"),
    ("image not bytes of an image", lambda: edit(image=b"not an image"), "image", "readable image"),
    ("image wrong type", lambda: edit(image=3.14), "image", "PIL image"),
    ("image array bad shape", lambda: edit(image=np.zeros((4, 4, 5), np.uint8)), "image", "(H, W, 3)"),
    ("image float out of range", lambda: edit(image=np.full((4, 4), 2.0)), "image", "0..1"),
    ("image negative ints", lambda: edit(image=np.full((4, 4), -3)), "image", "≥ 0"),
    (
        "image over the pixel limit",
        lambda: edit(limits=PayloadLimits(max_pixels=1000)),
        "image",
        "megapixels",
    ),
    ("unknown palette preset", lambda: edit(color_palette="NEON"), "color_palette", "EMBER"),
    ("palette bad hex", lambda: ColorPalette.custom(["#12345"]), "color_palette", "#RRGGBB"),
    ("palette weight low", lambda: ColorPalette.custom([("#123456", 0.01)]), "color_palette", "0.05"),
    ("palette weight high", lambda: ColorPalette.custom([("#123456", 1.5)]), "color_palette", "1.0"),
    ("palette no colours", lambda: ColorPalette.custom([]), "color_palette", "1 to 16"),
    ("palette wrong type", lambda: edit(color_palette=42), "color_palette", "ColorPalette"),
    ("style type unknown", lambda: Style(style_type="ANIME"), "style.style_type", "REALISTIC"),
    ("style code not hex", lambda: Style(style_codes=["zzzzzzzz"]), "style.style_codes", "8 hexadecimal"),
    ("style code as one string", lambda: Style(style_codes="0A1B2C3D"), "style.style_codes", "list"),
    (
        "style codes with type",
        lambda: Style(style_type="AUTO", style_codes=["0A1B2C3D"]),
        "style",
        "not both",
    ),
    ("style empty", lambda: Style(), "style", "at least one"),
    ("style wrong type", lambda: edit(style=1), "style", "Style"),
    ("reframe unknown resolution", lambda: reframe(resolution="1000x1000"), "resolution", "69"),
    ("reframe bad speed", lambda: reframe(rendering_speed="SLOW"), "rendering_speed", "QUALITY"),
    ("reframe bad seed", lambda: reframe(seed=-5), "seed", "0 to"),
    ("reframe image missing", lambda: reframe(image="nope.png"), "image", "no such file"),
]


def test_the_table_has_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("build", "field", "phrase"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_typed_error(build, field, phrase):
    with pytest.raises(InputError) as info:
        build()
    err = info.value
    assert err.field == field
    assert phrase in str(err)
    assert isinstance(err, ValueError)  # usable with ordinary `except ValueError`
    assert "Traceback" not in str(err)


def test_good_input_passes_and_normalises():
    job = edit(seed=np.int64(5), rendering_speed="turbo", magic_prompt="off", prompt="  door  ")
    assert job.seed == 5
    assert job.settings() == {
        "prompt": "door",
        "magic_prompt": "OFF",
        "rendering_speed": "TURBO",
        "seed": 5,
    }
