"""What crosses the wire for MaskPainter: the image's display copy (PNG, or JPEG/WebP for big pictures) and
the mask (PNG).

The mask travels as a 1-bit greyscale PNG (white = edit) at the image's full size, the format the browser
half (``js/src/png.ts``) writes and reads; a 4096 × 4096 mask of a few strokes is a few kilobytes.

Example:
    >>> import numpy as np
    >>> mask = np.zeros((48, 64), bool); mask[10:20, 5:25] = True
    >>> png = encode_mask(mask)
    >>> png_size(png)
    (64, 48)
    >>> bool((decode_mask(png) == mask).all())
    True
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image

from ..api import InputError, MaskPolarity
from ..api._masks import mask_to_png
from ..api._media import MaskArray, load_mask
from ..api._png import encode_png

__all__ = ["DISPLAY_MAX_SIDE", "DisplayCopy", "decode_mask", "display_copy", "encode_mask", "png_size"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_mask(mask: MaskArray) -> bytes:
    """A boolean (H, W) mask as the browser half's 1-bit greyscale PNG, white = edit (see
    :func:`~ideogram_widgets.api._masks.mask_image`)."""
    return mask_to_png(mask, MaskPolarity.WHITE_IS_EDIT, bits=1, compress_level=6)


def png_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a PNG header without decoding it; None when ``data`` is not a PNG."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE):
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def decode_mask(data: bytes) -> MaskArray:
    """The mask a PNG holds as a boolean array (1-bit masks fast; any other mask image via load_mask)."""
    try:
        image = Image.open(io.BytesIO(data))
        if image.mode == "1":
            image.load()
            arr: MaskArray = np.array(image, dtype=bool)
            return arr
    except (OSError, ValueError) as exc:
        raise InputError("mask", f"<{len(data)} bytes>", "a PNG mask", reason=f"unreadable ({exc})") from None
    return load_mask(data)


DISPLAY_MAX_SIDE = 2048
"""Longest side of the browser's copy of a picture. A notebook column shows the painter at most about
1,000 CSS px wide (2,000 device px on a 2× screen), so 2048 px is sharp at "Fit" everywhere and stays
sharp to about 200 % zoom on a full-HD screen; a 12 MP photo's copy is then ~0.5 MB of JPEG instead of
an 11.6 MB PNG. The mask is never downscaled: strokes land at the original's full resolution."""

LOSSLESS_MAX_PIXELS = 1_000_000
LOSSLESS_MAX_BYTES = 256 * 1024
"""A display copy up to 1 MP whose PNG is at most 256 kB goes lossless (screenshots, diagrams, small
pictures: exact pixels); anything bigger goes lossy."""

LOSSY_QUALITY = 85
"""JPEG/WebP quality of the display copy: no visible artefacts at 1:1, a quarter of q=95's bytes."""


@dataclass(frozen=True)
class DisplayCopy:
    """The picture as the browser shows it: encoded ``data`` of type ``mime``, ``size`` pixels (may be
    smaller than the original; the browser stretches it over the original's full-size coordinates)."""

    data: bytes
    mime: str
    size: tuple[int, int]


def _displayable(image: Image.Image) -> Image.Image:
    """``image`` in a mode browsers show (RGB, RGBA, L or LA), tones kept."""
    shown = image
    if shown.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit and float greyscale: Pillow's convert() would clip everything above 255 to white
        values = np.asarray(shown, dtype=np.float64)
        top = 65535.0 if values.max(initial=0.0) > 255.0 else 255.0
        shown = Image.fromarray(np.clip(values * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if shown.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in shown.getbands() or "transparency" in shown.info
        shown = shown.convert("RGBA" if has_alpha else "RGB")
    return shown


def _has_transparency(image: Image.Image) -> bool:
    if image.mode not in ("RGBA", "LA"):
        return False
    extrema = image.getchannel("A").getextrema()
    return isinstance(extrema[0], int | float) and extrema[0] < 255


def display_copy(image: Image.Image, max_side: int = DISPLAY_MAX_SIDE) -> DisplayCopy:
    """The copy of ``image`` the browser shows, downscaled when a side exceeds ``max_side``.

    Small pictures go as lossless PNG; bigger ones as JPEG (WebP when they have transparency), see
    :data:`LOSSLESS_MAX_PIXELS`. CPU-bound (about 0.25 s for a 12 MP photo): call it from a thread when on
    an event loop. Example:

        >>> copy = display_copy(Image.new("RGB", (4032, 3024), "teal"))
        >>> copy.mime, copy.size
        ('image/jpeg', (2048, 1536))
        >>> display_copy(Image.new("RGB", (60, 40))).mime
        'image/png'
    """
    shown = _displayable(image)
    width, height = shown.size
    if max(width, height) > max_side:
        factor = max_side / max(width, height)
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        # box-reduce first, then bicubic: ~40 % faster than Lanczos and indistinguishable for display
        shown = shown.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)
    if shown.width * shown.height <= LOSSLESS_MAX_PIXELS:
        png = encode_png(shown, compress_level=1)  # speed over bytes: this is a display copy
        if len(png) <= LOSSLESS_MAX_BYTES:
            return DisplayCopy(png, "image/png", shown.size)
    out = io.BytesIO()
    if _has_transparency(shown):
        shown.save(out, "WEBP", quality=LOSSY_QUALITY, method=0)  # alpha stays lossless
        return DisplayCopy(out.getvalue(), "image/webp", shown.size)
    if shown.mode == "LA":
        shown = shown.convert("L")
    elif shown.mode == "RGBA":
        shown = shown.convert("RGB")
    shown.save(out, "JPEG", quality=LOSSY_QUALITY, optimize=False)
    return DisplayCopy(out.getvalue(), "image/jpeg", shown.size)
