"""The job view shared by EditWidget and ReframeWidget: one status row per job, a result view (a
before/after wipe with a 1:1 zoom, Save as a browser download and Copy as code), "use as input", and a
history strip.

An edit's result is shown as the **composite** (the service's output put back into the full-size
original inside the mask) with the service's own output one toggle away. The result view keeps showing
the newest finished result while a newer job runs, fails or is cancelled.

Everything here only observes :class:`~ideogram_widgets.jobs.Job` traits and sets widget values; the
updates arrive from background tasks, so they are batched under ``hold_sync`` and never print.

Example::

    view = JobsPanel(before=image, on_use=lambda img: painter.set_image(img))
    view.add(job)          # a Job from ideogram_widgets.submit(...)
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as w
from PIL import Image

from ..api import InputError, Resolution
from ..api._png import encode_png
from ..jobs import Job, Journal
from ._compare import CompareView, display_png
from ._home_loop import HomeLoop
from ._job_row import JobRow, describe_state, resolution_label
from ._reproduce import reproduce_code

__all__ = ["JobRow", "JobsPanel", "ShownResult", "describe_state", "thumbnail_png"]

THUMB = 96
_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp"}


class ShownResult:
    """What the result view shows for one job: the picture, its file's bytes and a file name."""

    def __init__(self, job: Job, version: str) -> None:
        out = job.result
        if out is None or not len(out):
            raise ValueError("this job has no result yet")
        is_edit = job.model_id.endswith("/edit")
        composite: Image.Image | None = getattr(out, "composite", None) if is_edit else None
        self.has_composite = composite is not None
        base = f"{'edit' if is_edit else 'reframe'}-{job.request_id or job.job_id}"
        self.version = "output"
        if version == "composite" and composite is not None:
            self.version = "composite"
            self.image = composite
            paths = getattr(out, "composite_paths", None) or ()
            stored = Path(paths[0]) if paths else None
            self.data = (
                stored.read_bytes() if stored is not None and stored.is_file() else encode_png(composite)
            )
            self.mime = "image/png"
            self.filename = f"{base}-composite.png"
        else:
            self.image = out.image
            self.data = out.path.read_bytes()
            suffix = out.path.suffix.lower()
            self.mime = _MIME.get(suffix, "image/png")
            self.filename = f"{base}{suffix or '.png'}"


