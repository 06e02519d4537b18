"""ResumeView: what ``ideogram_widgets.resume()`` did, on screen, in the job view the widgets use.

A line says what was taken (per backend), what was left and why, and how many malformed journal entries
were skipped; below it the taken jobs have their rows (state, Cancel while it can), the before/after view of
the selected result, Save, Copy as code, and "Use as input", which opens an EditWidget on that result.

Example (a notebook cell, after a kernel restart)::

    report = ideogram_widgets.resume()   # displayed as a ResumeView
    ResumeView(report)                    # the same, explicitly
"""

from __future__ import annotations

import html

import ipywidgets as w
from PIL import Image

from ..jobs import Journal, ResumeReport
from ..jobs._resume import set_report_view
from ._job_view import JobsPanel

__all__ = ["ResumeView", "describe_report", "install", "show_report"]


def describe_report(report: ResumeReport) -> str:
    """The report in words, as HTML: taken (per backend), left and why, skipped.

    Example:
        >>> describe_report(ResumeReport())
        '<span class="iw-muted">nothing to resume: every job in the journal is finished</span>'
    """
    if not report and not report.left and not report.skipped:
        return '<span class="iw-muted">nothing to resume: every job in the journal is finished</span>'
    lines = []
    if report:
        where = ", ".join(f"{n} on {html.escape(label)}" for label, n in report.taken_by_backend().items())
        lines.append(f"<b>took {len(report)} job{'s' * (len(report) != 1)}</b> ({where})")
    if report.left:
        items = "".join(f"<li>{n}× {html.escape(why)}</li>" for why, n in report.left_by_reason().items())
        lines.append(f"<b>left {len(report.left)}</b>:<ul class='iw-resume-left'>{items}</ul>")
    if report.skipped:
        plural = "entries" if report.skipped != 1 else "entry"
        lines.append(f"skipped {report.skipped} malformed journal {plural}")
    return "<br>".join(lines)


class ResumeView(w.VBox):
    """The jobs ``resume()`` took, in the widgets' job view, under a line that says what it did.

    ``journal``: where Copy as code finds the stored inputs (default: the report's journal, if known).
    """

    def __init__(self, report: ResumeReport, *, journal: Journal | None = None) -> None:
        self.report = report
        self.summary = w.HTML(describe_report(report))
        self.summary.add_class("iw-resume-summary")
        self.opened = w.VBox()  # EditWidgets opened by "Use as input"
        self.panel = JobsPanel(on_use=self._open_editor, journal=journal)
        for job in report:
            self.panel.add(job)
        # the panel holds the rows and the strip; its result view is laid out by whoever shows the panel
        # (here in a column: its own height, not the width share it has beside a widget's controls)
        self.panel.result_box.layout.flex = "0 0 auto"
        children = [self.summary, self.panel, self.panel.result_box, self.opened]
        super().__init__(children, layout=w.Layout(width="100%"))
        self.add_class("iw-studio")
        self.add_class("iw-resume-view")

    def _open_editor(self, image: Image.Image) -> None:
        from ._edit_widget import EditWidget

        self.opened.children = (*self.opened.children, EditWidget(image))


def show_report(report: ResumeReport) -> None:
    """Display ``report`` in a notebook as a :class:`ResumeView`."""
    from IPython.display import display

    display(ResumeView(report))  # type: ignore[no-untyped-call]


def install() -> None:
    """Make notebooks show every :class:`~ideogram_widgets.jobs.ResumeReport` as a :class:`ResumeView`
    (``jobs/`` draws nothing itself; the widgets package calls this when it is imported)."""
    set_report_view(show_report)
