"""The reframe framing preview: where the whole source sits inside the chosen output, and what is generated.

Drawn with ipycanvas in one batch per change (never per pointer move). The canvas is transparent and its
colours are greys and a blue that read on light and dark themes alike (a canvas cannot read the theme's
CSS variables from the kernel); the caption is HTML under it (``caption``), in the theme's own text colour.

Example:
    >>> from ideogram_widgets.samples import sample_image
    >>> preview = FramingPreview(sample_image(), "1536x640")
    >>> preview.placement  # the 768×512 sample fitted into 1536×640
    (288, 0, 960, 640)
"""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
from ipycanvas import Canvas, hold_canvas
from PIL import Image

from ..api.resolution import Resolution

__all__ = ["FramingPreview"]

# mid-grey at low opacity tints whatever the theme puts behind the canvas, lighter or darker alike
_GENERATED = "rgba(128, 128, 128, 0.16)"
_HATCH = "rgba(128, 128, 128, 0.45)"
_FRAME = "rgba(128, 128, 128, 0.95)"
_SOURCE_EDGE = "#2196f3"


class FramingPreview(Canvas):
    """A canvas showing the output frame of a reframe: the source fitted and centred, the generated
    margins hatched; ``caption`` (an HTML widget to show under it) says the output size and how much is
    generated.

    ``show(resolution)`` redraws for another resolution; ``set_source(image)`` for another image.
    """

    def __init__(
        self,
        source: Image.Image,
        resolution: Resolution | str | tuple[int, int],
        *,
        width: int = 360,
        height: int = 260,
    ) -> None:
        super().__init__(width=width, height=height)
        self.caption = w.HTML()
        self.caption.add_class("iw-framing-caption")
        self.add_class("iw-framing")
        self.layout.width = f"{width}px"
        self.max_height = height
        self._canvas_height = height
        self._source = source
        self._thumb_cache: dict[tuple[int, int], np.ndarray] = {}
        self.resolution = Resolution.parse(resolution)
        self.placement = self.resolution.placement(source.size)
        self.show(self.resolution)

    def set_source(self, source: Image.Image) -> None:
        """Use another source image and redraw."""
        self._source = source
        self._thumb_cache.clear()
        self.show(self.resolution)

    def _thumb(self, size: tuple[int, int]) -> np.ndarray:
        if size not in self._thumb_cache:
            thumb = self._source.convert("RGB").resize(size, Image.Resampling.BILINEAR)
            self._thumb_cache = {size: np.asarray(thumb)}
        return self._thumb_cache[size]

    def show(self, resolution: Resolution | str | tuple[int, int]) -> None:
        """Redraw the preview for ``resolution``."""
        self.resolution = res = Resolution.parse(resolution)
        self.placement = left, top, pw, ph = res.placement(self._source.size)
        footer = 0
        scale = min((self.width - 8) / res.width, (self.max_height - footer - 8) / res.height)
        fw, fh = max(1, round(res.width * scale)), max(1, round(res.height * scale))
        ox, oy = (self.width - fw) // 2, 4
        wanted = fh + footer + 8
        if self._canvas_height != wanted:  # the canvas hugs the frame: no empty band under a wide one
            self._canvas_height = wanted
            self.set_trait("height", wanted)
            self.layout.height = f"{wanted}px"
        sx, sy = ox + round(left * scale), oy + round(top * scale)
        sw, sh = max(1, round(pw * scale)), max(1, round(ph * scale))
        with hold_canvas():
            self.clear()
            self.fill_style = _GENERATED
            self.fill_rect(ox, oy, fw, fh)
            self.stroke_style = _HATCH
            self.line_width = 1
            self.begin_path()
            for d in range(-fh, fw, 10):
                self.move_to(ox + max(d, 0), oy + max(-d, 0))
                end = min(fw, d + fh)
                self.line_to(ox + end, oy + end - d)
            self.stroke()
            self.put_image_data(self._thumb((sw, sh)), sx, sy)
            self.stroke_style = _SOURCE_EDGE
            self.line_width = 2
            self.stroke_rect(sx, sy, sw, sh)
            self.stroke_style = _FRAME
            self.line_width = 1
            self.stroke_rect(ox, oy, fw, fh)
        generated = 1.0 - (pw * ph) / (res.width * res.height)
        self.caption.value = (
            f"<span class='iw-muted'>output {html.escape(res.label)} · generated area {generated:.0%}</span>"
        )
