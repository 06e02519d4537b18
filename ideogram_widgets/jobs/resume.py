"""After a kernel restart: :func:`history` lists past jobs, :func:`resume` re-attaches to unfinished ones.

``resume()`` never submits anything. For every journal entry of this backend that is not finished here it
starts following the request id again (a job still queued or running), or fetches a fresh result answer
and downloads the files (a job that completed while nobody watched). An entry caught mid-submit by a dead
process (no request id recorded) cannot be followed: it is closed with ``SubmitUncertainError`` saying to
check the dashboard, because resending could pay for the job twice.

Example (a notebook cell, after a restart)::

    import ideogram_widgets as iw
    jobs = iw.resume()                  # the Jobs, polling again in the background
    outputs = [await job for job in jobs]
    iw.history()[:5]                    # the five most recent jobs, finished or not
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from ..api.client import AsyncClient
from ..api.errors import SubmitUncertainError
from .job import Job, read_images
from .journal import Journal
from .manager import JobManager, live_jobs, manager_for
from .records import entry_of, job_from_entry, needs_resume, owner, owner_alive, result_paths

__all__ = ["JobRecord", "history", "resume"]

log = logging.getLogger("ideogram_widgets.jobs")


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

    def __repr__(self) -> str:
        what = self.model_id.rsplit("/", 1)[-1] or "job"
        extra = f" error={self.error[:60]!r}" if self.error else ""
        return f"<JobRecord {what} {self.prompt[:40]!r} {self.state} request={self.request_id or '-'}{extra}>"


def _record(entry: dict[str, Any], journal: Journal) -> JobRecord:
    error = entry.get("error") if isinstance(entry.get("error"), dict) else {}
    params = entry.get("params")
    finished = entry.get("finished_at")
    return JobRecord(
        job_id=str(entry.get("id")),
        request_id=str(entry.get("request_id") or ""),
        model_id=str(entry.get("model_id") or ""),
        state=str(entry.get("state") or "unknown"),
        params=params if isinstance(params, dict) else {},
        created_at=float(entry.get("created_at") or 0.0),
        finished_at=float(finished) if isinstance(finished, int | float) else None,
        files=tuple(result_paths(entry, journal)) if entry.get("downloaded") else (),
        urls=tuple(u for u in entry.get("urls") or [] if isinstance(u, str)),
        error=str(error.get("message") or "") if error else "",
        error_type=str(error.get("type") or "") if error else "",
        downloaded=bool(entry.get("downloaded")),
        backend=str(entry.get("backend") or ""),
        unfinished=needs_resume(entry),
    )


def history(
    *,
    journal: Journal | str | os.PathLike[str] | None = None,
    limit: int | None = None,
    unfinished: bool = False,
) -> list[JobRecord]:
    """Past jobs from the journal, newest first (``unfinished=True``: only those ``resume()`` would take).

    Example::

        >>> [r.state for r in ideogram_widgets.history(limit=3)]   # doctest: +SKIP
        ['completed', 'completed', 'failed']
    """
    journal = journal if isinstance(journal, Journal) else Journal(journal)
    records = [_record(e, journal) for e in reversed(journal.entries())]
    if unfinished:
        records = [r for r in records if r.unfinished]
    return records[:limit] if limit is not None else records


def resume(
    *,
    client: AsyncClient | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    manager: JobManager | None = None,
    keep_images: bool = True,
) -> list[Job]:
    """Re-attach to every unfinished job of this backend in the journal; never submits anything.

    Returns the Jobs, already followed in the background (oldest first). Jobs this process already follows
    are left alone, and so are entries of another backend (their request ids mean nothing here) and those
    another live process is still submitting.
    """
    manager = manager or manager_for(client, journal)
    base_url = manager.client.base_url
    followed = {job.job_id for job in live_jobs()}
    jobs: list[Job] = []
    other_backend = 0
    for entry in manager.journal.entries():
        if not needs_resume(entry) or entry["id"] in followed:
            continue
        if entry.get("base_url") not in (None, base_url):
            other_backend += 1
            continue
        if not entry.get("request_id"):
            job = _close_uncertain(entry, manager)
            if job is not None:
                jobs.append(job)
            continue
        job = job_from_entry(entry, manager.journal)
        job._extra.update(
            owner=owner(), keep_images=keep_images, needs_download=entry["state"] == "completed"
        )
        jobs.append(manager.follow(job))
    if other_backend:
        log.info("resume(): %d unfinished jobs belong to another backend and were left alone", other_backend)
    return jobs


def _close_uncertain(entry: dict[str, Any], manager: JobManager) -> Job | None:
    owner_record = entry.get("owner")
    if (
        isinstance(owner_record, dict)
        and owner_record.get("pid") != os.getpid()
        and owner_alive(owner_record)
    ):
        return None  # another live process is submitting it right now
    job = job_from_entry(entry, manager.journal)
    job.finish(
        state="failed",
        exc=SubmitUncertainError(
            "the process that submitted this job ended before the service's answer was recorded: the job "
            "may exist on the service (check the RunComfy dashboard for one created at this time); it was "
            "not resent",
            submitted_at=float(entry.get("created_at") or 0.0),
        ),
    )
    try:
        manager.journal.write(entry_of(job))
    except OSError as exc:
        log.warning("could not close the journal entry %s: %s", job.job_id, exc)
    return job
