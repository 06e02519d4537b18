"""The door every image comes in by: upright, sRGB, 8-bit — once.

:func:`open_image` takes a PIL image, a numpy array, a path or encoded bytes (a downloaded URL is bytes)
and returns what the rest of the package works with: the picture as viewers show it (EXIF orientation
applied with ``ImageOps.exif_transpose``), its colours converted from an embedded ICC profile (phones shoot
Display P3; CMYK files carry press profiles) to sRGB, in mode ``L``, ``RGB`` or ``RGBA`` (see
:mod:`._pixels`). The result has no orientation tag and no profile left, so opening it again changes
nothing.

HEIC/HEIF (iPhone photos) open when the optional ``pillow-heif`` plugin is installed
(``pip install "ideogram-widgets[heif]"``); it is registered the first time such a file arrives. AVIF opens
with Pillow's own plugin where Pillow was built with it.

Example:
    >>> from PIL import Image
    >>> img = Image.new("RGB", (40, 30), "white")
    >>> exif = Image.Exif(); exif[0x0112] = 6          # "rotate 90° clockwise to view"
    >>> img.info["exif"] = exif.tobytes()
    >>> open_image(img).size
    (30, 40)
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageCms, ImageOps

from ._errors import InputError
from ._pixels import check_has_pixels, to_8bit

__all__ = ["HEIF_EXTRA", "check_size", "decode_bytes", "looks_like_heif", "open_image", "upright"]

HEIF_EXTRA = 'pip install "ideogram-widgets[heif]"'
"""What to install for HEIC/HEIF (iPhone) photos."""

_HEIF_BRANDS = (b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")
_SRGB = ImageCms.createProfile("sRGB")
_heif_registered: bool | None = None  # None: not tried yet


def looks_like_heif(data: bytes) -> bool:
    """True for bytes of an ISO-BMFF image (HEIC, HEIF, AVIF): ``ftyp`` box with an image brand."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _register_heif() -> bool:
    global _heif_registered
    if _heif_registered is None:
        try:
            import pillow_heif  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            _heif_registered = False
        else:
            pillow_heif.register_heif_opener()
            _heif_registered = True
    return _heif_registered


def open_image(source: Any, *, field: str = "image", max_pixels: int | None = None) -> Image.Image:
    """The upright, sRGB, 8-bit image of a PIL image, numpy array, path or encoded bytes.

    ``max_pixels`` refuses larger images (files before they are decoded: no decompression bombs).
    Raises :class:`InputError` naming ``field`` for anything unusable.
    """
    if isinstance(source, Image.Image):
        image = source
    elif isinstance(source, np.ndarray):
        image = to_8bit(source, field=field)
    elif isinstance(source, bytes | bytearray | memoryview):
        image = decode_bytes(bytes(source), field=field, max_pixels=max_pixels)
    elif isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if not path.is_file():
            raise InputError(field, str(source), "an existing image file", reason="no such file")
        image = decode_bytes(path.read_bytes(), field=field, max_pixels=max_pixels)
    else:
        raise InputError(field, type(source).__name__, "a PIL image, numpy array, path, bytes or URL")
    check_size(image.size, field, max_pixels)
    return _standardise(image, field)


def check_size(size: tuple[int, int], field: str, max_pixels: int | None) -> None:
    """Refuse images with no pixels (:func:`~._pixels.check_has_pixels`), or (when given) more than
    ``max_pixels``."""
    check_has_pixels(size, field)
    width, height = size
    if max_pixels is not None and width * height > max_pixels:
        raise InputError(
            field,
            f"{width}×{height}",
            f"at most {max_pixels / 1e6:.0f} megapixels",
            reason=f"{width}×{height} = {width * height / 1e6:.1f} megapixels is too large",
        )


def decode_bytes(data: bytes, *, field: str = "image", max_pixels: int | None = None) -> Image.Image:
    """Decode encoded image bytes fully (not yet upright or sRGB: :func:`open_image` does that)."""
    if looks_like_heif(data) and not data[8:12].startswith(b"avi") and not _register_heif():
        raise InputError(
            field,
            f"<{len(data)} bytes of HEIC/HEIF>",
            "PNG, JPEG, WebP, or HEIC with its plugin installed",
            reason=f"HEIC/HEIF photos need the optional plugin: {HEIF_EXTRA}",
        )
    try:
        image = Image.open(io.BytesIO(data))
        check_size(image.size, field, max_pixels)  # before decoding: refuses decompression bombs
        image.load()
    except InputError:
        raise
    # DecompressionBombWarning: Pillow only warns between its 89 and 179 megapixels (an error where
    # warnings are errors); either way such an image is far over this package's default limit
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        if looks_like_heif(data) and not _register_heif():
            reason = f"AVIF/HEIF needs a plugin: {HEIF_EXTRA}"
        else:
            reason = f"not a readable image ({exc.__class__.__name__})"
        raise InputError(
            field, f"<{len(data)} bytes>", "PNG, JPEG, WebP or another image Pillow reads", reason=reason
        ) from None
    return image


def _standardise(image: Image.Image, field: str) -> Image.Image:
    turned = upright(image)
    srgb = _to_srgb(turned, field)
    out = to_8bit(srgb, field=field)
    if out is image:
        return image
    for key in ("exif", "icc_profile"):  # applied: a second pass must not apply them again
        out.info.pop(key, None)
    return out


def upright(image: Image.Image) -> Image.Image:
    """``image`` as viewers show it: its EXIF orientation applied (the same image when it has none)."""
    try:
        orientation = image.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):  # a broken EXIF block: show the pixels as stored
        return image
    if orientation in (None, 1):
        return image
    turned = ImageOps.exif_transpose(image)
    return turned if turned is not None else image


def _to_srgb(image: Image.Image, field: str) -> Image.Image:
    icc = image.info.get("icc_profile")
    if not icc:
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        if ImageCms.getProfileDescription(profile).strip().lower().startswith("srgb"):
            return _without_profile(image)
        if image.mode in ("RGB", "CMYK"):
            converted = ImageCms.profileToProfile(
                image, profile, _SRGB, outputMode="RGB", renderingIntent=ImageCms.Intent.PERCEPTUAL
            )
        elif image.mode == "RGBA":
            converted = ImageCms.profileToProfile(image.convert("RGB"), profile, _SRGB, outputMode="RGB")
            assert converted is not None
            converted.putalpha(image.getchannel("A"))
        else:  # grey (a grey profile), 16-bit, palette…: converted as pixels only
            return _without_profile(image)
    except (OSError, ValueError, ImageCms.PyCMSError):  # an unreadable profile: keep the pixels as they are
        return _without_profile(image)
    assert converted is not None
    converted.info.pop("icc_profile", None)
    return converted


def _without_profile(image: Image.Image) -> Image.Image:
    if "icc_profile" not in image.info:
        return image
    copy = image.copy()
    copy.info.pop("icc_profile", None)
    return copy
