"""Cleaning the journal: forget old finished jobs and the cached files nothing refers to any more.

Unfinished jobs (anything ``resume()`` would take) and every file they refer to are never touched.

Example::

    import ideogram_widgets as iw
    iw.prune(older_than=30 * 86400, dry_run=True)   # what would go: entries, files, bytes
    iw.prune(max_bytes=500 * 2**20)                  # keep the cache under 500 MiB, oldest jobs first
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._errors import StorageError
from ._journal import Journal
from ._rows import decode, file_refs, instant

__all__ = ["PruneReport", "prune"]


@dataclass
class PruneReport:
    """What :func:`prune` removed (or, with ``dry_run``, would remove).

    Example:
        >>> PruneReport(dry_run=True)
        <PruneReport (dry run): would remove 0 entries and 0 files (0 bytes)>
    """

    entries: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    bytes: int = 0
    dry_run: bool = False

    def __repr__(self) -> str:
        verb = "would remove" if self.dry_run else "removed"
        head = "PruneReport (dry run)" if self.dry_run else "PruneReport"
        return (
            f"<{head}: {verb} {len(self.entries)} entries and {len(self.files)} files ({self.bytes:,} bytes)>"
        )


def prune(
    *,
    older_than: float | dt.timedelta | None = None,
    max_bytes: int | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    dry_run: bool = False,
) -> PruneReport:
    """Forget finished jobs created more than ``older_than`` ago (seconds or a timedelta), and/or the
    oldest finished jobs until the cached files (results, composites, inputs) take at most
    ``max_bytes``; then delete the files no remaining entry refers to. ``dry_run``: only report.

    Unfinished jobs and their files are always kept. Returns a :class:`PruneReport`.

    Example::

        >>> ideogram_widgets.prune(older_than=dt.timedelta(days=30), dry_run=True)   # doctest: +SKIP
        <PruneReport (dry run): would remove 120 entries and 240 files (61,440,000 bytes)>
    """
    if older_than is None and max_bytes is None:
        raise ValueError("prune() needs older_than= (seconds or a timedelta) and/or max_bytes=")
    seconds = older_than.total_seconds() if isinstance(older_than, dt.timedelta) else older_than
    if (seconds is not None and seconds < 0) or (max_bytes is not None and max_bytes < 0):
        raise ValueError("older_than and max_bytes must not be negative")
    book = journal if isinstance(journal, Journal) else Journal(journal)
    book.sync_legacy()
    cutoff = time.time() - seconds if seconds is not None else None
    sizes = _cached_files(book)
    refs: dict[str, list[str]] = {}
    finished: list[tuple[float, str]] = []
    count: Counter[str] = Counter()
    for job_id, created, is_open, body in _every_row(book):
        entry = decode(body, job_id, created)
        refs[job_id] = file_refs(entry) if entry is not None else []
        count.update(refs[job_id])
        if not is_open:
            finished.append((instant(created) or 0.0, job_id))
    finished.sort()
    total = sum(sizes.values())
    going: list[str] = []
    freed: set[str] = set()

    def drop(job_id: str) -> None:
        nonlocal total
        going.append(job_id)
        for path in refs[job_id]:
            count[path] -= 1
            if count[path] == 0 and path in sizes:
                freed.add(path)
                total -= sizes[path]

    orphans = [path for path in sizes if count[path] == 0]
    if max_bytes is None:
        orphans = [path for path in orphans if cutoff is not None and _mtime(book.path(path)) < cutoff]
    freed.update(orphans)
    total -= sum(sizes[path] for path in orphans)
    for created, job_id in finished:
        if cutoff is not None and created < cutoff:
            drop(job_id)
    for _, job_id in finished:
        if max_bytes is None or total <= max_bytes:
            break
        if job_id not in going:
            drop(job_id)
    orphans = sorted(freed)
    report = PruneReport(
        entries=going,
        files=[book.path(p) for p in sorted(orphans)],
        bytes=sum(sizes[p] for p in orphans),
        dry_run=dry_run,
    )
    if dry_run:
        return report
    book.remove(going)
    for job_id in going:
        legacy = book.jobs_dir / f"{job_id}.json"
        try:
            legacy.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(legacy, exc.strerror or exc) from None
    for path in report.files:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:
            raise StorageError(path, exc.strerror or exc) from None
    return report


def _cached_files(book: Journal) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for folder in ("results", "inputs"):
        root = book.home / folder
        try:
            names = os.listdir(root)
        except OSError:
            continue
        for name in names:
            if name.startswith("."):
                continue
            try:
                sizes[f"{folder}/{name}"] = (root / name).stat().st_size
            except OSError:
                continue
    return sizes


def _every_row(book: Journal) -> list[tuple[Any, ...]]:
    try:
        return list(book.store.select("SELECT id, created_at, open, body FROM entries"))
    except sqlite3.Error as exc:
        raise StorageError(book.store.path, exc, what="(read) the job journal") from None


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")
