"""What crosses the wire for MaskPainter: the image's display copy and the mask, both as PNG bytes.

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

import numpy as np
from PIL import Image

from ..api.errors import InputError
from ..api.media import MaskArray, encode_png, load_mask

__all__ = ["decode_mask", "display_png", "encode_mask", "png_size"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def encode_mask(mask: MaskArray) -> bytes:
    """A boolean (H, W) mask as a 1-bit greyscale PNG, white = edit."""
    arr = np.asarray(mask, dtype=bool)
    height, width = arr.shape
    packed = np.packbits(arr, axis=1)  # rows padded to whole bytes, most significant bit first
    return encode_png(Image.frombytes("1", (width, height), packed.tobytes()))


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


def display_png(image: Image.Image, max_side: int) -> tuple[bytes, tuple[int, int]]:
    """The copy of ``image`` the browser shows: lossless PNG, downscaled only when a side exceeds
    ``max_side`` (the mask stays at full size whatever this copy's size). Returns the bytes and their size.
    """
    shown = image
    if shown.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        # 16-bit and float greyscale: Pillow's convert() would clip everything above 255 to white
        values = np.asarray(shown, dtype=np.float64)
        top = 65535.0 if values.max(initial=0.0) > 255.0 else 255.0
        shown = Image.fromarray(np.clip(values * (255.0 / top), 0, 255).astype(np.uint8), "L")
    if shown.mode not in ("RGB", "RGBA", "L", "LA"):
        has_alpha = "A" in shown.getbands() or "transparency" in shown.info
        shown = shown.convert("RGBA" if has_alpha else "RGB")
    width, height = shown.size
    if max(width, height) > max_side:
        factor = max_side / max(width, height)
        size = (max(1, round(width * factor)), max(1, round(height * factor)))
        shown = shown.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    # level 1: display copies of large photos are big, and speed matters more than bytes on localhost
    return encode_png(shown, compress_level=1), shown.size
