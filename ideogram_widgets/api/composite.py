"""Putting an edit back into the original: the service's output, scaled to the original's size and
blended into it inside the mask (grown and feathered by a few pixels); every other pixel is the original's.

Example:
    >>> import numpy as np
    >>> from PIL import Image
    >>> original = Image.new("RGB", (80, 60), "white")
    >>> output = Image.new("RGB", (40, 30), "red")
    >>> mask = np.zeros((60, 80), bool); mask[20:40, 20:40] = True
    >>> out = put_back(original, mask, output)
    >>> out.size, out.getpixel((0, 0)), out.getpixel((30, 30))
    ((80, 60), (255, 255, 255), (255, 0, 0))
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from .media import MaskArray

__all__ = ["DEFAULT_FEATHER", "put_back"]

DEFAULT_FEATHER = 4
"""Pixels (at the original's size) by which the mask is grown, then feathered, before blending."""


def put_back(
    original: Image.Image, mask: MaskArray, output: Image.Image, *, feather: int = DEFAULT_FEATHER
) -> Image.Image:
    """The composite: ``output`` resized to ``original.size`` and blended in where ``mask`` is True.

    ``mask`` is at the original's size (True = edit). Outside the grown, feathered mask every pixel is
    the original's, bit for bit.
    """
    mode = "RGBA" if original.mode == "RGBA" else "RGB"
    base = original if original.mode == mode else original.convert(mode)
    scaled = output.convert(mode)
    if scaled.size != base.size:
        scaled = scaled.resize(base.size, Image.Resampling.LANCZOS)
    alpha = Image.fromarray(np.where(np.asarray(mask, dtype=bool), 255, 0).astype(np.uint8), mode="L")
    if feather > 0:
        alpha = alpha.filter(ImageFilter.MaxFilter(2 * feather + 1)).filter(
            ImageFilter.GaussianBlur(feather / 2)
        )
    return Image.composite(scaled, base, alpha)
