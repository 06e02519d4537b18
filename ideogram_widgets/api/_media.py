"""Images and masks in: from PIL images, numpy arrays, paths, bytes or URLs to the service's strings.

A URL (``https://...``) or a ``data:`` URI is checked (a host; a data URI that decodes to an image) and then
passes through untouched. A local image comes in through :func:`~._intake.open_image` (upright, sRGB,
8-bit) and is sent at its working size (:mod:`._working`) as a lossless PNG data URI, checked against
:class:`PayloadLimits` (the limits the vendor's own tools apply to data URIs); pass ``uploader=`` to host
files elsewhere and send their URLs instead.

Masks: inside this package a mask is a boolean array, ``True`` = edit, read by the rule of :mod:`._masks`.
Only :func:`~._masks.mask_to_png` turns it into the service's polarity (black = edit by default, a
:class:`MaskPolarity` setting).

Example:
    >>> import numpy as np
    >>> from PIL import Image
    >>> img = Image.new("RGB", (64, 48), "white")
    >>> mask = np.zeros((48, 64), bool); mask[10:20, 10:30] = True
    >>> check_mask(mask, img.size).sum()
    np.int64(200)
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeAlias

import httpx
import numpy.typing as npt
from PIL import Image

from ._errors import InputError
from ._intake import decode_bytes, open_image
from ._masks import MaskArray, check_mask_size, mask_to_png, read_mask
from ._png import data_uri, encode_png

__all__ = [
    "DEFAULT_LIMITS",
    "ImageSource",
    "MaskArray",
    "MaskSource",
    "PayloadLimits",
    "Uploader",
    "check_mask",
    "check_remote",
    "data_uri",
    "decode_image",
    "encode_png",
    "image_or_url",
    "is_remote",
    "load_image",
    "load_mask",
    "mask_to_png",
    "png_payload",
]

ImageSource: TypeAlias = "Image.Image | npt.NDArray[Any] | str | os.PathLike[str] | bytes"
"""Anything an image can be given as: PIL image, numpy array, path, encoded bytes, or URL string."""
MaskSource: TypeAlias = "Image.Image | npt.NDArray[Any] | str | os.PathLike[str] | bytes"
"""Anything a mask can be given as; True / white / opaque = edit."""
Uploader: TypeAlias = "Callable[[bytes, str], str]"
"""``uploader(png_bytes, filename) -> public https URL``: a hook for users who host files elsewhere."""

_MiB = 1024 * 1024


@dataclass(frozen=True)
class PayloadLimits:
    """Limits on local images sent as data URIs (the vendor's ComfyUI nodes use these numbers)."""

    max_png_bytes: int = 6 * _MiB
    max_pixels: int = 32_000_000
    max_request_bytes: int = 64 * _MiB
    max_side: int | None = 1536
    """The largest side sent (the working size): larger local images are downscaled to it, and the
    result is put back into the full-size original. 1536 px is the longest side Ideogram 3.0 produces
    (its 69 output sizes); None sends every image at full size."""


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
    """Open a local image (PIL, numpy array, path or encoded bytes) upright, sRGB and 8-bit.

    See :mod:`._intake` (orientation, colour) and :mod:`._pixels` (which arrays and modes mean what).
    URLs are not fetched here (they are passed to the service as they are).
    """
    if isinstance(source, str) and is_remote(source):
        raise InputError(
            field,
            source,
            "a local image (PIL, array, path or bytes)",
            reason="this is a URL; it is sent to the service as it is and not opened locally",
        )
    return open_image(source, field=field, max_pixels=limits.max_pixels)


def image_or_url(
    source: ImageSource, *, field: str = "image", limits: PayloadLimits = DEFAULT_LIMITS
) -> Image.Image | str:
    """What an input holds for ``source``: a URL or data URI checked (:func:`check_remote`) and kept as
    it is, else the local image opened by :func:`load_image`.

    Example:
        >>> image_or_url("https://example.com/cat.png")
        'https://example.com/cat.png'
        >>> import numpy as np
        >>> image_or_url(np.zeros((4, 6, 3), np.uint8)).size
        (6, 4)
    """
    if isinstance(source, str) and is_remote(source):
        return check_remote(source, field=field, max_pixels=limits.max_pixels)
    return load_image(source, field=field, limits=limits)


_DATA_URI = re.compile(r"^data:(?P<mime>[^;,]*)(?P<params>(;[^;,]*)*),(?P<data>.*)$", re.S | re.I)


def check_remote(value: str, *, field: str = "image", max_pixels: int = DEFAULT_LIMITS.max_pixels) -> str:
    """Check a URL or data URI before it is sent: a URL needs a host; a data URI must be base64 of an
    image Pillow reads. Returns ``value`` unchanged."""
    if value[:5].lower() == "data:":
        match = _DATA_URI.match(value)
        if match is None or ";base64" not in match.group("params").lower():
            raise InputError(
                field, value, "a data URI like data:image/png;base64,…", reason="not a base64 data URI"
            )
        mime = match.group("mime").lower()
        if mime and not mime.startswith("image/"):
            raise InputError(
                field, value, "a data:image/… URI", reason=f"the data URI holds {mime}, not an image"
            )
        try:
            data = base64.b64decode(re.sub(r"\s+", "", match.group("data")), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(
                field, value, "valid base64 data", reason="the data URI's base64 is broken"
            ) from None
        decode_bytes(data, field=field, max_pixels=max_pixels)  # raises InputError when it is no image
        return value
    try:
        host = httpx.URL(value).host
    except (httpx.InvalidURL, TypeError):
        raise InputError(field, value, "an http(s) URL with a host", reason="not a valid URL") from None
    if not host:
        raise InputError(field, value, "an http(s) URL with a host", reason="the URL has no host")
    return value


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


def load_mask(source: MaskSource, *, field: str = "mask") -> MaskArray:
    """A boolean array, True = edit, by the rule of :mod:`._masks` (bool; two values: the higher; many
    values: half of the full scale; alpha when it varies, else luminance)."""
    if isinstance(source, str) and is_remote(source):
        raise InputError(field, source, "a local mask (array, PIL image, path or bytes)")
    return read_mask(source, field=field).edit


def check_mask(mask: MaskSource, size: tuple[int, int] | None, *, field: str = "mask") -> MaskArray:
    """Load ``mask`` and check it is usable: same size as the (upright) image when known, and partial.

    The service rejects masks that edit nothing or everything, so both are refused here first; the
    error says what the mask held and how it was read (``values {0, 1}: read as 1 = edit``).
    """
    if isinstance(mask, str) and is_remote(mask):
        raise InputError(field, mask, "a local mask (array, PIL image, path or bytes)")
    reading = read_mask(mask, field=field)
    arr = reading.edit if size is None else check_mask_size(reading.edit, size, field=field)
    count = int(arr.sum())
    if count == 0 or count == arr.size:
        empty = count == 0
        raise InputError(
            field,
            "an empty mask" if empty else "a full mask",
            "a partial mask",
            reason=(
                f"the mask marks nothing to edit ({reading.described}); paint the area to change"
                if empty
                else f"the mask covers the whole image ({reading.described}); leave some of it unmasked"
            ),
        )
    return arr


def decode_image(
    data: bytes, *, max_pixels: int = DEFAULT_LIMITS.max_pixels, field: str = "result"
) -> Image.Image:
    """Decode a downloaded image fully (upright, sRGB, 8-bit), refusing non-images and images over
    ``max_pixels`` (bombs)."""
    return open_image(data, field=field, max_pixels=max_pixels)
