"""Images and masks in: from PIL images, numpy arrays, paths, bytes or URLs to the service's strings.

A URL (``https://...``) or a ``data:`` URI passes through untouched. A local image becomes a lossless PNG
data URI, checked against :class:`PayloadLimits` (the limits the vendor's own tools apply to data URIs),
with a clear error when it is too big rather than silent downscaling; pass ``uploader=`` to host files
elsewhere and send their URLs instead.

Masks: inside this package a mask is a boolean array, ``True`` = edit. Only :func:`mask_to_png` turns it
into the service's polarity (black = edit by default, a :class:`MaskPolarity` setting).

Example:
    >>> import numpy as np
    >>> from PIL import Image
    >>> img = Image.new("RGB", (64, 48), "white")
    >>> mask = np.zeros((48, 64), bool); mask[10:20, 10:30] = True
    >>> check_mask(mask, img.size).sum()
    np.int64(200)
    >>> image_payload(img).startswith("data:image/png;base64,")
    True
"""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
from PIL import Image

from .errors import InputError
from .options import MaskPolarity

__all__ = [
    "DEFAULT_LIMITS",
    "ImageSource",
    "MaskArray",
    "MaskSource",
    "PayloadLimits",
    "Uploader",
    "check_mask",
    "data_uri",
    "decode_image",
    "encode_png",
    "image_payload",
    "is_remote",
    "load_image",
    "load_mask",
    "mask_payload",
    "mask_to_png",
    "png_payload",
]

ImageSource: TypeAlias = "Image.Image | npt.NDArray[Any] | str | os.PathLike[str] | bytes"
"""Anything an image can be given as: PIL image, numpy array, path, encoded bytes, or URL string."""
MaskSource: TypeAlias = "Image.Image | npt.NDArray[Any] | str | os.PathLike[str] | bytes"
"""Anything a mask can be given as; True / white / opaque = edit."""
MaskArray: TypeAlias = "npt.NDArray[np.bool_]"
Uploader: TypeAlias = "Callable[[bytes, str], str]"
"""``uploader(png_bytes, filename) -> public https URL``: a hook for users who host files elsewhere."""

_MiB = 1024 * 1024


@dataclass(frozen=True)
class PayloadLimits:
    """Limits on local images sent as data URIs (the vendor's ComfyUI nodes use these numbers)."""

    max_png_bytes: int = 6 * _MiB
    max_pixels: int = 32_000_000
    max_request_bytes: int = 64 * _MiB


DEFAULT_LIMITS = PayloadLimits()


def is_remote(value: object) -> bool:
    """True for strings that are sent as they are: http(s) URLs and ``data:`` URIs."""
    if not isinstance(value, str):
        return False
    head = value[:8].lower()
    return head.startswith(("http://", "https://", "data:"))


def load_image(
    source: ImageSource, *, field: str = "image", limits: PayloadLimits = DEFAULT_LIMITS
) -> Image.Image:
    """Open a local image (PIL, numpy array, path or encoded bytes) without changing its pixels.

    Arrays may be ``uint8``/``uint16``/``bool``/float in ``[0, 1]``, shaped ``(H, W)``, ``(H, W, 3)`` or
    ``(H, W, 4)``. URLs are not fetched here (they are passed to the service as they are).
    """
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = _array_to_image(source, field)
    elif isinstance(source, bytes | bytearray | memoryview):
        image = _open_bytes(bytes(source), field, limits)
    elif isinstance(source, str | os.PathLike):
        if is_remote(source):
            raise InputError(
                field,
                source,
                "a local image (PIL, array, path or bytes)",
                reason="this is a URL; it is sent to the service as it is and not opened locally",
            )
        path = Path(source).expanduser()
        if not path.is_file():
            raise InputError(field, str(source), "an existing image file", reason="no such file")
        image = _open_bytes(path.read_bytes(), field, limits)
    else:
        raise InputError(field, type(source).__name__, "a PIL image, numpy array, path, bytes or URL")
    _check_pixels(image.size, field, limits)
    return image


