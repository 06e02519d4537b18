"""Earlier runs: the journal's past edits (in an EditWidget) or reframes (in a ReframeWidget), newest
first, in a section that is closed until the user opens it.

Each row says when the run was made, its prompt (or resolution) and its state, with a small picture of
the result when its files are still on disk ("files pruned" when :func:`~ideogram_widgets.prune` removed
them). "Show" puts the run's result (an edit's composite) in the widget's result view, with Save, Copy as
code and Use as input, as for the widget's own jobs. "Show 10 more" reads the next page.

Nothing is read until the section is opened, and then one page at a time (``history(limit=…)`` reads
through the journal's index: a page costs about the same with 100 or 100,000 past jobs). Reading the
journal and decoding pictures happens on a widgets thread; the rows are set back on the kernel's loop.

Example (a notebook cell)::

    widget = iw.EditWidget(photo)
    widget.earlier_runs.expand()          # what a click on "▸ Earlier runs" does
    widget.earlier_runs.rows.children[0].show_button.click()
    widget.panel.shown().image            # that run's composite, now in the result view
"""

from __future__ import annotations

import functools
import html
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w
from PIL import Image

from ..jobs import JobRecord, Journal, history
from ..jobs._output import read_images
from ..jobs._records import job_from_entry
from ._controls import Section
from ._home_loop import HomeLoop
from ._job_row import resolution_label
from ._job_view import JobsPanel, thumbnail_png

__all__ = ["EarlierRuns", "RunRow", "describe_run", "when_label"]

PAGE = 10
THUMB_SIDE = 56
# a page of one kind looks this far down the journal at most (the other kind's runs are skipped):
# bounded, so a journal of 100,000 reframes never makes an EditWidget read all of them at once
SCAN_LIMIT = 500


def when_label(epoch: float, now: float | None = None) -> str:
    """When a run was made, in the user's local time: ``"today 14:05"``, ``"3 Mar 14:05"``, or with the
    year when it was another year.

    Example:
        >>> when_label(0.0, now=400 * 86400.0).endswith("1970")
        True
    """
    then, today = time.localtime(epoch), time.localtime(time.time() if now is None else now)
    clock = time.strftime("%H:%M", then)
    if then[:3] == today[:3]:
        return f"today {clock}"
    day = f"{then.tm_mday} {time.strftime('%b', then)}"
    return f"{day} {clock}" if then.tm_year == today.tm_year else f"{day} {then.tm_year}"


def describe_run(record: JobRecord) -> str:
    """What a run asked for: its prompt (edits) or its resolution (reframes).

    Example:
        >>> describe_run(JobRecord("j", "r", "ideogram/ideogram-v3/reframe", "completed",
        ...                        params={"resolution": "1536x640"}))
        '1536×640 (12:5)'
    """
    if record.model_id.endswith("/reframe"):
        return resolution_label(record.params.get("resolution", "")) or "reframe"
    return str(record.params.get("prompt") or "(no prompt)")


def _result_file(record: JobRecord) -> Path | None:
    """The file a run is shown by: an edit's composite when there is one, else the service's output."""
    files = (*record.composites, *record.files)
    return files[0] if files else None


def _files_on_disk(record: JobRecord) -> bool:
    """On a thread: whether the run was downloaded and every file it kept is still on disk."""
    files = (*record.composites, *record.files)
    return record.downloaded and bool(files) and all(p.is_file() for p in files)


def _state_text(record: JobRecord, pruned: bool) -> str:
    if record.state == "completed" and record.downloaded:
        return "completed · files pruned" if pruned else "completed"
    if record.state == "completed":
        return "completed · result not downloaded yet"
    if record.state == "failed":
        return f"failed: {record.error or 'the service gave no reason'}"
    return record.state + (" (resume() can pick it up)" if record.unfinished else "")


@dataclass(frozen=True)
class _Page:
    records: list[JobRecord]
    on_disk: list[bool]  # whether each record's result files are all still there
    scanned: int  # how many history rows the page looked at
    exhausted: bool  # the journal has nothing older


