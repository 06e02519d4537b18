"""Masks by one rule: what counts as "edit" in a bool/number array or a mask image.

The rule (the README has the same table, and ``tests/api/test_mask_rule.py`` checks every row):

================================================  ==============================================
what the mask holds                               read as edit
================================================  ==============================================
bool                                              True
one value only                                    nonzero (so all-0 is empty, all-1 is full)
exactly two values (0/1, 0/255, labels == k, …)   the higher value
integers of many values, ``uint8`` / PIL L, RGB   ≥ 128 (grey level; RGB is read as its luminance)
integers of many values, ``uint16`` / PIL I;16    ≥ 32768
integers of many values, other types / PIL I      nonzero (a label image: every label is edited)
floats of many values / PIL F                     ≥ 0.5 (values must be in 0..1)
RGBA / LA / P with transparency                   the alpha channel by the rows above, when alpha
                                                  varies; when it is constant (opaque exports), the
                                                  colour's luminance
================================================  ==============================================

A path or bytes is opened upright (EXIF orientation applied), like images, so it is compared with the
upright image's size.

Out again, a mask becomes a black-and-white picture in one place, :func:`mask_image` (and its PNG,
:func:`mask_to_png`): white = edit for this package's own files (the journal, the painter's browser half),
the service's polarity (a :class:`~._options.MaskPolarity` setting, black = edit by default) for payloads.

Example:
    >>> import numpy as np
    >>> reading = read_mask(np.array([[0, 1], [1, 1]], np.uint8))
    >>> reading.edit.sum(), reading.described
    (np.int64(3), 'values {0, 1}: read as 1 = edit')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image

from ._errors import InputError
from ._intake import decode_bytes, upright
from ._options import MaskPolarity
from ._pixels import check_has_pixels
from ._png import encode_png

__all__ = ["MaskArray", "MaskReading", "check_mask_size", "mask_image", "mask_to_png", "read_mask"]

MaskArray: TypeAlias = "npt.NDArray[np.bool_]"


@dataclass(frozen=True)
class MaskReading:
    """A mask as read: ``edit`` (True = edit), what it held (``saw``) and the rule applied (``rule``)."""

    edit: MaskArray
    saw: str
    rule: str

    @property
    def described(self) -> str:
        """``"values {0, 1}: read as 1 = edit"``: what error messages say."""
        return f"{self.saw}: {self.rule}"


def read_mask(source: Any, *, field: str = "mask") -> MaskReading:
    """Read a mask from a bool/number array, a PIL image, a path or encoded bytes by the module's rule."""
    if isinstance(source, np.ndarray):
        arr = np.asarray(source)
        if arr.ndim == 3 and arr.shape[2] == 1:
            arr = arr[:, :, 0]
        if arr.ndim != 2:
            raise InputError(field, f"an array of shape {arr.shape}", "a 2-D (H, W) array")
        return _read_values(arr, field, "")
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, bytes | bytearray | memoryview):
        image = decode_bytes(bytes(source), field=field)
    elif isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if not path.is_file():
            raise InputError(field, str(source), "an existing mask image file", reason="no such file")
        image = decode_bytes(path.read_bytes(), field=field)
    else:
        raise InputError(field, type(source).__name__, "a bool/number array, PIL image, path or bytes")
    return _read_image(upright(image), field)


def check_mask_size(mask: MaskArray, size: tuple[int, int], *, field: str = "mask") -> MaskArray:
    """Return ``mask`` when it is ``size`` (the upright image's ``(width, height)``); else the one error
    every layer gives for it (the painter, the inputs, the client).

    Example:
        >>> import numpy as np
        >>> try:
        ...     check_mask_size(np.zeros((2, 3), bool), (2, 3))
        ... except InputError as err:
        ...     print(err.reason)
        the mask is 3×2 but the image is 2×3 (upright)
    """
    height, width = mask.shape[:2]
    if (width, height) != tuple(size):
        raise InputError(
            field,
            f"{width}×{height}",
            f"the image's size, {size[0]}×{size[1]}",
            reason=f"the mask is {width}×{height} but the image is {size[0]}×{size[1]} (upright)",
        )
    return mask


