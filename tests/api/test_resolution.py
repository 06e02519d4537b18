"""Resolution: the 69 reframe sizes, in the service's order, parsed and matched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ideogram_widgets.api import DEFAULT_RESOLUTION, RESOLUTIONS, InputError, Resolution
from ideogram_widgets.api._resolution import fit_inside

SCHEMAS = Path(__file__).parents[1] / "schemas"


def test_the_69_resolutions_are_the_schema_enum_in_order():
    schema = json.loads((SCHEMAS / "reframe.input.schema.json").read_text())
    enum = schema["properties"]["resolution"]["enum"]
    assert [r.value for r in RESOLUTIONS] == enum
    assert len(RESOLUTIONS) == 69
    assert DEFAULT_RESOLUTION.value == schema["properties"]["resolution"]["default"]


def test_each_resolution_knows_its_size_and_aspect():
    for r in RESOLUTIONS:
        a, b = (int(x) for x in r.aspect.split(":"))
        assert r.width * b == r.height * a, r
        assert str(r) == r.value == f"{r.width}:{r.height} ({r.aspect})"


@pytest.mark.parametrize(
    "given",
    ["1152:864 (4:3)", "1152x864", "1152×864", "1152:864", " 1152 x 864 ", (1152, 864), [1152, 864]],
)
def test_parse_accepts_the_usual_spellings(given):
    assert Resolution.parse(given) is DEFAULT_RESOLUTION


@pytest.mark.parametrize("given", ["1000x1000", "1152:864 (16:9)x", "", None, 1152, (0, 0), "big"])
def test_parse_rejects_anything_else_naming_the_field(given):
    with pytest.raises(InputError) as info:
        Resolution.parse(given)
    assert info.value.field == "resolution"
    assert "69" in str(info.value)


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1024, 1024), "1024:1024 (1:1)"),
        ((4000, 3000), "1152:864 (4:3)"),
        ((3000, 4000), "864:1152 (3:4)"),
        ((6000, 2000), "1536:512 (3:1)"),
        ((100, 10_000), "512:1536 (1:3)"),
        ((1920, 1080), "1312:736 (41:23)"),
    ],
)
def test_closest_to_finds_the_nearest_aspect(size, expected):
    assert Resolution.closest_to(size).value == expected


def test_closest_to_accepts_an_image():
    from PIL import Image

    assert Resolution.closest_to(Image.new("RGB", (300, 200))).aspect == "3:2"


def test_grouped_by_orientation_and_ordered_by_aspect():
    groups = Resolution.grouped()
    assert sum(len(g) for g in groups.values()) == 69
    assert [r.value for r in groups["square"]] == ["1024:1024 (1:1)"]
    for group in groups.values():
        ratios = [r.ratio for r in group]
        assert ratios == sorted(ratios, reverse=True)
    assert all(r.width > r.height for r in groups["landscape"])
    assert all(r.width < r.height for r in groups["portrait"])


def test_fit_inside_scales_to_fit_and_centres():
    assert fit_inside((100, 100), (200, 100)) == (50, 0, 100, 100)
    assert fit_inside((400, 100), (100, 100)) == (0, 37, 100, 25)
    assert fit_inside((1, 1000), (1536, 640)) == (767, 0, 1, 640)
    assert Resolution.parse("1536x640").placement((800, 600)) == fit_inside((800, 600), (1536, 640))