class RunRow(w.HBox):
    """One earlier run: a small picture (or why there is none), when · what · state, and Show.

    Example:
        >>> record = JobRecord("j1", "r1", "ideogram/ideogram-v3/edit", "failed", params={"prompt": "a moon"})
        >>> row = RunRow(record, print, has_files=False)
        >>> row.what, row.show_button.disabled
        ('a moon', True)
    """

    def __init__(self, record: JobRecord, on_show: Callable[[RunRow], None], *, has_files: bool) -> None:
        self.record = record
        self.when = when_label(record.created_at)
        self.what = describe_run(record)
        self.has_files = has_files
        self.pruned = record.downloaded and not has_files
        self.thumb = w.HTML(
            self._placeholder("…" if has_files else ("files pruned" if self.pruned else "no result"))
        )
        self.thumb.add_class("iw-run-thumb")
        state = _state_text(record, self.pruned)
        speed = str(record.params.get("rendering_speed") or "").lower()
        seed = record.params.get("seed")
        settings = " · ".join([s for s in (speed, f"seed {seed}" if seed is not None else "") if s])
        state = " · ".join([state, settings]) if settings else state
        self.text = w.HTML(
            f"<span class='iw-run-when'>{html.escape(self.when)}</span> · "
            f"<span class='iw-run-what'>{html.escape(self.what)}</span><br>"
            f"<span class='iw-muted'>{html.escape(state)}</span>",
            layout=w.Layout(flex="1 1 160px", min_width="0"),
        )
        self.show_button = w.Button(
            description="Show",
            tooltip=f"show the run of {self.when} in the result view",
            disabled=not self.has_files,
            layout=w.Layout(width="72px", flex="0 0 auto"),
        )
        self.show_button.on_click(lambda _: on_show(self))
        super().__init__(
            [self.thumb, self.text, self.show_button],
            layout=w.Layout(align_items="center", grid_gap="8px", width="100%"),
        )
        self.add_class("iw-run-row")

    def _placeholder(self, text: str) -> str:
        return (
            f"<div class='iw-run-placeholder' style='width:{THUMB_SIDE}px;height:{THUMB_SIDE}px'>"
            f"{html.escape(text)}</div>"
        )

    def put_thumbnail(self, thumb: tuple[str, int, int]) -> None:
        """Show the decoded thumbnail (base64 PNG text, width, height)."""
        data, width, height = thumb
        alt = html.escape(f"result of the run of {self.when}: {self.what}")
        self.thumb.value = (
            f'<img src="data:image/png;base64,{data}" alt="{alt}" width="{width}" height="{height}">'
        )


