"""The job view shared by EditWidget and ReframeWidget: one status row per job, the selected job's result
with a before/after comparison, save, "use as input" and "copy as code", and a history strip.

Everything here only observes :class:`~ideogram_widgets.jobs.Job` traits and sets widget values; the
updates arrive from background tasks, so they are batched under ``hold_sync`` and never print.

Example::

    view = JobsPanel(before=image, on_use=lambda img: painter.set_image(img))
    view.add(job)          # a Job from ideogram_widgets.submit(...)
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
from PIL import Image

from ..api.media import encode_png
from ..jobs import Job, Journal
from .reproduce import reproduce_code

__all__ = ["JobRow", "JobsPanel", "describe_state"]

THUMB = 96


def describe_state(job: Job) -> tuple[str, str]:
    """A short human status for ``job`` and its colour, e.g. ``("queued · position 2", "#8a6d00")``."""
    state = job.state
    if state == "submitting":
        return "sending…", "#546e7a"
    if state == "submitted":
        return "submitted · waiting for the service", "#546e7a"
    if state == "in_queue":
        pos = job.queue_position
        return ("queued" + (f" · position {pos + 1}" if pos is not None else "")), "#8a6d00"
    if state == "in_progress":
        return f"running · {job.elapsed:.0f} s", "#1565c0"
    if state == "completed":
        if job.done and job.result is not None:
            return f"done in {job.elapsed:.1f} s", "#2e7d32"
        return "completed · downloading the result…", "#1565c0"
    if state == "failed":
        return f"failed: {job.error or 'the service gave no reason'}", "#c62828"
    if state == "cancelled":
        return "cancelled", "#6d4c41"
    if state == "expired":
        return "expired: the service no longer knows this request", "#c62828"
    if state == "stopped":
        why = f"stopped: {job.error}" if job.error else "no longer followed here"
        return f"{why} (resume() picks it up again)", "#6d4c41"
    return f"{state}{' · ' + job.error if job.error else ''}", "#546e7a"


def _png(image: Image.Image, max_side: int | None = None) -> bytes:
    if max_side is not None and max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side))
    return encode_png(image, compress_level=1)


class JobRow(w.HBox):
    """One job's status line: a label, the state in words, and Cancel (enabled while queued)."""

    def __init__(self, job: Job, number: int, on_select: Callable[[Job], None]) -> None:
        self.job = job
        self.number = number
        params = job.params
        kind = "edit" if job.model_id.endswith("/edit") else "reframe"
        detail = [str(params.get("rendering_speed", "")).lower(), f"seed {params.get('seed', '—')}"]
        if kind == "reframe":
            detail.insert(0, str(params.get("resolution", "")).split(" ")[0].replace(":", "×"))
        self.title = w.Button(
            description=f"#{number} {kind}",
            tooltip=str(params.get("prompt", "")) or kind,
            layout=w.Layout(width="110px"),
        )
        self.title.on_click(lambda _: on_select(job))
        self.detail = w.HTML(f'<span style="color:#607d8b">{html.escape(" · ".join(detail))}</span>')
        self.status = w.HTML()
        self.cancel = w.Button(description="Cancel", icon="times", layout=w.Layout(width="90px"))
        self.cancel.on_click(lambda _: self._cancel())
        super().__init__(
            [self.title, self.detail, self.status, self.cancel],
            layout=w.Layout(align_items="center", grid_gap="8px"),
        )
        self.add_class("iw-job-row")
        job.observe(
            self._update,
            names=[
                "state",
                "queue_position",
                "elapsed",
                "error",
                "warning",
                "done",
                "result",
                "cancel_outcome",
            ],
        )
        self._update()

    def _cancel(self) -> None:
        self.cancel.disabled = True
        self.job.cancel()

    def _update(self, _: Any = None) -> None:
        job = self.job
        text, colour = describe_state(job)
        extra = ""
        if job.warning:
            extra = f' <span style="color:#8a6d00">({html.escape(job.warning)})</span>'
        if job.cancel_outcome == "not_cancellable":
            extra += ' <span style="color:#6d4c41">(already running: it cannot be cancelled)</span>'
        with self.hold_sync():
            self.status.value = f'<span style="color:{colour}">{html.escape(text)}</span>{extra}'
            self.cancel.disabled = job.state not in ("submitted", "in_queue") or job.cancel_outcome in (
                "requested",
                "cancelled",
            )


