"""A built-in sample picture, drawn on the spot (no download), for demos, teaching and tests.

Example:
    >>> from ideogram_widgets.samples import sample_image
    >>> sample_image().size
    (768, 512)
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

__all__ = ["sample_image"]


def sample_image(width: int = 768, height: int = 512) -> Image.Image:
    """A small countryside scene (sky, sun, hills, a house with a red door, a tree) as an RGB image.

    The same arguments always give the same pixels.
    """
    w, h = width, height
    y = np.linspace(0.0, 1.0, h)[:, None, None]
    top, bottom = np.array([70, 130, 210]), np.array([190, 220, 245])
    sky = (top * (1 - y) + bottom * y) * np.ones((1, w, 1))
    image = Image.fromarray(sky.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h)

    draw.ellipse(box(0.74, 0.08, 0.88, 0.29), fill=(255, 214, 90))
    draw.ellipse(box(-0.3, 0.52, 0.7, 1.3), fill=(96, 160, 72))
    draw.ellipse(box(0.35, 0.58, 1.4, 1.4), fill=(74, 138, 58))
    draw.rectangle(box(0.0, 0.8, 1.0, 1.0), fill=(88, 150, 64))
    # the house
    draw.rectangle(box(0.2, 0.5, 0.46, 0.82), fill=(236, 224, 200), outline=(90, 70, 50), width=2)
    roof = [(0.18, 0.5), (0.33, 0.33), (0.48, 0.5)]
    draw.polygon([(int(x * w), int(y * h)) for x, y in roof], fill=(150, 60, 45))
    draw.rectangle(box(0.3, 0.64, 0.36, 0.82), fill=(190, 40, 40))
    draw.rectangle(box(0.39, 0.57, 0.44, 0.65), fill=(150, 200, 235), outline=(90, 70, 50), width=2)
    draw.rectangle(box(0.22, 0.57, 0.27, 0.65), fill=(150, 200, 235), outline=(90, 70, 50), width=2)
    # the tree
    draw.rectangle(box(0.66, 0.55, 0.69, 0.8), fill=(110, 80, 50))
    draw.ellipse(box(0.6, 0.36, 0.75, 0.6), fill=(50, 110, 50))
    # a little texture so inpainting has something to continue
    rng = np.random.default_rng(7)
    noise = rng.normal(0.0, 4.0, (h, w, 1))
    textured = np.clip(np.asarray(image, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(textured, "RGB").filter(ImageFilter.SMOOTH)
