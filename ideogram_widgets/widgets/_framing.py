"""The reframe framing preview: where the whole source sits inside the chosen output, and what is generated.

An inline SVG in an HTML widget, redrawn once per change (never per pointer move). Its colours are the
theme's CSS variables, so it reads in Light, Dark and high-contrast themes alike; the caption under it
(``caption``) is HTML text in the theme's colour. (It was an ipycanvas canvas: that canvas takes focus and
swallows every key, Tab included — a keyboard trap — and cannot read the theme's colours.)

Example:
    >>> from ideogram_widgets.samples import sample_image
    >>> preview = FramingPreview(sample_image(), "1536x640")
    >>> preview.placement  # the 768×512 sample fitted into 1536×640
    (288, 0, 960, 640)
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w
from PIL import Image

from ..api import Resolution
from ..api._png import encode_png

__all__ = ["FramingPreview"]

_HATCH = (
    '<pattern id="{id}" width="10" height="10" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
    '<line x1="0" y1="0" x2="0" y2="10" style="stroke:var(--jp-border-color1,#bdbdbd);stroke-width:1.5"/>'
    "</pattern>"
)


class FramingPreview(w.HTML):
    """The output frame of a reframe: the source fitted and centred, the generated margins hatched;
    ``caption`` (an HTML widget to show under it) says the output size and how much is generated.

    ``show(resolution)`` redraws for another resolution; ``set_source(image)`` for another image.
    """

    _count = 0

    def __init__(
        self,
        source: Image.Image,
        resolution: Resolution | str | tuple[int, int],
        *,
        width: int = 360,
        height: int = 260,
    ) -> None:
        super().__init__()
        FramingPreview._count += 1
        self._pattern = f"iw-hatch-{FramingPreview._count}"
        self.caption = w.HTML()
        self.caption.add_class("iw-framing-caption")
        self.add_class("iw-framing")
        self.width, self.max_height = width, height
        self._source = source
        self._thumb_cache: dict[tuple[int, int], str] = {}
        self.resolution = Resolution.parse(resolution)
        self.placement = self.resolution.placement(source.size)
        self.show(self.resolution)

    def set_source(self, source: Image.Image) -> None:
        """Use another source image and redraw."""
        self._source = source
        self._thumb_cache.clear()
        self.show(self.resolution)

    def _thumb(self, size: tuple[int, int]) -> str:
        if size not in self._thumb_cache:
            thumb = self._source.convert("RGB").resize(size, Image.Resampling.BILINEAR)
            data = base64.b64encode(encode_png(thumb, compress_level=1)).decode("ascii")
            self._thumb_cache = {size: f"data:image/png;base64,{data}"}
        return self._thumb_cache[size]

    def show(self, resolution: Resolution | str | tuple[int, int]) -> None:
        """Redraw the preview for ``resolution``."""
        self.resolution = res = Resolution.parse(resolution)
        self.placement = left, top, pw, ph = res.placement(self._source.size)
        scale = min((self.width - 8) / res.width, (self.max_height - 8) / res.height)
        fw, fh = max(1, round(res.width * scale)), max(1, round(res.height * scale))
        sx, sy = round(left * scale), round(top * scale)
        sw, sh = max(1, round(pw * scale)), max(1, round(ph * scale))
        generated = 1.0 - (pw * ph) / (res.width * res.height)
        words = f"output {res.label} · generated area {generated:.0%}"
        pattern = self._pattern
        self.value = (
            f'<svg class="iw-framing-svg" role="img" aria-label="{html.escape(words)}: the picture in the '
            f'middle, the hatched margins are generated" width="{fw + 4}" height="{fh + 4}" '
            f'viewBox="-2 -2 {fw + 4} {fh + 4}" xmlns="http://www.w3.org/2000/svg">'
            f"<defs>{_HATCH.format(id=pattern)}</defs>"
            f'<rect x="0" y="0" width="{fw}" height="{fh}" style="fill:var(--jp-layout-color2,#eee)"/>'
            f'<rect x="0" y="0" width="{fw}" height="{fh}" fill="url(#{pattern})"/>'
            f'<image x="{sx}" y="{sy}" width="{sw}" height="{sh}" href="{self._thumb((sw, sh))}" '
            'preserveAspectRatio="none"/>'
            f'<rect x="{sx}" y="{sy}" width="{sw}" height="{sh}" '
            'style="fill:none;stroke:var(--jp-brand-color1,#1976d2);stroke-width:2"/>'
            f'<rect x="0" y="0" width="{fw}" height="{fh}" '
            'style="fill:none;stroke:var(--jp-ui-font-color2,#757575);stroke-width:1"/>'
            "</svg>"
        )
        self.caption.value = f"<span class='iw-muted'>{html.escape(words)}</span>"