class JobsPanel(w.VBox):
    """The list of jobs (newest first), the result view, and the history strip.

    ``before``: the image the next jobs start from (for the comparison); ``on_use(image)``: called by
    "use as input"; ``journal``: where "copy as code" finds the stored inputs; ``source_path``: the user's
    own file the image came from (named by "copy as code").
    """

    def __init__(
        self,
        *,
        before: Image.Image | None = None,
        on_use: Callable[[Image.Image], None] | None = None,
        journal: Journal | None = None,
        source_path: Path | None = None,
        home: HomeLoop | None = None,
    ) -> None:
        self.home = home or HomeLoop()
        self.before = before
        self.source_path = source_path
        self.on_use = on_use
        self.journal = journal
        self.jobs: list[Job] = []
        self.selected: Job | None = None
        self._started_from: dict[str, tuple[Image.Image | None, Path | None]] = {}
        self.earlier: Job | None = None  # an earlier run from the journal, on view (see show_run)
        self._labels: dict[str, str] = {}
        self._shown: tuple[str, str] | None = None  # (job, version) on view
        self._wanted: tuple[str, str] | None = None  # (job, version) being prepared on a thread
        self._on_view: ShownResult | None = None
        self._in_strip: set[str] = set()
        self.rows = w.VBox(layout=w.Layout(width="100%"))
        self.view = CompareView()
        self.view.add_class("iw-result-view")
        self.version = w.ToggleButtons(
            options=[("composite", "composite"), ("service output", "output")],
            value="composite",
            description="show",
            tooltips=[
                "the service's output put back into your full-size original, inside the mask",
                "the image exactly as the service returned it",
            ],
        )
        self.version.style.button_width = "120px"
        self.version.observe(lambda _: self._show_result(), "value")
        self.use_button = w.Button(
            description="Use as input",
            icon="level-up",
            tooltip="keep editing this result",
            layout=w.Layout(width="130px"),
        )
        self.use_button.on_click(lambda _: self.use_as_input())
        self.message = w.HTML()
        self.message.add_class("iw-message")
        self.result_caption = w.HTML()
        self.result_caption.add_class("iw-caption")
        tools = w.HBox([self.version, self.use_button], layout=w.Layout(flex_flow="row wrap", grid_gap="6px"))
        self.result_box = w.VBox(
            [self.result_caption, self.view, tools, self.message],
            layout=w.Layout(display="none", flex="1 1 420px", min_width="300px"),
        )
        self.result_box.add_class("iw-result-box")
        self.strip = w.HBox(layout=w.Layout(overflow="auto hidden", grid_gap="6px"))
        self.strip_box = w.VBox(
            [w.HTML("<b class='iw-heading'>History</b>"), self.strip], layout=w.Layout(display="none")
        )
        super().__init__([self.rows, self.strip_box], layout=w.Layout(width="100%"))

    # ----------------------------------------------------------------- jobs

    def add(self, job: Job) -> JobRow:
        """Show a new job at the top and select it (the last finished result stays on view meanwhile)."""
        self.jobs.append(job)
        self._started_from[self._key(job)] = (self.before, self.source_path)
        row = JobRow(job, len(self.jobs), self.select, home=self.home)
        self.rows.children = (row, *self.rows.children)
        # fired from the poller on the kernel's loop: these only start the work (see HomeLoop.in_thread)
        job.observe(lambda _: self._job_changed(job), names=["done", "result"])
        self.select(job)
        return row

    def _key(self, job: Job) -> str:
        return job.job_id or str(id(job))

    def _job_changed(self, job: Job) -> None:
        if _has_result(job):
            self._add_to_strip(job)
        if job is self.selected or self._shown_job() is job:
            self._show_result()

    def select(self, job: Job) -> None:
        """Show ``job``'s result (once it has one); until then the newest finished result stays."""
        self.selected = job
        self.earlier = None
        self.message.value = ""
        self._show_result()

    def show_run(self, job: Job, *, before: Image.Image | None, label: str) -> None:
        """Show an earlier run's ``job`` (from the journal, not one of this panel's jobs) in the result
        view, with Save, Copy as code and Use as input; ``label`` names it in the caption and alt text.

        Example::

            panel.show_run(job_from_the_journal, before=original, label="the run of today 14:05")
        """
        self.earlier = job
        self._labels[self._key(job)] = label
        self._started_from[self._key(job)] = (before, None)
        self.message.value = ""
        self._show_result()

    def _shown_job(self) -> Job | None:
        if self.earlier is not None and _has_result(self.earlier):
            return self.earlier
        if self.selected is not None and _has_result(self.selected):
            return self.selected
        return next((j for j in reversed(self.jobs) if _has_result(j)), None)

    def shown(self) -> ShownResult | None:
        """What the result view shows now (composite or service output), or None."""
        job = self._shown_job()
        if job is None:
            return None
        if self._on_view is not None and self._shown == (self._key(job), self.version.value):
            return self._on_view
        return ShownResult(job, self.version.value)

    def _label(self, job: Job) -> str:
        """The name on view: "#3" for this panel's third job, else the label :meth:`show_run` was given."""
        if job in self.jobs:
            return f"#{self.jobs.index(job) + 1}"
        return self._labels.get(self._key(job), "earlier run")

    def _show_result(self) -> None:
        """Bring the result view up to date: the files are read and the pictures encoded on a thread,
        the traits set back on the home loop (never in the observer that asked)."""
        job = self._shown_job()
        if job is None:
            self._wanted = None
            self.result_box.layout.display = "none"
            return
        key = (self._key(job), self.version.value)
        if key in (self._shown, self._wanted):
            return
        self._wanted = key
        before, _ = self._started_from.get(self._key(job), (self.before, None))
        self.home.in_thread(
            lambda: _prepare(job, key[1], before),
            lambda ready: self._put_on_view(job, key, ready),
            failed=lambda err: self._failed_view(key, err),
        )

    def _put_on_view(self, job: Job, key: tuple[str, str], ready: tuple[ShownResult, bytes]) -> None:
        if key != self._wanted:  # a newer choice came meanwhile; its own update follows
            return
        shown, before_png = ready
        label = self._label(job)
        prompt = str(job.params.get("prompt") or "")
        what = prompt or f"reframed to {resolution_label(job.params.get('resolution', ''))}"
        with self.hold_sync():
            self.view.show(
                before=before_png,
                after=shown.data,
                filename=shown.filename,
                after_type=shown.mime,
                before_alt=f"before {label}: the input image",
                after_alt=f"after {label} ({shown.version}): {what}",
            )
            self.view.code = self._code(job)
            self.version.layout.display = "" if shown.has_composite else "none"
            self.result_caption.value = (
                f"<b>{html.escape(label)}</b> {html.escape(what)} "
                f"<span class='iw-muted'>· {_size_label(shown.image)} · {html.escape(job.request_id)}</span>"
            )
            self.result_box.layout.display = "flex"
        self._shown, self._wanted, self._on_view = key, None, shown

    def _failed_view(self, key: tuple[str, str], error: Exception) -> None:
        if key == self._wanted:
            self._wanted = None
            self.say(f"could not show this result: {getattr(error, 'strerror', None) or error}", error=True)

    def _add_to_strip(self, job: Job) -> None:
        key = self._key(job)
        if key in self._in_strip:
            return
        self._in_strip.add(key)
        self.home.in_thread(lambda: _thumbnail(job), lambda thumb: self._put_in_strip(job, thumb))

    def _put_in_strip(self, job: Job, thumb: tuple[str, int, int]) -> None:
        data, width, height = thumb
        number = self.jobs.index(job) + 1
        params = job.params
        label = str(params.get("prompt") or resolution_label(params.get("resolution", "")))
        # an <img> with real alt text (ipywidgets' Image has no alt, and its tooltip breaks its view)
        image = w.HTML(
            f'<img src="data:image/png;base64,{data}" alt="result #{number}: {html.escape(label)}" '
            f'width="{width}" height="{height}">'
        )
        image.add_class("iw-history-thumb")
        speed = html.escape(str(params.get("rendering_speed", "")).lower())
        caption = f"#{number} · {speed}<br>seed {html.escape(str(params.get('seed', '—')))}"
        button = w.Button(
            description=f"#{number}", tooltip=f"show result #{number}", layout=w.Layout(width=f"{THUMB}px")
        )
        button.on_click(lambda _: self.select(job))
        cell = w.VBox(
            [image, w.HTML(f"<div class='iw-thumb-caption' style='width:{THUMB}px'>{caption}</div>"), button]
        )
        cell.job = job
        with self.hold_sync():
            self.strip.children = (cell, *self.strip.children)
            self.strip_box.layout.display = "flex"

    # ----------------------------------------------------------------- actions

    def save(self, path: str | Path) -> Path | None:
        """Write the result on view (the composite or the service's output, as toggled), byte for byte as
        Save downloads it, to ``path``. Returns the path, or None (and says why in the widget)."""
        shown = self.shown()
        if shown is None:
            self.say("there is no result to save yet", error=True)
            return None
        if not str(path).strip():
            self.say("type a file name first, e.g. result.png", error=True)
            return None
        target = Path(path)
        try:
            target.write_bytes(shown.data)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            self.say(f"could not save: {getattr(exc, 'strerror', None) or exc}", error=True)
            return None
        self.say(f"saved to {target.resolve()}")
        return target

    def use_as_input(self) -> Image.Image | None:
        """Hand the result on view to ``on_use`` (the widget makes it the new input)."""
        shown = self.shown()
        job = self._shown_job()
        if shown is None or job is None or self.on_use is None:
            return None
        self.on_use(shown.image)
        self.before = shown.image
        self.source_path = None  # from now on the code names the journal's copy of the new input
        self.say("the result is now the input: draw a new mask or pick a new resolution")
        return shown.image

    def _code(self, job: Job) -> str:
        files: dict[str, str] = {}
        notes: list[str] = []
        _, source = self._started_from.get(self._key(job), (None, None))
        for key, ref in job.inputs.items():
            if isinstance(ref, dict) and ref.get("url"):
                files[key] = str(ref["url"])
            elif isinstance(ref, dict) and ref.get("path") and self.journal is not None:
                files[key] = str(self.journal.path(str(ref["path"])))
                what = "the image" if key == "image" else f"the {key}"
                notes.append(f"{what}: the copy kept in the journal of what was sent ({files[key]})")
        if source is not None and source.is_file():
            files["image"] = str(source)
            notes = [n for n in notes if not n.startswith("the image:")]
        return reproduce_code(job.model_id, job.params, files, notes=notes)

    def show_code(self) -> str | None:
        """The Python that reproduces the run on view (also what "Copy as code" copies)."""
        job = self._shown_job() or self.selected
        return None if job is None else self._code(job)

    def say(self, text: str, *, error: bool = False) -> None:
        """Show a line under the result view (what Save did, or why it could not)."""
        kind = "error" if error else "done"
        self.message.value = f"<span class='iw-state iw-state-{kind}'>{html.escape(text)}</span>"


