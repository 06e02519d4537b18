"""The probe image, its half mask, and telling which half changed."""

from __future__ import annotations

import doctest
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.check import _cli as cli
from ideogram_widgets.check import _probe as probe
from ideogram_widgets.check import _report as report
from ideogram_widgets.check import _run as run
from ideogram_widgets.check import _schema as schema
from ideogram_widgets.check import _schema_tools as schema_tools
from ideogram_widgets.check._probe import compare_halves, probe_image, probe_mask


def test_probe_image_and_mask() -> None:
    img, mask = probe_image(64), probe_mask(64)
    assert img.size == (64, 64)
    assert img.mode == "RGB"
    pixels = np.asarray(img, dtype=float)
    assert np.abs(pixels[:, :32].mean((0, 1)) - pixels[:, 32:].mean((0, 1))).sum() > 200  # distinct halves
    assert pixels[:, :32].std() > 2  # some grain
    assert mask[:, :32].all()
    assert not mask[:, 32:].any()
    assert probe_image(64).tobytes() == img.tobytes()  # deterministic


def painted(
    img: Image.Image, left: tuple[int, int, int] | None, right: tuple[int, int, int] | None
) -> Image.Image:
    out = img.copy()
    w, h = out.size
    if left:
        out.paste(left, (0, 0, w // 2, h))
    if right:
        out.paste(right, (w // 2, 0, w, h))
    return out


@pytest.mark.parametrize(
    ("left", "right", "edited"),
    [
        ((0, 200, 0), None, "left"),
        (None, (0, 200, 0), "right"),
        ((0, 200, 0), (0, 200, 0), "both"),
        (None, None, "neither"),
    ],
)
def test_compare_halves(
    left: tuple[int, int, int] | None, right: tuple[int, int, int] | None, edited: str
) -> None:
    img = probe_image(64)
    assert compare_halves(img, painted(img, left, right)).edited == edited


def test_small_changes_everywhere_and_a_blended_seam_do_not_confuse_it() -> None:
    img = probe_image(128)
    rng = np.random.default_rng(1)
    noisy = np.asarray(img, dtype=float) + rng.normal(0, 4, (128, 128, 3))  # a model re-rendering everything
    noisy[:, :70] = (30, 190, 60)  # the edit spills a little over the middle
    change = compare_halves(img, Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)))
    assert change.edited == "left"
    assert change.right < 16


def test_a_result_of_another_size_is_resized() -> None:
    img = probe_image(64)
    result = painted(img, None, (0, 200, 0)).resize((128, 128))
    change = compare_halves(img, result)
    assert change.edited == "right"
    assert change.resized_from == (128, 128)
    assert "resized" in change.describe()


@pytest.mark.parametrize("module", [probe, report, schema, schema_tools, run, cli])
def test_doctests(module: ModuleType) -> None:
    failures, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failures == 0
