"""CompareView: a before/after wipe slider over one view, a 1:1 zoom, Save as a browser download, and
Copy as code onto the clipboard.

The "after" picture is sent as the file's own bytes (what Save downloads, byte for byte) and is never
drawn larger than its pixels; "before" is stretched over the same box, so the wipe compares like with like.

Example::

    view = CompareView()
    view.show(before=original, after=png_bytes, filename="edit-r1.png", after_alt="the edit: a moon")
    view                      # drag the slider (or the picture), "1:1" zooms, "Save" downloads
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets
from PIL import Image

from ..api._png import encode_png
from ._mask_painter import STATIC_DIR

__all__ = ["CompareView", "display_png"]

_BUNDLE = STATIC_DIR / "compare.js"
_STYLES = STATIC_DIR / "mask_painter.css"  # studio.css is bundled into it (js/src/index.ts)
# "before" is only looked at, never saved: a display copy is enough
BEFORE_MAX_SIDE = 2048


def _bytes(value: Any, _widget: Any) -> bytes:
    return bytes(value)


class CompareView(anywidget.AnyWidget):
    """Before and after in one box with a wipe between them; ``position`` is the share shown as before."""

    _esm = _BUNDLE if _BUNDLE.is_file() else ""
    _css = _STYLES if _STYLES.is_file() else ""
    before = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes)
    after = traitlets.Bytes(b"").tag(sync=True, from_json=_bytes)
    after_type = traitlets.Unicode("image/png").tag(sync=True)
    before_alt = traitlets.Unicode("").tag(sync=True)
    after_alt = traitlets.Unicode("").tag(sync=True)
    filename = traitlets.Unicode("result.png").tag(sync=True)
    position = traitlets.Float(0.5).tag(sync=True)
    zoom = traitlets.Unicode("fit").tag(sync=True)
    code = traitlets.Unicode("").tag(sync=True)  # what "Copy as code" puts on the clipboard

    def __repr__(self) -> str:
        return f"CompareView(filename={self.filename!r}, after={len(self.after)} bytes)"

    def show(
        self,
        *,
        before: Image.Image | bytes | None,
        after: bytes,
        filename: str,
        after_type: str = "image/png",
        before_alt: str = "",
        after_alt: str = "",
    ) -> None:
        """Show ``after`` (a file's bytes) over ``before`` (drawn in the same box; a picture, or the PNG
        bytes :func:`display_png` made of it off the event loop)."""
        if isinstance(before, Image.Image):
            before = display_png(before)
        with self.hold_sync():
            self.before = before or b""
            self.after = after
            self.after_type = after_type
            self.filename = filename
            self.before_alt = before_alt
            self.after_alt = after_alt


def display_png(image: Image.Image) -> bytes:
    """The display copy of a "before" picture as PNG bytes (at most BEFORE_MAX_SIDE a side): slow for a
    large photo, so the job view calls it on a thread.

    Example:
        >>> display_png(Image.new("RGB", (4, 3)))[:4]
        b'\\x89PNG'
    """
    if max(image.size) > BEFORE_MAX_SIDE:
        image = image.copy()
        image.thumbnail((BEFORE_MAX_SIDE, BEFORE_MAX_SIDE))
    return encode_png(image, compress_level=1)