def _open_bytes(data: bytes, field: str, limits: PayloadLimits) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        _check_pixels(image.size, field, limits)  # before decoding: refuses decompression bombs
        image.load()
    except InputError:
        raise
    # DecompressionBombWarning: Pillow only warns between its 89 and 179 megapixels (an error where
    # warnings are errors); either way such an image is far over this package's default limit
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(
            field,
            f"<{len(data)} bytes>",
            "PNG, JPEG, WebP or another image Pillow reads",
            reason=f"not a readable image ({exc.__class__.__name__})",
        ) from None
    return image


def _check_pixels(size: tuple[int, int], field: str, limits: PayloadLimits) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise InputError(field, size, "an image at least 1×1 pixels")
    if width * height > limits.max_pixels:
        raise InputError(
            field,
            f"{width}×{height}",
            f"at most {limits.max_pixels / 1e6:.0f} megapixels",
            reason=f"{width}×{height} = {width * height / 1e6:.1f} megapixels is too large",
        )


def _array_to_image(array: npt.NDArray[Any], field: str) -> Image.Image:
    arr = np.asarray(array)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise InputError(field, f"array of shape {arr.shape}", "shape (H, W), (H, W, 3) or (H, W, 4)")
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype == np.uint16:
        arr = (arr >> 8).astype(np.uint8)
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all() or arr.min() < 0.0 or arr.max() > 1.0:
            raise InputError(field, f"float array in [{arr.min()}, {arr.max()}]", "floats in [0, 1]")
        arr = np.rint(arr * 255.0).astype(np.uint8)
    elif arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.integer) and arr.min() >= 0 and arr.max() <= 255:
            arr = arr.astype(np.uint8)
        else:
            raise InputError(field, f"array of dtype {arr.dtype}", "uint8, uint16, bool or floats in [0, 1]")
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[1 if arr.ndim == 2 else arr.shape[2]] if arr.ndim == 3 else "L"
    return Image.fromarray(np.ascontiguousarray(arr), mode=mode)


def encode_png(image: Image.Image, *, compress_level: int = 6) -> bytes:
    """Encode losslessly as PNG, keeping RGB, RGBA or L (palette and 16-bit modes become RGB(A))."""
    if image.mode not in ("RGB", "RGBA", "L", "LA", "1"):
        has_alpha = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def data_uri(png: bytes, mime: str = "image/png") -> str:
    """``data:image/png;base64,...`` for the given bytes."""
    return f"data:{mime};base64,{base64.b64encode(png).decode('ascii')}"


def png_payload(
    png: bytes, field: str, limits: PayloadLimits = DEFAULT_LIMITS, uploader: Uploader | None = None
) -> str:
    """Send already-encoded PNG bytes: through ``uploader`` when given, else as a size-checked data URI."""
    if uploader is not None:
        url = uploader(png, f"{field}.png")
        if not isinstance(url, str) or not url.lower().startswith(("https://", "http://")):
            raise InputError(field, url, "the uploader to return an http(s) URL")
        return url
    if len(png) > limits.max_png_bytes:
        raise InputError(
            field,
            f"{len(png) / _MiB:.1f} MiB PNG",
            f"a PNG of at most {limits.max_png_bytes / _MiB:.0f} MiB",
            reason=f"the image is {len(png) / _MiB:.1f} MiB as lossless PNG, too large to send inline; "
            "downscale it, or pass uploader= to host it and send its URL",
        )
    return data_uri(png)


def image_payload(
    source: ImageSource,
    *,
    limits: PayloadLimits = DEFAULT_LIMITS,
    uploader: Uploader | None = None,
    field: str = "image",
) -> str:
    """The string sent as ``image``: a URL or data URI as given, or a lossless PNG data URI."""
    if isinstance(source, str) and is_remote(source):
        return source
    return png_payload(encode_png(load_image(source, field=field, limits=limits)), field, limits, uploader)


