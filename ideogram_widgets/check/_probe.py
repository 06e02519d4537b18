"""The paid part of the check: one TURBO edit of a two-coloured image with its left half masked.

The image's halves are different flat colours with a little grain; the mask (True = edit, the package's
convention) covers exactly the left half and is sent in the client's ``mask_polarity``. Whichever half of
the result differs from the original is the half the service edited: the left one means the service
reads the mask as configured, the right one means it reads it the other way round.

Example:
    >>> img = probe_image(64)
    >>> changed = img.copy(); changed.paste((0, 200, 0), (0, 0, 32, 64))
    >>> compare_halves(img, changed).edited
    'left'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

__all__ = [
    "PROBE_PROMPT",
    "PROBE_SEED",
    "PROBE_SIZE",
    "HalfChange",
    "compare_halves",
    "probe_image",
    "probe_mask",
]

PROBE_SIZE = 512
"""Width and height of the probe image, in pixels."""

PROBE_PROMPT = "a bright green meadow of grass with small white flowers, filling the whole area"
"""Asks for something far from both halves' colours, so an edited half is plain to see."""

PROBE_SEED = 20240607

LEFT_COLOUR = (40, 70, 170)  # deep blue
RIGHT_COLOUR = (235, 150, 40)  # orange

CHANGED = 16.0
"""A half whose mean absolute change (0-255 per channel) reaches this was edited..."""

RATIO = 2.5
"""... provided it changed at least this many times more than the other half."""


def probe_image(size: int = PROBE_SIZE) -> Image.Image:
    """A ``size``×``size`` RGB image: blue left half, orange right half, each with a fixed grain."""
    rng = np.random.default_rng(PROBE_SEED)
    pixels = np.empty((size, size, 3), dtype=np.float64)
    half = size // 2
    pixels[:, :half] = LEFT_COLOUR
    pixels[:, half:] = RIGHT_COLOUR
    grain = rng.normal(0.0, 6.0, (size, size, 1))
    out = np.clip(pixels + grain, 0, 255).astype(np.uint8)
    return Image.fromarray(out, "RGB")


def probe_mask(size: int = PROBE_SIZE) -> np.ndarray:
    """A boolean ``size``×``size`` mask, True (edit) on exactly the left half.

    Example:
        >>> m = probe_mask(8); int(m.sum()), bool(m[0, 0]), bool(m[0, 7])
        (32, True, False)
    """
    mask = np.zeros((size, size), dtype=bool)
    mask[:, : size // 2] = True
    return mask


@dataclass(frozen=True)
class HalfChange:
    """How much each half changed (mean absolute difference per channel, 0-255) and which was edited.

    ``edited`` is ``"left"``, ``"right"``, ``"both"`` or ``"neither"``.
    """

    left: float
    right: float
    edited: str
    resized_from: tuple[int, int] | None = None

    def describe(self) -> str:
        """One line with the measurements."""
        text = f"mean change: left half (masked) {self.left:.1f}, right half {self.right:.1f} (of 255)"
        if self.resized_from is not None:
            w, h = self.resized_from
            text += f"; the result was {w}×{h} and was resized to compare"
        return text


def compare_halves(original: Image.Image, result: Image.Image) -> HalfChange:
    """Which half of ``result`` differs from ``original``.

    A band of 1/8 of the width each side of the middle is left out: a model blends the edit into its
    surroundings there. A result of another size is resized to the original's first.
    """
    resized_from = None
    if result.size != original.size:
        resized_from = result.size
        result = result.convert("RGB").resize(original.size, Image.Resampling.BILINEAR)
    a = np.asarray(original.convert("RGB"), dtype=np.float64)
    b = np.asarray(result.convert("RGB"), dtype=np.float64)
    width = a.shape[1]
    band = max(1, width // 8)
    diff = np.abs(a - b)
    left = float(diff[:, : width // 2 - band].mean())
    right = float(diff[:, width // 2 + band :].mean())
    big, small = max(left, right), min(left, right)
    if big < CHANGED:
        edited = "neither"
    elif big < RATIO * small:
        edited = "both"
    else:
        edited = "left" if left > right else "right"
    return HalfChange(left, right, edited, resized_from)
