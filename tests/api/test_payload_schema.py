"""Every payload the client builds validates against the service's published JSON schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import RESOLUTIONS, ColorPalette, EditInput, MaskPolarity, ReframeInput, Style

SCHEMAS = Path(__file__).parents[1] / "schemas"
EDIT_SCHEMA = json.loads((SCHEMAS / "edit.input.schema.json").read_text())
REFRAME_SCHEMA = json.loads((SCHEMAS / "reframe.input.schema.json").read_text())

IMG = Image.new("RGB", (32, 32), "teal")
MASK = np.zeros((32, 32), bool)
MASK[8:24, 8:24] = True


def validate_edit(payload):
    jsonschema.validate(payload, EDIT_SCHEMA)
    assert isinstance(payload["mask"], str)  # required, though the published schema omits its type


@pytest.mark.parametrize("speed", ["TURBO", "BALANCED", "QUALITY"])
@pytest.mark.parametrize("magic", ["AUTO", "ON", "OFF"])
def test_edit_payloads_match_the_schema(speed, magic):
    job = EditInput(IMG, MASK, "a cat", seed=2147483647, rendering_speed=speed, magic_prompt=magic)
    validate_edit(job.to_payload())


@pytest.mark.parametrize(
    ("palette", "style"),
    [
        (ColorPalette.preset("EMBER"), Style(style_type="REALISTIC")),
        (ColorPalette.custom([("#FF0000", 0.5), "#00ff00"]), Style(style_preset="WATERCOLOR")),
        ("pastel", "design"),
        ({"anything": ["the service wants"]}, {"style_codes": ["0A1B2C3D"]}),
    ],
)
def test_palette_and_style_shapes_match_the_schema(palette, style):
    payload = EditInput(IMG, MASK, "a cat", color_palette=palette, style=style).to_payload()
    validate_edit(payload)
    assert isinstance(payload["color_palette"], dict)
    assert isinstance(payload["style"], dict)


def test_raw_dicts_pass_through_unchanged():
    raw = {"members": [{"color_hex": "#000000"}], "extra": 1}
    assert EditInput(IMG, MASK, "x", color_palette=raw).to_payload()["color_palette"] == raw


@pytest.mark.parametrize("resolution", RESOLUTIONS, ids=str)
def test_every_reframe_resolution_matches_the_schema(resolution):
    payload = ReframeInput(IMG, resolution, seed=0, rendering_speed="TURBO").to_payload()
    jsonschema.validate(payload, REFRAME_SCHEMA)


def test_reframe_payload_has_no_edit_only_fields():
    payload = ReframeInput(IMG).to_payload(polarity=MaskPolarity.WHITE_IS_EDIT)
    assert set(payload) == {"image", "resolution", "rendering_speed"}
    assert payload["resolution"] == "1152:864 (4:3)"
