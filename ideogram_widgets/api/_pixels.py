"""Pixel formats in, 8-bit pixels out: every PIL mode and numpy array reduced to ``L``, ``RGB`` or ``RGBA``.

One rule for both paths, so a PIL image and the equal numpy array give the same pixels (and the same
payload): a PIL image is read as the array its mode holds, then the array rule applies.

* ``uint8`` / ``int8`` (≥ 0) / bool: as they are (bool: True = 255).
* ``uint16`` (any byte order, PIL ``I;16``, ``I;16B``, ``I;16L``, 16-bit PNG/TIFF): full scale is 65535,
  mapped to 0..255 by rounding ``v / 257``. **Exception: a uint16 array whose largest value is ≤ 255 is read
  as 8-bit values held in uint16** (``arr.astype(np.uint16)`` of 8-bit data); a real 16-bit picture that dark
  would be black (under 0.4 % of full scale) anyway.
* Wider integers (``int32``, ``int64``, PIL ``I``): ≤ 255 → 8-bit values; ≤ 65535 → 16-bit; larger or
  negative values are refused.
* Floats (``float16/32/64``, PIL ``F``): 0..1 is black..white. **Floats above 1 (e.g. 0..255 floats) are
  refused** with a message saying to divide by 255: guessing would turn a float picture that overshoots 1 a
  little into a nearly black one. NaN and infinity are refused.
* Shapes ``(H, W)``, ``(H, W, 1)``, ``(H, W, 2)`` (grey + alpha), ``(H, W, 3)``, ``(H, W, 4)``; any byte
  order; non-contiguous views are copied.
* PIL modes without an array rule go through Pillow's own conversion: ``1`` → L, ``P`` → RGB or RGBA
  (with transparency), ``LA``/``La``/``PA``/``RGBa`` → RGBA, ``RGBX``/``CMYK``/``YCbCr``/``LAB``/``HSV``
  → RGB.

Example:
    >>> import numpy as np
    >>> to_8bit(np.array([[0, 32768, 65535]], dtype=">u2")).getpixel((1, 0))
    128
    >>> to_8bit(Image.new("F", (1, 1), 0.5)).getpixel((0, 0))
    128
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._errors import InputError

__all__ = ["STANDARD_MODES", "array_to_8bit", "check_has_pixels", "to_8bit"]

STANDARD_MODES = ("L", "RGB", "RGBA")
"""The modes every image has once it came in: 8 bits per channel, grey, colour or colour with alpha."""

_ARRAY_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")
_VIA_RGBA = ("LA", "La", "PA", "RGBa")
_SHAPES = "(H, W), (H, W, 1), (H, W, 2), (H, W, 3) or (H, W, 4)"


def check_has_pixels(size: tuple[int, int], field: str = "image") -> None:
    """Refuse a picture (an image or a mask, named by ``field``) with no pixels: the one wording for it.

    Example:
        >>> try:
        ...     check_has_pixels((0, 3), "mask")
        ... except InputError as err:
        ...     print(err)
        mask: the mask is 0×3: it has no pixels; expected at least 1×1 pixels
    """
    width, height = size
    if width < 1 or height < 1:
        raise InputError(
            field,
            f"{width}×{height}",
            "at least 1×1 pixels",
            reason=f"the {field} is {width}×{height}: it has no pixels",
        )


def to_8bit(source: Image.Image | npt.NDArray[Any], *, field: str = "image") -> Image.Image:
    """An 8-bit ``L``/``RGB``/``RGBA`` image of ``source`` (a PIL image of any mode, or a numpy array).

    An image already in one of :data:`STANDARD_MODES` is returned as it is (no copy).
    """
    if isinstance(source, np.ndarray):
        return Image.fromarray(array_to_8bit(source, field=field))
    image = source
    if image.mode in STANDARD_MODES:
        return image
    if image.mode in _ARRAY_MODES:
        return Image.fromarray(array_to_8bit(np.asarray(image), field=field))
    if image.mode == "1":
        return image.convert("L")
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in _VIA_RGBA:
        if image.mode == "La":  # Pillow unpremultiplies La only into LA
            image = image.convert("LA")
        return image.convert("RGBA")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as exc:
        raise InputError(
            field, f"a PIL image of mode {image.mode}", "an image Pillow can convert to RGB"
        ) from exc


def array_to_8bit(array: npt.NDArray[Any], *, field: str = "image") -> npt.NDArray[np.uint8]:
    """The array as C-contiguous ``uint8`` of shape (H, W), (H, W, 3) or (H, W, 4), by the module's rule."""
    arr = np.asarray(array)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (2, 3, 4)):
        raise InputError(field, f"an array of shape {arr.shape}", f"shape {_SHAPES}")
    check_has_pixels((arr.shape[1], arr.shape[0]), field)
    if not arr.dtype.isnative:
        arr = arr.astype(arr.dtype.newbyteorder("="))
    out = _values_to_uint8(arr, field)
    if out.ndim == 3 and out.shape[2] == 2:  # grey + alpha
        grey, alpha = out[:, :, 0], out[:, :, 1]
        out = np.stack([grey, grey, grey, alpha], axis=2)
    result: npt.NDArray[np.uint8] = np.ascontiguousarray(out)
    return result


def _values_to_uint8(arr: npt.NDArray[Any], field: str) -> npt.NDArray[np.uint8]:
    kind = arr.dtype.kind
    if arr.dtype == np.bool_:
        white: npt.NDArray[np.uint8] = np.where(arr, np.uint8(255), np.uint8(0)).astype(np.uint8)
        return white
    if arr.dtype == np.uint8:
        return arr.astype(np.uint8, copy=False)
    if kind == "f":
        return _floats_to_uint8(arr, field)
    if kind not in "iu":
        raise InputError(field, f"an array of dtype {arr.dtype}", "bool, integer or float pixel values")
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0:
        raise InputError(
            field,
            f"an {arr.dtype} array with values {lo}..{hi}",
            "pixel values ≥ 0 (0..255, 0..65535, or floats in 0..1)",
            reason=f"it holds negative values ({lo}..{hi})",
        )
    if hi <= 255:  # 8-bit values, whatever integer type holds them (see the module docstring)
        return arr.astype(np.uint8)
    if hi <= 65535:
        # round(v / 257): 65535 → 255 and 257·k → k exactly
        return ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    raise InputError(
        field,
        f"an {arr.dtype} array with values {lo}..{hi}",
        "8-bit (0..255) or 16-bit (0..65535) values, or floats in 0..1",
        reason=f"values up to {hi} are neither 8-bit nor 16-bit",
    )


def _floats_to_uint8(arr: npt.NDArray[Any], field: str) -> npt.NDArray[np.uint8]:
    values = arr.astype(np.float32, copy=False)
    if not np.isfinite(values).all():
        raise InputError(field, "a float array with NaN or infinity", "finite floats in 0..1")
    lo, hi = float(values.min()), float(values.max())
    if lo < 0.0 or hi > 1.0:
        hint = "; divide by 255 (or pass a uint8 array)" if hi <= 255.0 and lo >= 0.0 else ""
        raise InputError(
            field,
            f"a float array with values {lo:g}..{hi:g}",
            "floats in 0..1 (0 = black, 1 = white)",
            reason=f"float pixels are read as 0..1, and these are {lo:g}..{hi:g}{hint}",
        )
    scaled: npt.NDArray[np.uint8] = np.rint(values * np.float32(255.0)).astype(np.uint8)
    return scaled