def _has_result(job: Job) -> bool:
    return job.done and job.result is not None and len(job.result) > 0


def _prepare(job: Job, version: str, before: Image.Image | None) -> tuple[ShownResult, bytes]:
    """On a thread: the result's file and picture, and the "before" as display PNG bytes."""
    shown = ShownResult(job, version)
    if before is not None and not job.model_id.endswith("/edit"):
        before = _placed(before, shown.image.size)
    return shown, b"" if before is None else display_png(before)


def thumbnail_png(image: Image.Image, side: int = THUMB) -> tuple[str, int, int]:
    """A small copy of ``image`` (at most ``side`` px a side) as base64 PNG text, and its size.

    Example:
        >>> thumbnail_png(Image.new("RGB", (300, 150)))[1:]
        (96, 48)
    """
    small = image.copy()
    small.thumbnail((side, side))
    data = base64.b64encode(encode_png(small, compress_level=1)).decode("ascii")
    return data, small.width, small.height


def _thumbnail(job: Job) -> tuple[str, int, int]:
    """On a thread: the history strip's thumbnail of ``job``'s result."""
    return thumbnail_png(ShownResult(job, "composite").image)


def _size_label(image: Image.Image) -> str:
    try:
        return Resolution.parse(image.size).label
    except InputError:  # not one of the 69 (an edit keeps the original's size)
        return f"{image.width}×{image.height}"


def _placed(source: Image.Image, size: tuple[int, int]) -> Image.Image:
    """The reframe's "before": the source where the service puts it in the output frame, the rest empty."""
    width, height = size
    try:
        left, top, pw, ph = Resolution.parse(size).placement(source.size)
    except InputError:  # an output that is not one of the 69: fit and centre
        scale = min(width / source.width, height / source.height)
        pw, ph = round(source.width * scale), round(source.height * scale)
        left, top = (width - pw) // 2, (height - ph) // 2
    frame = Image.new("RGBA", size, (0, 0, 0, 0))
    frame.paste(source.convert("RGBA").resize((pw, ph), Image.Resampling.BILINEAR), (left, top))
    return frame
