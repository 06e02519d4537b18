"""The mask rule, row by row as the README's table states it (api/_masks.py has the same table)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import InputError
from ideogram_widgets.api._media import check_mask, load_mask

EDIT = np.zeros((6, 8), bool)
EDIT[1:4, 2:6] = True  # what every row below should read as "edit"
SOFT = np.where(EDIT, 200, 40).astype(np.uint8)
SOFT[0, 0], SOFT[5, 7] = 127, 128  # more than two values; 128 is edit, 127 is not
SOFT_EDIT = EDIT.copy()
SOFT_EDIT[5, 7] = True


def rgba(colour: np.ndarray, alpha: np.ndarray) -> Image.Image:
    return Image.fromarray(np.dstack([colour, colour, colour, alpha]).astype(np.uint8), "RGBA")


# (README row, the mask, what it reads as)
TABLE = [
    ("bool: True", EDIT, EDIT),
    ("one value only: nonzero (all 0 is empty)", np.zeros((6, 8), np.uint8), np.zeros((6, 8), bool)),
    ("one value only: nonzero (all 1 is full)", np.ones((6, 8), np.uint8), np.ones((6, 8), bool)),
    ("two values: the higher (uint8 0/1, labels == k)", EDIT.astype(np.uint8), EDIT),
    ("two values: the higher (int64 0/1)", EDIT.astype(np.int64), EDIT),
    ("two values: the higher (0/255)", EDIT.astype(np.uint8) * 255, EDIT),
    ("two values: the higher (float 0/1)", EDIT.astype(np.float32), EDIT),
    ("two values: the higher (PIL F 0/1)", Image.fromarray(EDIT.astype(np.float32)), EDIT),
    ("two values: the higher (PIL I;16 0/1)", Image.fromarray(EDIT.astype(np.uint16)), EDIT),
    ("two values: the higher (PIL I 0/1)", Image.fromarray(EDIT.astype(np.int32)), EDIT),
    ("two values: the higher (PIL 1)", Image.fromarray(EDIT).convert("1"), EDIT),
    ("many values, uint8: ≥ 128", SOFT, SOFT_EDIT),
    ("many values, PIL L: ≥ 128", Image.fromarray(SOFT), SOFT_EDIT),
    ("many values, RGB: luminance ≥ 128", Image.fromarray(np.dstack([SOFT] * 3)), SOFT_EDIT),
    ("many values, uint16: ≥ 32768", SOFT.astype(np.uint16) * 257, SOFT_EDIT),
    ("many values, PIL I;16: ≥ 32768", Image.fromarray(SOFT.astype(np.uint16) * 257), SOFT_EDIT),
    ("many values, other integers: nonzero", np.where(EDIT, np.arange(48).reshape(6, 8) % 3 + 1, 0), EDIT),
    ("many values, floats: ≥ 0.5", SOFT.astype(np.float64) / 255, SOFT_EDIT),
    ("many values, PIL F: ≥ 0.5", Image.fromarray(SOFT.astype(np.float32) / 255), SOFT_EDIT),
    ("RGBA, alpha varies: alpha", rgba(np.full((6, 8), 255), EDIT * 255), EDIT),
    ("RGBA, alpha constant: luminance (white-on-black export)", rgba(EDIT * 255, np.full((6, 8), 255)), EDIT),
    (
        "LA, alpha constant: luminance",
        Image.fromarray(np.dstack([EDIT * 255, np.full((6, 8), 255)]).astype(np.uint8), "LA"),
        EDIT,
    ),
]


@pytest.mark.parametrize(("row", "mask", "edit"), TABLE, ids=[row for row, _, _ in TABLE])
def test_the_mask_rule_table(row, mask, edit):
    assert np.array_equal(load_mask(mask), edit), row


def test_a_palette_mask_with_transparency_reads_its_alpha():
    palette = Image.fromarray(np.where(EDIT, 1, 0).astype(np.uint8), "P")
    palette.putpalette([0, 0, 0, 255, 255, 255])
    palette.info["transparency"] = 0
    assert np.array_equal(load_mask(palette), EDIT)


def test_an_empty_mask_error_says_what_it_saw():
    with pytest.raises(InputError) as info:
        check_mask(np.zeros((6, 8), np.uint8), (8, 6))
    assert "values {0}: read as nonzero = edit" in str(info.value)


def test_a_soft_mask_below_the_threshold_says_how_it_was_read():
    with pytest.raises(InputError) as info:
        check_mask(np.where(EDIT, 100, 50).astype(np.uint8) * (np.arange(48).reshape(6, 8) > 0), None)
    assert "values 0..100: read as ≥ 128 = edit" in str(info.value)


def test_a_full_mask_error_says_what_it_saw():
    with pytest.raises(InputError) as info:
        check_mask(rgba(np.full((6, 8), 255), np.full((6, 8), 255)), (8, 6))
    assert "covers the whole image" in str(info.value)
    assert "luminance" in str(info.value)


def test_a_many_valued_float_mask_outside_0_1_is_refused():
    with pytest.raises(InputError, match=r"0\.\.1"):
        load_mask(SOFT.astype(np.float32))