class JobsPanel(w.VBox):
    """The list of jobs (newest first), the selected job's result, and the history strip.

    ``before``: the image the jobs started from (for the comparison); ``on_use(image)``: called by
    "use as input"; ``journal``: where "copy as code" finds the stored inputs.
    """

    def __init__(
        self,
        *,
        before: Image.Image | None = None,
        on_use: Callable[[Image.Image], None] | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.before = before
        self.on_use = on_use
        self.journal = journal
        self.jobs: list[Job] = []
        self.selected: Job | None = None
        self.rows = w.VBox()
        # shown at most at its own size and 600 px tall: a 640×1536 portrait must not fill three screens
        self.result_image = w.Image(
            format="png",
            layout=w.Layout(
                max_width="100%", max_height="600px", width="auto", height="auto", object_fit="contain"
            ),
        )
        self.result_image.add_class("iw-result-image")
        self.compare = w.ToggleButtons(options=["after", "before", "side by side"], value="after")
        self.compare.style.button_width = "110px"
        self.compare.observe(lambda _: self._show_result(), "value")
        self.save_path = w.Text(placeholder="file name, e.g. result.png", layout=w.Layout(width="220px"))
        self.save_button = w.Button(description="Save", icon="save", layout=w.Layout(width="80px"))
        self.save_button.on_click(lambda _: self.save())
        self.use_button = w.Button(
            description="Use as input", icon="level-up", layout=w.Layout(width="120px")
        )
        self.use_button.on_click(lambda _: self.use_as_input())
        self.code_button = w.Button(description="Copy as code", icon="code", layout=w.Layout(width="130px"))
        self.code_button.on_click(lambda _: self.show_code())
        self.code = w.Textarea(layout=w.Layout(width="100%", height="150px", display="none"))
        self.message = w.HTML()
        self.result_caption = w.HTML()
        tools = w.HBox(
            [self.compare, self.save_path, self.save_button, self.use_button, self.code_button],
            layout=w.Layout(flex_flow="row wrap", grid_gap="6px"),
        )
        self.result_box = w.VBox(
            [self.result_caption, self.result_image, tools, self.message, self.code],
            layout=w.Layout(display="none"),
        )
        self.strip = w.HBox(layout=w.Layout(overflow="auto hidden", grid_gap="6px"))
        self.strip_box = w.VBox(
            [w.HTML("<b style='font-size:12px'>History</b>"), self.strip], layout=w.Layout(display="none")
        )
        super().__init__([self.rows, self.result_box, self.strip_box], layout=w.Layout(width="100%"))

    # ----------------------------------------------------------------- jobs

    def add(self, job: Job) -> JobRow:
        """Show a new job at the top and select it."""
        self.jobs.append(job)
        row = JobRow(job, len(self.jobs), self.select)
        self.rows.children = (row, *self.rows.children)
        job.observe(lambda _: self._job_changed(job), names=["done", "result"])
        self.select(job)
        return row

    def _job_changed(self, job: Job) -> None:
        if job.done and job.result is not None:
            self._add_to_strip(job)
        if job is self.selected:
            self._show_result()

    def select(self, job: Job) -> None:
        """Show ``job``'s result (once it has one) in the result area."""
        self.selected = job
        self.code.layout.display = "none"
        self.message.value = ""
        self._show_result()

    def _result_image(self, job: Job | None) -> Image.Image | None:
        if job is None or job.result is None or not len(job.result):
            return None
        return job.result.image

    def _show_result(self) -> None:
        job = self.selected
        after = self._result_image(job)
        if job is None or after is None:
            self.result_box.layout.display = "none"
            return
        before = self.before
        choice = self.compare.value
        if choice == "before" and before is not None:
            shown = before
        elif choice == "side by side" and before is not None:
            shown = _side_by_side(before, after)
        else:
            shown = after
        number = self.jobs.index(job) + 1
        prompt = job.params.get("prompt") or job.params.get("resolution", "")
        with self.hold_sync():
            self.result_image.value = _png(shown, 2048)
            self.result_caption.value = (
                f"<b>#{number}</b> {html.escape(str(prompt))} "
                f"<span style='color:#607d8b'>· {after.width}×{after.height} · {job.request_id}</span>"
            )
            self.result_box.layout.display = "flex"

    def _add_to_strip(self, job: Job) -> None:
        image = self._result_image(job)
        if image is None or any(getattr(c, "job", None) is job for c in self.strip.children):
            return
        thumb = w.Image(
            value=_png(image, THUMB),
            format="png",
            layout=w.Layout(max_width=f"{THUMB}px", max_height=f"{THUMB}px", width="auto", height="auto"),
        )
        thumb.add_class("iw-history-thumb")
        number = self.jobs.index(job) + 1
        params = job.params
        label = str(params.get("prompt") or params.get("resolution", ""))
        speed = html.escape(str(params.get("rendering_speed", "")).lower())
        caption = f"#{number} · {speed}<br>seed {html.escape(str(params.get('seed', '—')))}"
        button = w.Button(description=f"#{number}", tooltip=label, layout=w.Layout(width=f"{THUMB}px"))
        button.on_click(lambda _: self.select(job))
        cell = w.VBox(
            [
                thumb,
                w.HTML(f"<div style='font-size:11px;line-height:1.3;width:{THUMB}px'>{caption}</div>"),
                button,
            ]
        )
        cell.job = job
        self.strip.children = (cell, *self.strip.children)
        self.strip_box.layout.display = "flex"

    # ----------------------------------------------------------------- actions

    def save(self, path: str | Path | None = None) -> Path | None:
        """Write the selected result, byte for byte as downloaded, to ``path`` (or the name typed)."""
        job = self.selected
        target = str(path) if path is not None else self.save_path.value.strip()
        if job is None or job.result is None:
            self._say("there is no result to save yet", error=True)
            return None
        if not target:
            self._say("type a file name first, e.g. result.png", error=True)
            return None
        try:
            written = job.result.save(target)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            self._say(f"could not save: {getattr(exc, 'strerror', None) or exc}", error=True)
            return None
        self._say(f"saved to {written.resolve()}")
        return written

    def use_as_input(self) -> Image.Image | None:
        """Hand the selected result to ``on_use`` (the widget makes it the new input)."""
        image = self._result_image(self.selected)
        if image is None or self.on_use is None:
            return None
        self.before = image
        self.on_use(image)
        self._say("the result is now the input: draw a new mask or pick a new resolution")
        return image

    def show_code(self) -> str | None:
        """Show (and return) the Python that reproduces the selected run."""
        job = self.selected
        if job is None:
            return None
        files: dict[str, str] = {}
        for key, ref in job.inputs.items():
            if isinstance(ref, dict) and ref.get("url"):
                files[key] = str(ref["url"])
            elif isinstance(ref, dict) and ref.get("path") and self.journal is not None:
                files[key] = str(self.journal.path(str(ref["path"])))
        text = reproduce_code(job.model_id, job.params, files)
        with self.hold_sync():
            self.code.value = text
            self.code.layout.display = "block"
        return text

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = "#c62828" if error else "#2e7d32"
        self.message.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"


def _side_by_side(before: Image.Image, after: Image.Image) -> Image.Image:
    height = max(before.height, after.height)
    left = before.convert("RGB").resize((round(before.width * height / before.height), height))
    right = after.convert("RGB").resize((round(after.width * height / after.height), height))
    canvas = Image.new("RGB", (left.width + right.width + 8, height), (255, 255, 255))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (left.width + 8, 0))
    return canvas