class EarlierRuns(Section):
    """The section "Earlier runs": the journal's past runs of one kind (``"edit"`` or ``"reframe"``),
    a page at a time; "Show" puts one in ``panel``'s result view (see :meth:`JobsPanel.show_run`).

    Example (outside a running loop the page is read at once; in a kernel, on a thread)::

        >>> import tempfile
        >>> runs = EarlierRuns(Journal(tempfile.mkdtemp()), kind="edit", panel=JobsPanel())
        >>> runs.is_open, runs.rows.children
        (False, ())
        >>> runs.expand()
        >>> runs.status.value
        "<span class='iw-muted'>no earlier edit runs in this journal</span>"
    """

    def __init__(
        self,
        journal: Journal,
        *,
        kind: str,
        panel: JobsPanel,
        home: HomeLoop | None = None,
        page_size: int = PAGE,
    ) -> None:
        self.journal = journal
        self.kind = kind
        self.panel = panel
        self.home = home or HomeLoop()
        self.page_size = page_size
        self._scanned = 0  # history rows looked at so far (newest first)
        self._oldest: tuple[float, str] | None = None  # the last row listed: the next page starts below
        self._generation = 0
        self.status = w.HTML()
        self.status.add_class("iw-run-status")
        self.rows = w.VBox(layout=w.Layout(width="100%"))
        self.more_button = w.Button(
            description=f"Show {page_size} more",
            tooltip=f"list the {page_size} runs before these",
            layout=w.Layout(width="140px", display="none"),
        )
        self.more_button.on_click(lambda _: self.load_more())
        body = w.VBox([self.status, self.rows, self.more_button], layout=w.Layout(width="100%"))
        super().__init__("Earlier runs", body)
        self.toggle.tooltip = f"show or hide this journal's earlier {kind} runs"
        self.toggle.observe(self._toggled, "value")
        self.add_class("iw-earlier-runs")

    # ----------------------------------------------------------------- reading the journal

    def expand(self) -> None:
        """Open the section (as a click on its heading does): lists the newest page."""
        self.toggle.value = True

    def _toggled(self, change: Any) -> None:
        if change.new:
            self.reload()

    def reload(self) -> None:
        """List the newest page again (runs made since the section was opened appear)."""
        self._scanned, self._oldest = 0, None
        self._generation += 1
        self.rows.children = ()
        self._read()

    def load_more(self) -> None:
        """List the next page of older runs ("Show 10 more")."""
        self._read()

    def _read(self) -> None:
        generation, scanned, oldest = self._generation, self._scanned, self._oldest
        self.status.value = "<span class='iw-muted'>reading the journal…</span>"
        self.more_button.disabled = True
        self.home.in_thread(
            lambda: self._page(scanned, oldest),
            lambda page: self._listed(generation, page),
            failed=lambda err: self._unreadable(generation, err),
        )

    def _page(self, scanned: int, oldest: tuple[float, str] | None) -> _Page:
        """On a thread: up to ``page_size`` runs of this kind older than ``oldest``, from history pages
        of growing size that start at the newest (bounded by SCAN_LIMIT rows past ``scanned``)."""
        suffix = f"/{self.kind}"
        step = max(3 * self.page_size, 30)
        while True:
            limit = scanned + step
            found = history(journal=self.journal, limit=limit)
            older = [r for r in found if oldest is None or (r.created_at, r.job_id) < oldest]
            mine = [r for r in older if r.model_id.endswith(suffix)][: self.page_size]
            exhausted = len(found) < limit
            if len(mine) == self.page_size or exhausted or step >= SCAN_LIMIT:
                on_disk = [_files_on_disk(r) for r in mine]
                return _Page(mine, on_disk, limit, exhausted and len(mine) < self.page_size)
            step = min(2 * step, SCAN_LIMIT)

    def _listed(self, generation: int, page: _Page) -> None:
        if generation != self._generation:  # reloaded meanwhile
            return
        self._scanned = page.scanned
        pairs = zip(page.records, page.on_disk, strict=True)
        new = [RunRow(r, self.show_run, has_files=there) for r, there in pairs]
        if page.records:
            last = page.records[-1]
            self._oldest = (last.created_at, last.job_id)
        with self.hold_sync():
            self.rows.children = (*self.rows.children, *new)
            shown = len(self.rows.children)
            if not shown:
                where = "in this journal" if page.exhausted else f"among the newest {page.scanned} runs"
                self.status.value = f"<span class='iw-muted'>no earlier {self.kind} runs {where}</span>"
            else:
                more = "" if not page.exhausted else " · that is all"
                self.status.value = f"<span class='iw-muted'>{shown} shown, newest first{more}</span>"
            self.more_button.disabled = False
            self.more_button.layout.display = "none" if page.exhausted else ""
        for row in new:
            if row.has_files:
                self.home.in_thread(functools.partial(_thumbnail_of, row.record), row.put_thumbnail)

    def _unreadable(self, generation: int, error: Exception) -> None:
        if generation == self._generation:
            self.status.value = (
                f"<span class='iw-error-text' role='alert'>⚠ the journal could not be read: "
                f"{html.escape(str(error))}</span>"
            )
            self.more_button.disabled = False

    # ----------------------------------------------------------------- showing one

    def show_run(self, row: RunRow) -> None:
        """Put ``row``'s run in the result view: its entry and input picture are read on a thread."""
        self.home.in_thread(
            lambda: self._read_run(row.record),
            lambda found: self._put(row, *found),
            failed=lambda err: self.panel.say(f"could not show that run: {err}", error=True),
        )

    def _read_run(self, record: JobRecord) -> tuple[dict[str, Any], Image.Image | None]:
        entry = self.journal.read(record.job_id)
        if entry is None:
            raise LookupError(f"the journal no longer has the run {record.job_id}")
        ref = (entry.get("inputs") or {}).get("image")
        before = None
        if isinstance(ref, dict) and isinstance(ref.get("path"), str):
            source = self.journal.path(ref["path"])
            before = read_images([source])[0] if source.is_file() else None
        return entry, before

    def _put(self, row: RunRow, entry: dict[str, Any], before: Image.Image | None) -> None:
        job = job_from_entry(entry, self.journal, loop=self.home.loop)
        if job.result is None:
            self.panel.say("the files of that run were pruned", error=True)
            return
        job.apply(done=True, updated_at=job.updated_at)  # shown only: nothing follows it here
        self.panel.show_run(job, before=before, label=f"the run of {row.when}")


def _thumbnail_of(record: JobRecord) -> tuple[str, int, int]:
    """On a thread: the row's small picture, decoded from the result file."""
    path = _result_file(record)
    assert path is not None  # rows without files never ask
    with Image.open(path) as img:
        img.draft("RGB", (THUMB_SIDE * 2, THUMB_SIDE * 2))  # JPEGs decode at a fraction of their size
        img.load()
        return thumbnail_png(img, THUMB_SIDE)
