"""A batch's progress bar in Jupyter: the picture behind ``run_batch(progress="auto")`` in a notebook.

``jobs/`` counts and this draws: :func:`install` (called when the widgets package is imported) hands the
bar to the jobs layer, which creates it in the user's cell and only sets its traits afterwards.

Example:
    >>> from ideogram_widgets.jobs._progress import Counts
    >>> bar = BarProgress(4, interval=0.0, show=False)
    >>> bar.update(Counts(total=4, done=3, failed=1, running=1, elapsed=2.0), final=True)
    >>> bar.bar.value, bar.bar.bar_style, bar.label.value
    (3, 'warning', '3/4 done (1 failed), 1 running, 2.0 s')
"""

from __future__ import annotations

import time

import ipywidgets

from ..jobs._progress import Counts, set_progress_bar

__all__ = ["BarProgress", "install"]


class BarProgress:
    """An ipywidgets progress bar with a label, displayed where it is created (unless ``show=False``)."""

    def __init__(self, total: int | None, *, interval: float = 0.1, show: bool = True) -> None:
        self.interval = interval
        self._last = float("-inf")
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=max(1, total or 1), description="batch")
        self.label = ipywidgets.Label(value="starting…")
        self.box = ipywidgets.HBox([self.bar, self.label])
        if show:
            from IPython.display import display

            display(self.box)  # type: ignore[no-untyped-call]

    def update(self, counts: Counts, *, final: bool = False) -> None:
        """Set the bar's traits (throttled unless ``final``)."""
        now = time.monotonic()
        if not final and now - self._last < self.interval:
            return
        self._last = now
        top = counts.total if counts.total is not None else max(1, counts.done + counts.running)
        with self.bar.hold_sync():
            self.bar.max = max(1, top)
            self.bar.value = min(counts.done, self.bar.max)
            if final:
                self.bar.bar_style = "warning" if counts.failed else "success"
        self.label.value = counts.line().removeprefix("batch: ")


def install() -> None:
    """Let batches started in a notebook show this bar (the widgets package calls it on import)."""
    set_progress_bar(BarProgress)
