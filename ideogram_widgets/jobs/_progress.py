"""Showing a batch's progress: a progress bar in Jupyter, a line of text in a terminal.

The bar is created and displayed by the call that starts the batch (in the user's cell); afterwards the
background task only sets its traits (value, description), throttled. The bar itself is the widgets
package's (``widgets/_batch_progress.py``, installed here by :func:`set_progress_bar`): this layer draws
nothing.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> text = TextProgress(out, interval=0.0)
    >>> text.update(Counts(total=4, done=2, failed=1, running=2, elapsed=1.5))
    >>> out.getvalue().strip()
    'batch: 2/4 done (1 failed), 2 running, 1.5 s'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

__all__ = ["Counts", "NoProgress", "Progress", "TextProgress", "make_progress", "set_progress_bar"]


@dataclass(frozen=True)
class Counts:
    """How far a batch is."""

    total: int | None
    done: int
    failed: int
    running: int
    elapsed: float

    def line(self) -> str:
        """One line of text."""
        total = "?" if self.total is None else str(self.total)
        failed = f" ({self.failed} failed)" if self.failed else ""
        return f"batch: {self.done}/{total} done{failed}, {self.running} running, {self.elapsed:.1f} s"


class Progress(Protocol):
    """Something that shows a batch's progress."""

    def update(self, counts: Counts, *, final: bool = False) -> None:
        """Show ``counts`` (may be throttled unless ``final``)."""


class NoProgress:
    """Shows nothing."""

    def update(self, counts: Counts, *, final: bool = False) -> None:
        """Do nothing."""


class TextProgress:
    """A line of text on a stream: rewritten in place on a terminal, else one line every ``interval`` s."""

    def __init__(self, stream: TextIO | None = None, *, interval: float | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval if interval is not None else (0.2 if self.tty else 5.0)
        self._last = float("-inf")

    def update(self, counts: Counts, *, final: bool = False) -> None:
        """Write the line (throttled unless ``final``)."""
        now = time.monotonic()
        if not final and now - self._last < self.interval:
            return
        self._last = now
        if self.tty:
            self.stream.write("\r" + counts.line() + ("\n" if final else ""))
        else:
            self.stream.write(counts.line() + "\n")
        self.stream.flush()


_bar_factory: Callable[[int | None], Progress] | None = None


def set_progress_bar(factory: Callable[[int | None], Progress] | None) -> None:
    """Install what draws a batch's progress bar in Jupyter (``jobs/`` draws nothing itself: the widgets
    package installs its bar when it is imported). ``None`` removes it; batches then show no bar."""
    global _bar_factory
    _bar_factory = factory


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (not a plain IPython terminal)."""
    ipython_mod = sys.modules.get("IPython")
    if ipython_mod is None:
        return False
    shell: Any = ipython_mod.get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def make_progress(kind: str | bool | None, total: int | None) -> Progress:
    """``"auto"``/``True``: a bar in Jupyter (when the widgets are imported), else text on stderr outside one;
    ``"bar"``, ``"text"``, or ``False``/``None`` for nothing. Call it from the user's cell."""
    if kind is False or kind is None:
        return NoProgress()
    if kind == "text":
        return TextProgress()
    if kind == "bar":
        if _bar_factory is None:
            raise ValueError("progress='bar' needs the widgets: import ideogram_widgets.widgets first")
        return _bar_factory(total)
    if kind not in (True, "auto"):
        raise ValueError(f"progress must be 'auto', 'bar', 'text', True or False, not {kind!r}")
    if in_jupyter():
        # never print from a kernel's background task: a bar when the widgets installed one, else nothing
        return NoProgress() if _bar_factory is None else _bar_factory(total)
    return TextProgress()
