"""The notebook widgets: composition of ipywidgets and anywidgets over ``api/`` and ``jobs/``.

Example:
    >>> from ideogram_widgets.widgets import MaskPainter
    >>> from ideogram_widgets.samples import sample_image
    >>> MaskPainter(sample_image()).size
    (768, 512)
"""

from ._batch_progress import install as _show_batch_progress
from ._edit_widget import EditWidget
from ._mask_painter import MaskPainter
from ._reframe_widget import ReframeWidget
from ._resume_view import ResumeView
from ._resume_view import install as _show_resume_reports

__all__ = ["EditWidget", "MaskPainter", "ReframeWidget", "ResumeView"]

_show_resume_reports()
_show_batch_progress()
