"""Real-looking photos made at test time: phone JPEGs with EXIF orientation, a Display-P3 JPEG with its
ICC profile (built here, byte by byte), a 16-bit PNG gradient, a CMYK JPEG, HEIC when the plugin exists."""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image

PHONE = (4032, 3024)
"""A 12 MP phone sensor, as stored (landscape)."""

# Orientation tag → the transpose that turns the stored pixels upright (Pillow's exif_transpose table);
# a file is made by applying the inverse to the upright picture.
TO_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
INVERSE = {**TO_UPRIGHT, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}

QUADRANTS = {"top-left": (220, 40, 40), "top-right": (40, 200, 60), "bottom-left": (40, 60, 210)}
"""Colours of three quadrants of the upright picture (the fourth is light grey): any wrong turn shows."""


def upright_picture(size: tuple[int, int]) -> Image.Image:
    """A smooth picture whose quadrants have distinct colours, with a soft gradient (JPEG-friendly)."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.full((height, width, 3), 200, np.float32)
    left, top = x < width // 2, y < height // 2
    for name, colour in QUADRANTS.items():
        where = (top if name.startswith("top") else ~top) & (left if name.endswith("left") else ~left)
        pixels[where] = colour
    pixels += (x / width * 20)[:, :, None]  # a soft gradient, like light across a scene
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="RGB")


def phone_jpeg(upright: Image.Image, orientation: int) -> bytes:
    """The JPEG a phone writes for ``upright``: pixels as the sensor stored them, plus the EXIF tag."""
    stored = upright if orientation == 1 else upright.transpose(INVERSE[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def quadrant_colour(image: Image.Image, name: str) -> tuple[int, ...]:
    """The mean colour near the middle of a quadrant of ``image``."""
    width, height = image.size
    cx = width // 4 if name.endswith("left") else 3 * width // 4
    cy = height // 4 if name.startswith("top") else 3 * height // 4
    patch = np.asarray(image.convert("RGB"))[cy - 20 : cy + 20, cx - 20 : cx + 20].reshape(-1, 3)
    return tuple(int(v) for v in patch.mean(axis=0).round())


# ------------------------------------------------------------------ a Display P3 ICC profile, by hand

P3_D50 = np.array(  # columns: the red, green, blue colorants (XYZ, D50-adapted), as in Apple's profile
    [[0.515102, 0.291965, 0.157153], [0.241182, 0.692236, 0.066582], [-0.001050, 0.041882, 0.784378]]
)
SRGB_D50 = np.array(
    [[0.4360747, 0.3850649, 0.1430804], [0.2225045, 0.7168786, 0.0606169], [0.0139322, 0.0971045, 0.7141733]]
)
P3_GAMMA = 2.2  # the profile's curves (a plain gamma keeps the hand-built profile short)


def _s15(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ " + b"\0" * 4 + _s15(x) + _s15(y) + _s15(z)


def display_p3_profile() -> bytes:
    """An ICC v2 matrix/TRC RGB profile with Display P3's primaries and a 2.2 gamma."""
    desc_text = b"Display P3 (test)\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(desc_text)) + desc_text + b"\0" * 12 + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 1) + struct.pack(">H", round(P3_GAMMA * 256)) + b"\0\0"
    tags = [
        (b"desc", desc),
        (b"wtpt", _xyz(0.9642, 1.0, 0.8249)),
        (b"rXYZ", _xyz(*P3_D50[:, 0])),
        (b"gXYZ", _xyz(*P3_D50[:, 1])),
        (b"bXYZ", _xyz(*P3_D50[:, 2])),
        (b"rTRC", curve),
        (b"gTRC", curve),
        (b"bTRC", curve),
        (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0"),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for signature, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    body = struct.pack(">I", len(tags)) + table + data
    size = 128 + len(body)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + bytes([2, 0x10, 0, 0])
        + b"mntrRGB XYZ "
        + b"\0" * 12
        + b"acsp"
        + b"APPL"
        + b"\0" * 4
        + b"\0" * 8
        + b"\0" * 8
        + b"\0" * 4
        + _s15(0.9642)
        + _s15(1.0)
        + _s15(0.8249)
        + b"\0" * 4
        + b"\0" * 16
        + b"\0" * 28
    )
    assert len(header) == 128
    return header + body


def p3_to_srgb(rgb: tuple[int, int, int]) -> np.ndarray:
    """What a colour-managed viewer shows for the P3 pixel ``rgb``, in sRGB 0..255 (computed here)."""
    linear = (np.asarray(rgb, float) / 255) ** P3_GAMMA
    srgb_linear = np.clip(np.linalg.solve(SRGB_D50, P3_D50 @ linear), 0, 1)
    encoded = np.where(
        srgb_linear <= 0.0031308, 12.92 * srgb_linear, 1.055 * srgb_linear ** (1 / 2.4) - 0.055
    )
    return np.asarray(encoded * 255)


def p3_jpeg(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    """A JPEG filled with the P3 ``colour`` and carrying the Display P3 profile."""
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=95, icc_profile=display_p3_profile())
    return buf.getvalue()


def gradient_png16(size: tuple[int, int]) -> bytes:
    """A 16-bit greyscale PNG: black at the left edge to white at the right."""
    width, height = size
    row = np.linspace(0, 65535, width).round().astype(np.uint16)
    buf = io.BytesIO()
    Image.fromarray(np.tile(row, (height, 1))).save(buf, "PNG")
    return buf.getvalue()


def cmyk_jpeg(size: tuple[int, int]) -> bytes:
    """A CMYK JPEG: the left half pure magenta + yellow (red), the right half pure cyan."""
    width, height = size
    image = Image.new("CMYK", size, (255, 0, 0, 0))
    image.paste((0, 255, 255, 0), (0, 0, width // 2, height))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=95)
    return buf.getvalue()