def load_mask(source: MaskSource, *, field: str = "mask") -> MaskArray:
    """A boolean array, True = edit, from a bool/number array or an image.

    Arrays: bool as is; numbers > 0.5 (floats) or ≥ 128 (integers) are edit. Images: with an alpha channel
    (RGBA/LA), opaque (alpha ≥ 128) is edit; otherwise white (luminance ≥ 128) is edit.
    """
    if isinstance(source, np.ndarray):
        arr = np.asarray(source)
        if arr.ndim == 3 and arr.shape[2] == 1:
            arr = arr[:, :, 0]
        if arr.ndim != 2:
            raise InputError(field, f"array of shape {arr.shape}", "a 2-D (H, W) array")
        if arr.dtype == np.bool_:
            return np.array(arr, dtype=np.bool_)
        if np.issubdtype(arr.dtype, np.floating):
            return np.asarray(arr > 0.5)
        if np.issubdtype(arr.dtype, np.integer):
            return np.asarray(arr >= 128)
        raise InputError(field, f"array of dtype {arr.dtype}", "bool, integer or float values")
    if isinstance(source, str) and is_remote(source):
        raise InputError(field, source, "a local mask (array, PIL image, path or bytes)")
    image = load_image(source, field=field)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        alpha = np.asarray(image.convert("RGBA").getchannel("A"))
        return np.asarray(alpha >= 128)
    return np.asarray(np.asarray(image.convert("L")) >= 128)


def check_mask(mask: MaskSource, size: tuple[int, int] | None, *, field: str = "mask") -> MaskArray:
    """Load ``mask`` and check it is usable: same size as the image (when known) and partial.

    The service rejects masks that edit nothing or everything, so both are refused here first.
    """
    arr = load_mask(mask, field=field)
    height, width = arr.shape
    if size is not None and (width, height) != tuple(size):
        raise InputError(
            field,
            f"{width}×{height}",
            f"the image's size, {size[0]}×{size[1]}",
            reason=f"the mask is {width}×{height} but the image is {size[0]}×{size[1]}",
        )
    count = int(arr.sum())
    if count == 0:
        raise InputError(
            field,
            "an empty mask",
            "a partial mask",
            reason="the mask marks nothing to edit; paint the area to change",
        )
    if count == arr.size:
        raise InputError(
            field,
            "a full mask",
            "a partial mask",
            reason="the mask covers the whole image; leave some of it unmasked",
        )
    return arr


def mask_to_png(mask: MaskArray, polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT) -> bytes:
    """The mask as a 1-channel PNG in the service's polarity (edit = black by default)."""
    edit, keep = (0, 255) if polarity is MaskPolarity.BLACK_IS_EDIT else (255, 0)
    pixels = np.where(np.asarray(mask, dtype=bool), np.uint8(edit), np.uint8(keep)).astype(np.uint8)
    return encode_png(Image.fromarray(pixels, mode="L"), compress_level=9)


def mask_payload(
    mask: MaskSource,
    size: tuple[int, int] | None,
    *,
    polarity: MaskPolarity = MaskPolarity.BLACK_IS_EDIT,
    limits: PayloadLimits = DEFAULT_LIMITS,
    uploader: Uploader | None = None,
) -> str:
    """The string sent as ``mask``: a URL or data URI as given, or a checked mask as a PNG data URI."""
    if isinstance(mask, str) and is_remote(mask):
        return mask
    return png_payload(mask_to_png(check_mask(mask, size), polarity), "mask", limits, uploader)


def decode_image(
    data: bytes, *, max_pixels: int = DEFAULT_LIMITS.max_pixels, field: str = "result"
) -> Image.Image:
    """Decode a downloaded image fully, refusing non-images and images over ``max_pixels`` (bombs)."""
    return load_image(data, field=field, limits=PayloadLimits(max_pixels=max_pixels))