def _read_image(image: Image.Image, field: str) -> MaskReading:
    check_has_pixels(image.size, field)
    mode = image.mode
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
        mode = image.mode
    if mode in ("RGBA", "LA", "La", "PA", "RGBa"):
        if mode == "La":
            image = image.convert("LA")
        alpha = np.asarray(image.getchannel("A"))
        if alpha.min() != alpha.max():
            return _read_values(alpha, field, f"{mode} alpha ")
        colour = image.convert("RGB").convert("L")
        return _read_values(np.asarray(colour), field, f"{mode} (constant alpha) luminance ")
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F", "L"):
        return _read_values(np.asarray(image), field, f"mode {mode} ")
    if mode == "1":
        return _read_values(np.asarray(image, dtype=bool), field, "mode 1 ")
    return _read_values(np.asarray(image.convert("RGB").convert("L")), field, f"{mode} luminance ")


def _read_values(arr: npt.NDArray[Any], field: str, what: str) -> MaskReading:
    check_has_pixels((arr.shape[1], arr.shape[0]), field)
    if arr.dtype == np.bool_:
        return MaskReading(np.array(arr, dtype=np.bool_), f"{what}bool", "read as True = edit")
    kind = arr.dtype.kind
    if kind not in "iuf":
        raise InputError(field, f"an array of dtype {arr.dtype}", "bool, integer or float values")
    if kind == "f" and not np.isfinite(arr).all():
        raise InputError(field, "a float mask with NaN or infinity", "finite numbers")
    lo, hi = arr.min(), arr.max()
    slo, shi = _num(lo), _num(hi)
    if lo == hi:
        edit = np.full(arr.shape, bool(hi != 0))
        return MaskReading(edit, f"{what}values {{{shi}}}", "read as nonzero = edit")
    high = arr == hi
    if ((arr == lo) | high).all():
        return MaskReading(high, f"{what}values {{{slo}, {shi}}}", f"read as {shi} = edit")
    saw = f"{what}values {slo}..{shi}"
    if kind == "f":
        if lo < 0 or hi > 1:
            raise InputError(
                field,
                f"a float mask with {saw}",
                "floats in 0..1 (≥ 0.5 = edit), or exactly two values",
                reason=f"float masks of many values are read as 0..1, and this one holds {saw}",
            )
        return MaskReading(np.asarray(arr >= 0.5), saw, "read as ≥ 0.5 = edit")
    if arr.dtype == np.uint8:
        return MaskReading(np.asarray(arr >= 128), saw, "read as ≥ 128 = edit")
    if arr.dtype == np.uint16:
        return MaskReading(np.asarray(arr >= 32768), saw, "read as ≥ 32768 = edit")
    return MaskReading(np.asarray(arr != 0), saw, "read as nonzero = edit")


def _num(value: Any) -> str:
    number = value.item() if hasattr(value, "item") else value
    return f"{number:g}" if isinstance(number, float) else str(number)


def mask_image(mask: MaskArray, polarity: MaskPolarity, *, bits: Literal[1, 8] = 8) -> Image.Image:
    """The boolean ``mask`` (True = edit) as a black-and-white picture, edit white or black by ``polarity``.

    ``bits=8``: mode ``L``, 0 and 255 (what the service and the journal get); ``bits=1``: mode ``1``, one
    bit a pixel (what the painter's browser half reads and writes; packed, so a 4096² mask is 2 MiB).

    Example:
        >>> import numpy as np
        >>> mask = np.array([[True, False]])
        >>> np.asarray(mask_image(mask, MaskPolarity.BLACK_IS_EDIT)).tolist()
        [[0, 255]]
        >>> mask_image(mask, MaskPolarity.WHITE_IS_EDIT, bits=1).mode
        '1'
    """
    white = np.asarray(mask, dtype=bool)
    if white.ndim != 2:
        raise ValueError(f"a mask is a 2-D (H, W) array, not one of shape {white.shape}")
    if polarity is MaskPolarity.BLACK_IS_EDIT:
        white = ~white
    if bits == 1:
        height, width = white.shape
        packed = np.packbits(white, axis=1)  # rows padded to whole bytes, most significant bit first
        return Image.frombytes("1", (width, height), packed.tobytes())
    return Image.fromarray(white.astype(np.uint8) * np.uint8(255))


def mask_to_png(
    mask: MaskArray,
    polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT,
    *,
    bits: Literal[1, 8] = 8,
    compress_level: int = 9,
) -> bytes:
    """:func:`mask_image` as PNG bytes; by default the service's default polarity (black = edit), 8-bit.

    Example:
        >>> import io, numpy as np
        >>> png = mask_to_png(np.eye(4, dtype=bool), MaskPolarity.WHITE_IS_EDIT)
        >>> Image.open(io.BytesIO(png)).getpixel((0, 0))
        255
    """
    return encode_png(mask_image(mask, polarity, bits=bits), compress_level=compress_level)
