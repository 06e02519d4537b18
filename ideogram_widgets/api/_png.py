"""PNG bytes and data URIs: the one lossless encoder of the package (client, journal, painter, sandbox).

Example:
    >>> from PIL import Image
    >>> png = encode_png(Image.new("L", (4, 3)))
    >>> png[:4], data_uri(png)[:22]
    (b'\\x89PNG', 'data:image/png;base64,')
"""

from __future__ import annotations

import base64
import io

from PIL import Image

from ._intake import open_image

__all__ = ["PNG_MODES", "data_uri", "encode_png"]

PNG_MODES = ("RGB", "RGBA", "L", "1")
"""The modes written as they are; any other is made 8-bit first (:mod:`._pixels`' rule)."""


def encode_png(image: Image.Image, *, compress_level: int = 6) -> bytes:
    """Encode losslessly as PNG, keeping RGB, RGBA, L or 1 (other modes are made 8-bit first, see .pixels).

    Example:
        >>> from PIL import Image
        >>> Image.open(io.BytesIO(encode_png(Image.new("I;16", (2, 2))))).mode
        'L'
    """
    if image.mode not in PNG_MODES:
        image = open_image(image)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()


def data_uri(png: bytes, mime: str = "image/png") -> str:
    """``data:image/png;base64,...`` for the given bytes.

    Example:
        >>> data_uri(b"abc")
        'data:image/png;base64,YWJj'
    """
    return f"data:{mime};base64,{base64.b64encode(png).decode('ascii')}"
