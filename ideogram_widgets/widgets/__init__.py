"""The notebook widgets: composition of ipywidgets and anywidgets over ``api/`` and ``jobs/``.

Example:
    >>> from ideogram_widgets.widgets import MaskPainter
    >>> from ideogram_widgets.samples import sample_image
    >>> MaskPainter(sample_image()).size
    (768, 512)
"""

from __future__ import annotations

from .edit_widget import EditWidget
from .mask_painter import MaskPainter
from .reframe_widget import ReframeWidget
from .resume_view import ResumeView
from .resume_view import install as _show_resume_reports

__all__ = ["EditWidget", "MaskPainter", "ReframeWidget", "ResumeView"]

_show_resume_reports()
