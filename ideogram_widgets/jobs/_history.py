r"""The journal's past jobs, newest first: :func:`history` and the :class:`JobRecord`\s it returns.

Read through the journal's index: ``history(limit=10)`` reads ten rows whatever the journal's size.
Malformed entries are skipped and counted (``.skipped`` on what is returned), never raised.

Example::

    >>> import ideogram_widgets as iw
    >>> records = iw.history(limit=5)              # doctest: +SKIP
    >>> records.skipped, [r.state for r in records]   # doctest: +SKIP
    (0, ['completed', 'completed', 'failed'])
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from ._journal import Journal
from ._output import Output, read_images
from ._rows import instant, refs
from ._store import is_open

__all__ = ["History", "JobRecord", "history", "record_of"]


@dataclass(frozen=True)
class JobRecord:
    """One past job as the journal recorded it.

    Example:
        >>> JobRecord("20250101T000000-ab", "r1", "ideogram/ideogram-v3/edit", "completed").finished
        True
    """

    job_id: str
    request_id: str
    model_id: str
    state: str
    params: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    finished_at: float | None = None
    files: tuple[Path, ...] = ()
    urls: tuple[str, ...] = ()
    error: str = ""
    error_type: str = ""
    downloaded: bool = False
    backend: str = ""
    unfinished: bool = False
    base_url: str = ""
    composites: tuple[Path, ...] = ()
    submitted_at: float | None = None
    updated_at: float = 0.0
    inputs: dict[str, Any] = field(default_factory=dict)
    """References to the input files kept in the journal."""
    error_record: dict[str, Any] | None = None
    """The error as the journal recorded it (``type``, ``message``, ``status``…), or None."""

    @property
    def finished(self) -> bool:
        """True when nothing more will happen to the job (``resume()`` leaves it alone)."""
        return not self.unfinished

    @property
    def prompt(self) -> str:
        """The prompt (edits) or resolution (reframes)."""
        return str(self.params.get("prompt") or self.params.get("resolution") or "")

    @property
    def images(self) -> list[Image.Image]:
        """The downloaded result images, read from the local cache."""
        return read_images(self.files)

    def output(self) -> Output | None:
        """The downloaded result as an :class:`Output` (files in the local cache), None until downloaded.

        Example:
            >>> JobRecord("j", "r1", "ideogram/ideogram-v3/edit", "completed").output() is None
            True
        """
        if not self.downloaded:
            return None
        return Output(self.request_id, self.model_id, self.files, self.urls, composite_paths=self.composites)

    def __repr__(self) -> str:
        what = self.model_id.rsplit("/", 1)[-1] or "job"
        extra = f" error={self.error[:60]!r}" if self.error else ""
        return f"<JobRecord {what} {self.prompt[:40]!r} {self.state} request={self.request_id or '-'}{extra}>"


class History(list[JobRecord]):
    """What :func:`history` returns: a list of :class:`JobRecord` (newest first), and ``skipped``: how
    many malformed entries were left out."""

    skipped: int = 0

    def __repr__(self) -> str:
        skipped = f", {self.skipped} malformed skipped" if self.skipped else ""
        return f"<History {len(self)} jobs{skipped}: {list.__repr__(self)}>"


def record_of(entry: dict[str, Any], journal: Journal) -> JobRecord:
    """The record of one journal entry: the one reading of an entry's fields, for :func:`history`,
    ``resume()`` and the Jobs it rebuilds, and the poller adopting what another process wrote."""
    error = entry.get("error") if isinstance(entry.get("error"), dict) else None
    params, inputs = entry.get("params"), entry.get("inputs")
    downloaded = bool(entry.get("downloaded"))
    created = instant(entry.get("created_at")) or 0.0
    return JobRecord(
        job_id=str(entry.get("id")),
        request_id=str(entry.get("request_id") or ""),
        model_id=str(entry.get("model_id") or ""),
        state=str(entry.get("state") or "unknown"),
        params=params if isinstance(params, dict) else {},
        created_at=created,
        finished_at=instant(entry.get("finished_at")),
        files=tuple(journal.path(r["path"]) for r in refs(entry, "files")) if downloaded else (),
        urls=tuple(u for u in entry.get("urls") or [] if isinstance(u, str)),
        error=str(error.get("message") or "") if error else "",
        error_type=str(error.get("type") or "") if error else "",
        downloaded=downloaded,
        backend=str(entry.get("label") or entry.get("backend") or ""),
        unfinished=is_open(entry),
        base_url=str(entry.get("base_url") or ""),
        composites=tuple(journal.path(r["path"]) for r in refs(entry, "composites")),
        submitted_at=instant(entry.get("submitted_at")),
        updated_at=instant(entry.get("updated_at")) or created,
        inputs=inputs if isinstance(inputs, dict) else {},
        error_record=error,
    )


def history(
    *,
    journal: Journal | str | os.PathLike[str] | None = None,
    limit: int | None = None,
    unfinished: bool = False,
) -> History:
    """Past jobs from the journal, newest first (``unfinished=True``: only those ``resume()`` would take).

    ``.skipped`` on the result counts the malformed entries left out.

    Example::

        >>> [r.state for r in ideogram_widgets.history(limit=3)]   # doctest: +SKIP
        ['completed', 'completed', 'failed']
    """
    journal = journal if isinstance(journal, Journal) else Journal(journal)
    entries, skipped = journal.recent(limit, unfinished=unfinished)
    found = History(record_of(e, journal) for e in entries)
    found.skipped = skipped
    return found
