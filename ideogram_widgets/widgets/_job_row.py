"""One job's status line in the job view: its number and settings, the state in words, Cancel while it can
be cancelled.

Colours are the theme's (``studio.css``): the text is always the theme's font colour, and the state shows as
a coloured mark beside it (``data-state`` on the row), so every theme keeps the text readable.

Example::

    row = JobRow(job, 1, on_select=print)
    row.status.value           # e.g. '<span ...>queued · position 2</span>'
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from ..api import InputError, Resolution
from ..jobs import Job
from ._home_loop import HomeLoop

__all__ = ["JobRow", "describe_state", "resolution_label"]

_CANCELLABLE = ("submitted", "in_queue")


def resolution_label(value: object) -> str:
    """The one way resolutions are written on screen, e.g. ``"768×1344 (4:7)"``; unknown text as is."""
    try:
        return Resolution.parse(value).label
    except InputError:
        return str(value)


def describe_state(job: Job) -> tuple[str, str]:
    """A short human status for ``job`` and its kind (a CSS state), e.g. ``("queued · position 2",
    "waiting")``. Kinds: ``waiting``, ``running``, ``done``, ``error``, ``ended``."""
    state = job.state
    if state == "submitting":
        return "sending…", "waiting"
    if state == "submitted":
        return "submitted · waiting for the service", "waiting"
    if state == "in_queue":
        pos = job.queue_position
        return ("queued" + (f" · position {pos + 1}" if pos is not None else "")), "waiting"
    if state == "in_progress":
        return f"running · {job.elapsed:.0f} s", "running"
    if state == "completed":
        if job.done and job.result is not None:
            return f"done in {job.elapsed:.1f} s", "done"
        return "completed · downloading the result…", "running"
    if state == "failed":
        return f"failed: {job.error or 'the service gave no reason'}", "error"
    if state == "cancelled":
        return "cancelled", "ended"
    if state == "expired":
        return "expired: the service no longer knows this request", "error"
    if state == "stopped":
        why = f"stopped: {job.error}" if job.error else "no longer followed here"
        return f"{why} (resume() picks it up again)", "ended"
    return f"{state}{' · ' + job.error if job.error else ''}", "waiting"


class JobRow(w.HBox):
    """One job's status line: a button that shows its result, its settings, the state in words, and
    Cancel (only while the job is queued: finished rows have none)."""

    def __init__(
        self, job: Job, number: int, on_select: Callable[[Job], None], *, home: HomeLoop | None = None
    ) -> None:
        self.job = job
        self.home = home or HomeLoop()
        self.number = number
        params = job.params
        kind = "edit" if job.model_id.endswith("/edit") else "reframe"
        detail = [str(params.get("rendering_speed", "")).lower(), f"seed {params.get('seed', '—')}"]
        if kind == "reframe":
            detail.insert(0, resolution_label(params.get("resolution", "")))
        prompt = str(params.get("prompt", ""))
        self.title = w.Button(
            description=f"#{number} {kind}",
            tooltip=f"show the result of #{number}" + (f": {prompt}" if prompt else ""),
            layout=w.Layout(width="110px", flex="0 0 auto"),
        )
        self.title.on_click(lambda _: on_select(job))
        self.detail = w.HTML(
            f'<span class="iw-muted">{html.escape(" · ".join(detail))}</span>',
            layout=w.Layout(flex="0 0 auto"),
        )
        self.status = w.HTML(layout=w.Layout(flex="1 1 200px", min_width="0"))
        self.status.add_class("iw-job-status")
        self.cancel = w.Button(
            description="Cancel",
            icon="times",
            tooltip=f"cancel job #{number}",
            layout=w.Layout(width="90px", flex="0 0 auto"),
        )
        self.cancel.on_click(lambda _: self.home.run(self._cancel))
        super().__init__(
            [self.title, self.detail, self.status, self.cancel],
            layout=w.Layout(align_items="center", grid_gap="8px", width="100%"),
        )
        self.add_class("iw-job-row")
        job.observe(
            self._update,
            names=[
                *("state", "queue_position", "elapsed", "error", "warning"),
                *("done", "result", "cancel_outcome"),
            ],
        )
        self._update()

    def _cancel(self) -> None:
        self.cancel.disabled = True
        self.job.cancel()

    def _update(self, _: Any = None) -> None:
        job = self.job
        text, kind = describe_state(job)
        extra = ""
        if job.warning:
            extra = f' <span class="iw-muted">({html.escape(job.warning)})</span>'
        if job.cancel_outcome == "not_cancellable":
            extra += ' <span class="iw-muted">(already running: it cannot be cancelled)</span>'
        can_cancel = job.state in _CANCELLABLE and job.cancel_outcome not in ("requested", "cancelled")
        with self.hold_sync():
            self.status.value = f'<span class="iw-state iw-state-{kind}">{html.escape(text)}</span>{extra}'
            self.cancel.disabled = not can_cancel
            self.cancel.layout.display = "" if can_cancel else "none"
