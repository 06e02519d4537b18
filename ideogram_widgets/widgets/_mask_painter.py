"""MaskPainter: draw an inpainting mask on an image in the browser, at the image's full resolution.

All drawing happens in the browser (``js/src``): brush, eraser, rectangle, ellipse, lasso/polygon,
magic wand, grow/shrink, invert, clear, fill, unlimited undo/redo, zoom and pan, all of it from the
keyboard too. The kernel hears about the mask once per finished
stroke, as a 1-bit PNG the size of the image, never once per pointer move.

Example:
    >>> from ideogram_widgets.samples import sample_image
    >>> painter = MaskPainter(sample_image())  # the last line of a cell: draw on it in the notebook
    >>> painter.coverage
    0.0
    >>> area = painter.mask_array  # a copy, True = edit
    >>> area[100:200, 50:300] = True
    >>> painter.mask = area  # shown in the browser, where Ctrl+Z undoes it
    >>> round(painter.coverage, 4)
    0.0636
    >>> painter.mask.mode, painter.mask.size
    ('L', (768, 512))
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anywidget
import numpy as np
import traitlets
from ipywidgets.widgets.widget import CallbackDispatcher
from PIL import Image

from ..api import MaskPolarity
from ..api._masks import check_mask_size, mask_image
from ..api._media import ImageSource, MaskArray, MaskSource, load_image, load_mask
from ._mask_codec import DISPLAY_MAX_SIDE, DisplayCopy, decode_mask, display_copy, encode_mask, png_size

__all__ = ["TOOLS", "MaskPainter"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
"""Where the package build puts the browser bundles (built, not committed)."""
_BUNDLE = STATIC_DIR / "mask_painter.js"
_STYLES = STATIC_DIR / "mask_painter.css"

TOOLS = ("brush", "eraser", "rectangle", "ellipse", "lasso", "wand")
"""The drawing tools, as the ``tool`` trait spells them."""

_MASK_KEYS = ("mask_png", "mask_version", "coverage")


def _bytes_from_json(value: Any, _widget: object) -> bytes:
    # the browser's bytes arrive as memoryview; a plain Bytes trait would reject them (and the whole update)
    return bytes(value) if value is not None else b""


def _color(value: str) -> str:
    text = value.strip().lower()
    if text == "auto":
        return text
    if len(text) == 7 and text[0] == "#" and all(c in "0123456789abcdef" for c in text[1:]):
        return text
    raise traitlets.TraitError(
        f"overlay_color: {value!r} is not allowed; expected 'auto' or a colour like '#ff3b30'"
    )


class MaskPainter(anywidget.AnyWidget):
    """Draw the area to edit on ``image``; read it back as :attr:`mask` (PIL "L", 255 = edit) or
    :attr:`mask_array` (bool, True = edit) at the image's full size.

    Args:
        image: a PIL image, numpy array, path or encoded bytes (URLs are not fetched); kept as given
            in :attr:`image`, lossless. Up to 32 megapixels; bigger images raise
            :class:`~ideogram_widgets.api._errors.InputError`.
        mask: a starting mask (array, PIL image, path or bytes; True / white = edit), same size.
        brush_size: brush diameter in image pixels (default: 1/40 of the longer side).
        tool: one of :data:`TOOLS`.
        overlay_color, overlay_opacity, show_mask: how the mask is shown over the image (its edge is
            always outlined; "auto" colours it against the picture's mean hue).
        height: height of the drawing area in pixels (the width follows the notebook).
        display_max_side: the browser's copy of the image is downscaled beyond this many pixels
            (default 2048; the mask never is). Big pictures go as JPEG (WebP with transparency).

    Example:
        >>> import numpy as np
        >>> painter = MaskPainter(np.zeros((64, 96, 3), np.uint8), brush_size=8)
        >>> painter.invert(); painter.coverage
        1.0
        >>> changes = []
        >>> painter.on_change(lambda p: changes.append(p.coverage))
        >>> painter.clear(); changes
        [0.0]
    """

    _esm = _BUNDLE if _BUNDLE.is_file() else ""
    _css = _STYLES if _STYLES.is_file() else ""

    display_image = traitlets.Bytes(b"", help="the browser's copy of the image (PNG, JPEG or WebP)").tag(
        sync=True, from_json=_bytes_from_json
    )
    display_mime = traitlets.Unicode("image/png", help="the type of display_image").tag(sync=True)
    image_width = traitlets.Int(0, help="the image's width in pixels (the mask's too)").tag(sync=True)
    image_height = traitlets.Int(0, help="the image's height in pixels (the mask's too)").tag(sync=True)
    mask_png = traitlets.Bytes(b"", help="the mask at full size, 1-bit PNG, white = edit; b'' = empty").tag(
        sync=True, from_json=_bytes_from_json
    )
    mask_version = traitlets.Int(0, help="bumped with every mask_png").tag(sync=True)
    coverage = traitlets.Float(0.0, min=0.0, max=1.0, help="fraction marked to edit").tag(sync=True)
    tool = traitlets.Enum(TOOLS, default_value="brush").tag(sync=True)
    brush_size = traitlets.Int(40, min=1, max=4096, help="brush diameter in image pixels").tag(sync=True)
    overlay_color = traitlets.Unicode(
        "auto", help="'#rrggbb', or 'auto': the complement of the picture's mean hue, so the mask shows"
    ).tag(sync=True)
    overlay_opacity = traitlets.Float(0.45, min=0.0, max=1.0).tag(sync=True)
    show_mask = traitlets.Bool(True).tag(sync=True)
    wand_tolerance = traitlets.Int(32, min=0, max=255, help="magic wand: largest R, G or B difference").tag(
        sync=True
    )
    wand_contiguous = traitlets.Bool(True, help="magic wand: only pixels connected to the click").tag(
        sync=True
    )
    grow_by = traitlets.Int(8, min=1, max=1024, help="pixels the Grow and Shrink buttons move the edge").tag(
        sync=True
    )
    viewport_height = traitlets.Int(520, min=120, max=4000, help="drawing area height, CSS px").tag(sync=True)

    def __init__(
        self,
        image: ImageSource,
        *,
        mask: MaskSource | None = None,
        brush_size: int | None = None,
        tool: str = "brush",
        overlay_color: str = "auto",
        overlay_opacity: float = 0.45,
        show_mask: bool = True,
        height: int = 520,
        display_max_side: int = DISPLAY_MAX_SIDE,
        **kwargs: Any,
    ) -> None:
        if not _BUNDLE.is_file():
            raise RuntimeError(
                f"the MaskPainter browser bundle is missing ({_BUNDLE}); installing the package builds it, "
                "or build it by hand: npm --prefix js ci && npm --prefix js run build"
            )
        self._display_max_side = int(display_max_side)
        self._mask_cache: tuple[int, MaskArray] | None = None
        self._change_callbacks = CallbackDispatcher()
        source = load_image(image)
        shown = display_copy(source, self._display_max_side)
        width, height_px = source.size
        super().__init__(
            display_image=shown.data,
            display_mime=shown.mime,
            image_width=width,
            image_height=height_px,
            brush_size=brush_size if brush_size is not None else max(4, round(max(width, height_px) / 40)),
            tool=tool,
            overlay_color=overlay_color,
            overlay_opacity=overlay_opacity,
            show_mask=show_mask,
            viewport_height=height,
            **kwargs,
        )
        self._image = source
        if mask is not None:
            self.mask = mask

    @traitlets.validate("overlay_color")
    def _check_color(self, proposal: dict[str, Any]) -> str:
        return _color(proposal["value"])

    # ---- the image -------------------------------------------------------------------------------

    @property
    def image(self) -> Image.Image:
        """The original image, exactly as given (never resized or recompressed)."""
        return self._image

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the image and of the mask."""
        return self.image_width, self.image_height

    def set_image(self, image: ImageSource, *, mask: MaskSource | None = None) -> None:
        """Replace the image (e.g. with an edit's result, to keep editing it) and clear the mask.

        The browser starts over: new picture, empty mask (or ``mask``), fresh undo history.
        """
        source = load_image(image)
        self._show(source, display_copy(source, self._display_max_side), mask)

    async def set_image_async(self, image: ImageSource, *, mask: MaskSource | None = None) -> None:
        """:meth:`set_image` for async code: the picture is decoded and its display copy encoded in a
        thread (about 0.3 s for a 12 MP photo), so the kernel's event loop keeps running meanwhile.

        Example (in a notebook cell, or a task on the kernel's loop)::

            await painter.set_image_async("holiday.jpg")
        """
        max_side = self._display_max_side

        def prepare() -> tuple[Image.Image, DisplayCopy]:
            source = load_image(image)
            return source, display_copy(source, max_side)

        source, shown = await asyncio.to_thread(prepare)
        self._show(source, shown, mask)

    def _show(self, source: Image.Image, shown: DisplayCopy, mask: MaskSource | None) -> None:
        arr = self._checked_mask(mask, source.size) if mask is not None else None
        self._image = source
        with self.hold_sync():
            self.display_image = shown.data
            self.display_mime = shown.mime
            self.image_width, self.image_height = source.size
            self._write_mask(arr)

    # ---- the mask --------------------------------------------------------------------------------

    @property
    def mask_array(self) -> MaskArray:
        """The mask as a boolean (height, width) array, True = edit (a fresh copy each time)."""
        copy: MaskArray = self._decoded().copy()
        return copy

    @property
    def mask(self) -> Image.Image:
        """The mask as a PIL "L" image the size of the image: 255 = edit, 0 = keep.

        Setting it (PIL image, array, path or bytes; True / white / opaque = edit) shows it in the
        browser as one undoable step.
        """
        return mask_image(self._decoded(), MaskPolarity.WHITE_IS_EDIT)

    @mask.setter
    def mask(self, value: MaskSource) -> None:
        self._write_mask(self._checked_mask(value, self.size))

    def clear(self) -> None:
        """Unmask everything (undoable in the browser)."""
        self._write_mask(np.zeros((self.image_height, self.image_width), dtype=bool))

    def fill(self) -> None:
        """Mask the whole image (undoable in the browser)."""
        self._write_mask(np.ones((self.image_height, self.image_width), dtype=bool))

    def invert(self) -> None:
        """Swap masked and unmasked (undoable in the browser)."""
        self._write_mask(~self._decoded())

    def on_change(self, callback: Callable[[MaskPainter], Any], *, remove: bool = False) -> None:
        """Call ``callback(painter)`` after every change of the mask, from the browser or from Python.

        ``painter.observe(cb, "mask_version")`` works too (it receives a traitlets change).
        """
        self._change_callbacks.register_callback(callback, remove=remove)

    def _checked_mask(self, value: MaskSource, size: tuple[int, int]) -> MaskArray:
        return check_mask_size(load_mask(value), size)  # the api's one check and wording

    def _decoded(self) -> MaskArray:
        version = self.mask_version
        if self._mask_cache is None or self._mask_cache[0] != version:
            if self.mask_png:
                arr = decode_mask(self.mask_png)
            else:
                arr = np.zeros((self.image_height, self.image_width), dtype=bool)
            self._mask_cache = (version, arr)
        return self._mask_cache[1]

    def _write_mask(self, arr: MaskArray | None) -> None:
        """Python's own mask change: new bytes and a new version in one message."""
        version = self.mask_version + 1
        with self.hold_sync():
            if arr is None or not arr.any():
                self.mask_png = b""
                self.coverage = 0.0
                arr = np.zeros((self.image_height, self.image_width), dtype=bool)
            else:
                self.mask_png = encode_mask(arr)
                self.coverage = float(arr.mean())
            self._mask_cache = (version, np.array(arr, dtype=bool))
            self.mask_version = version
        self._change_callbacks(self)

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """Take a mask from the browser only when it is newer than the one Python holds.

        A browser mask numbered at or below Python's (it crossed a mask set from Python on the wire, or
        it was drawn on the previous image) is dropped and Python's mask is sent back, so both sides
        end on the same mask.
        """
        if not any(key in sync_data for key in _MASK_KEYS):
            super().set_state(sync_data)
            return
        data = dict(sync_data)
        incoming = {key: data.pop(key) for key in _MASK_KEYS if key in data}
        if data:
            super().set_state(data)
        version = incoming.get("mask_version")
        png = _bytes_from_json(incoming.get("mask_png"), self)
        fresh = isinstance(version, int) and version > self.mask_version and "mask_png" in incoming
        if fresh and png and png_size(png) != self.size:
            fresh = False
        if not fresh:
            self.send_state(list(_MASK_KEYS))
            return
        super().set_state(incoming)
        self._change_callbacks(self)
