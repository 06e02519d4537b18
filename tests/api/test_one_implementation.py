"""One implementation per idea: every layer reaches the api's one function, and gets the same bytes/words."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import masks, media, png
from ideogram_widgets.api.masks import mask_image, mask_to_png
from ideogram_widgets.api.options import MaskPolarity
from ideogram_widgets.jobs import Journal
from ideogram_widgets.widgets import _mask_codec


def _mask() -> np.ndarray:
    mask = np.zeros((37, 53), bool)  # odd sizes: the 1-bit rows are padded to whole bytes
    mask[5:20, 7:41] = True
    mask[30, 52] = True
    return mask


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L"))


def test_the_png_encoder_is_one_function_wherever_it_is_imported() -> None:
    assert media.encode_png is png.encode_png
    assert _mask_codec.encode_png is png.encode_png  # type: ignore[attr-defined]
    assert media.data_uri is png.data_uri
    assert media.mask_to_png is masks.mask_to_png


def test_the_service_payload_mask_is_8_bit_in_either_polarity() -> None:
    mask = _mask()
    black = _pixels(mask_to_png(mask, MaskPolarity.BLACK_IS_EDIT))
    white = _pixels(mask_to_png(mask, MaskPolarity.WHITE_IS_EDIT))
    assert Image.open(io.BytesIO(mask_to_png(mask))).mode == "L"
    assert np.array_equal(black == 0, mask)
    assert np.array_equal(white == 255, mask)
    assert set(np.unique(black)) == {0, 255}


def test_the_painters_mask_png_is_the_api_mask_png_in_one_bit() -> None:
    mask = _mask()
    data = _mask_codec.encode_mask(mask)
    assert data == mask_to_png(mask, MaskPolarity.WHITE_IS_EDIT, bits=1, compress_level=6)
    assert Image.open(io.BytesIO(data)).mode == "1"
    assert np.array_equal(_mask_codec.decode_mask(data), mask)


def test_the_journal_keeps_the_api_mask_image(tmp_path: Path) -> None:
    mask = _mask()
    ref = Journal(tmp_path).store_mask(mask)
    with Image.open(tmp_path / ref["path"]) as stored:
        kept = np.asarray(stored)
    assert ref["meaning"] == "white = edit"
    assert np.array_equal(kept, np.asarray(mask_image(mask, MaskPolarity.WHITE_IS_EDIT)))
    assert np.array_equal(kept == 255, mask)


def test_a_mask_image_refuses_what_is_not_2_d() -> None:
    with pytest.raises(ValueError, match="2-D"):
        mask_image(np.zeros((2, 2, 2), bool), MaskPolarity.WHITE_IS_EDIT)
