"""After a kernel restart: :func:`resume` re-attaches to unfinished jobs and says what it did.

``resume()`` never submits anything. For every open journal entry it can reach (its recorded backend has a
client: the one given, or what ``client_for(base_url)`` answers) and that no other live process follows
(an owner lease, see :mod:`._store`), it takes the job over and follows the request id again (a job still
queued or running), or fetches a fresh result answer and downloads the files (a job that completed while
nobody watched). An entry caught mid-submit by a dead process cannot be followed: if its bytes never left
the machine it is closed as *not sent* (nothing was paid); if they may have, it is closed with
``SubmitUncertainError`` naming the backend to check, because resending could pay for the job twice.

The answer is a :class:`ResumeReport`: the Jobs taken (a list, as before), ``left`` (the entries not
taken, and why) and ``skipped`` (malformed entries).

Example (a notebook cell, after a restart)::

    import ideogram_widgets as iw
    report = iw.resume()                # the Jobs, polling again in the background
    report                              # <ResumeReport: took 2 jobs …; left 1: …>
    outputs = [await job for job in report]
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any, ClassVar

from ..api import DEFAULT_BASE_URL, AsyncClient, SubmitUncertainError
from ._errors import JobNotSentError, StorageError
from ._history import JobRecord, record_of
from ._job import Job
from ._journal import Journal
from ._manager import JobManager, live_jobs, manager_for
from ._owner import BOOT, Owner
from ._records import entry_of, follow_of, job_from_entry
from ._runtime import current_loop

__all__ = ["ClientFor", "ResumeReport", "resume", "set_report_view"]

log = logging.getLogger("ideogram_widgets.jobs")

ClientFor = Callable[[str], AsyncClient | None]
"""Given a recorded base URL, a client for that backend, or None when it cannot be reached."""


class ResumeReport(list[Job]):
    """What :func:`resume` did: the Jobs it took (this is a list of them), what it ``left`` and why
    (``(JobRecord, reason)`` pairs), and how many malformed entries it ``skipped``.

    Example:
        >>> report = ResumeReport()
        >>> report
        <ResumeReport: nothing to resume>
    """

    show: ClassVar[Callable[[ResumeReport], None] | None] = None
    """How a notebook displays a report, installed from above ``jobs/`` by :func:`set_report_view` (the
    widgets' :class:`~ideogram_widgets.widgets._resume_view.ResumeView`); None prints the repr."""

    def __init__(self, jobs: list[Job] | None = None) -> None:
        super().__init__(jobs or [])
        self.left: list[tuple[JobRecord, str]] = []
        self.skipped = 0

    def _ipython_display_(self) -> None:
        if ResumeReport.show is None:
            print(repr(self))
        else:
            ResumeReport.show(self)

    @property
    def not_sent(self) -> list[JobRecord]:
        """Entries closed because their submit never left this machine (nothing was paid)."""
        return [record for record, why in self.left if why.startswith("not sent")]

    def taken_by_backend(self) -> dict[str, int]:
        """How many jobs were taken, per backend label (in the order first seen)."""
        counts: dict[str, int] = {}
        for job in self:
            counts[job.backend or "?"] = counts.get(job.backend or "?", 0) + 1
        return counts

    def left_by_reason(self) -> dict[str, int]:
        """How many entries were left, per reason (in the order first seen)."""
        counts: dict[str, int] = {}
        for _, why in self.left:
            counts[why] = counts.get(why, 0) + 1
        return counts

    def __repr__(self) -> str:
        if not self and not self.left and not self.skipped:
            return "<ResumeReport: nothing to resume>"
        parts = []
        if self:
            where = ", ".join(f"{n} on {label}" for label, n in self.taken_by_backend().items())
            parts.append(f"took {len(self)} job{'s' * (len(self) != 1)} ({where})")
        if self.left:
            reasons = "; ".join(f"{n}× {why}" for why, n in self.left_by_reason().items())
            parts.append(f"left {len(self.left)}: {reasons}")
        if self.skipped:
            parts.append(f"{self.skipped} malformed entr{'ies' if self.skipped != 1 else 'y'} skipped")
        return f"<ResumeReport: {'; '.join(parts)}>"


def set_report_view(show: Callable[[ResumeReport], None] | None) -> None:
    """Install how a notebook displays a :class:`ResumeReport` (``jobs/`` draws nothing itself: the
    widgets package installs its ResumeView when it is imported, as it installs the batch progress bar
    with :func:`~._progress.set_progress_bar`). ``None`` goes back to printing the repr."""
    ResumeReport.show = show


def resume(
    *,
    client: AsyncClient | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    manager: JobManager | None = None,
    keep_images: bool = True,
    client_for: ClientFor | None = None,
) -> ResumeReport:
    """Re-attach to every unfinished job in the journal that can be reached; never submits anything.

    ``client``/``manager``: follow the jobs of that backend. ``client_for``: a client for each recorded
    base URL (None = unreachable), so jobs of every backend are followed (``ideogram_widgets.resume()``
    passes one). Jobs this process or another live process already follows are left alone (a dead or
    silent owner's are taken over). Returns a :class:`ResumeReport` (the Jobs, oldest first).
    """
    if manager is None and (client is not None or client_for is None):
        manager = manager_for(client, journal)
    book = manager.journal if manager is not None else _journal(journal)
    managers: dict[str, JobManager | None] = {}
    if manager is not None:
        managers[manager.client.base_url] = manager
    report = ResumeReport()
    report.skipped = book.sync_legacy()
    followed = {job.job_id for job in live_jobs()}
    me = Owner.current()
    for job_id, base_url, entry in book.open_entries():
        if job_id in followed:
            continue
        if entry is None:
            report.skipped += 1
            continue
        record = record_of(entry, book)
        url = base_url or (manager.client.base_url if manager is not None else "")
        target = _manager_for(url, managers, manager, client_for, book)
        if target is None:
            report.left.append((record, _unreachable(record, url, client_for)))
            continue
        try:
            taken, why = book.claim(job_id, me)
        except StorageError as exc:
            taken, why = False, f"the journal cannot be written ({exc.reason})"
        if not taken:
            report.left.append((record, why))
            continue
        if not entry.get("request_id"):
            job = _close_mid_submit(entry, target, keep_images)
            if job.state == "not_sent":
                report.left.append((record_of(entry_of_closed(job, entry), book), _NOT_SENT))
            else:
                report.append(job)
            continue
        follow = follow_of(
            entry,
            current_loop(),
            keep_images=keep_images,
            needs_download=entry.get("state") == "completed",
        )
        job = job_from_entry(entry, target.journal, follow=follow)
        report.append(target.follow(job, follow))
    if report.left:
        log.info("resume(): %r", report)
    return report


_NOT_SENT = "not sent: the process ended before the submit left this machine (nothing was paid)"


def _journal(journal: Journal | str | os.PathLike[str] | None) -> Journal:
    return journal if isinstance(journal, Journal) else Journal(journal)


def _manager_for(
    url: str,
    managers: dict[str, JobManager | None],
    given: JobManager | None,
    client_for: ClientFor | None,
    journal: Journal,
) -> JobManager | None:
    if url in managers:
        return managers[url]
    made: JobManager | None = None
    if client_for is not None:
        client = client_for(url)
        if client is not None:
            made = JobManager(client, journal)
    managers[url] = made
    return made


def _unreachable(record: JobRecord, url: str, client_for: ClientFor | None) -> str:
    where = f"{record.backend} at {url}" if record.backend else url or "an unrecorded backend"
    if client_for is None:
        return f"another backend ({where}): pass client_for=… or call ideogram_widgets.resume()"
    return f"{where} cannot be reached from here"


def _where_to_check(record: JobRecord) -> str:
    url, created = record.base_url, record.created_at
    label = record.backend or url or "the service"
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(created)) if created else "that time"
    if url.rstrip("/") == DEFAULT_BASE_URL.rstrip("/"):
        return f"check the RunComfy dashboard for a job created at {stamp}"
    root = url.rstrip("/").removesuffix("/v1")
    return f"check {label}'s job list ({root}/_sandbox/jobs on a sandbox) for one created at {stamp}"


def _may_have_left(entry: dict[str, Any]) -> bool:
    """Whether a mid-submit entry's request body can have left the machine (see :mod:`._submission`)."""
    state = entry.get("state")
    if state == "sent":
        return True
    if state != "leaving":
        return False  # submitting, sending: recorded before the transport had the request
    owner = entry.get("owner")
    boot = owner.get("boot") if isinstance(owner, dict) else None
    return not (BOOT and boot == BOOT)  # after a reboot an unflushed "sent" may have been lost


def _close_mid_submit(entry: dict[str, Any], manager: JobManager, keep_images: bool) -> Job:
    follow = follow_of(entry, current_loop(), keep_images=keep_images)
    job = job_from_entry(entry, manager.journal, follow=follow)
    record = record_of(entry, manager.journal)
    label = follow.label or record.base_url or "the service"
    if _may_have_left(entry):
        exc: Exception = SubmitUncertainError(
            f"the process that submitted this job ended after its request left for {label} but before "
            f"the answer was recorded: the job may exist there ({_where_to_check(record)}); it was not "
            "resent",
            submitted_at=record.created_at,
        )
        job.finish(state="failed", exc=exc)
    else:
        job.finish(
            state="not_sent",
            exc=JobNotSentError(
                f"the process that was submitting this job to {label} ended before the request left this "
                "machine: nothing reached the service and nothing was paid; submit it again if wanted"
            ),
        )
    try:
        manager.journal.write(entry_of(job, follow), owner=follow.owner)
    except StorageError as exc:
        log.warning("could not close the journal entry %s: %s", job.job_id, exc)
    return job


def entry_of_closed(job: Job, entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as it was closed (for the report)."""
    error = {"type": type(job.exception).__name__, "message": job.error}
    return {**entry, "state": job.state, "error": error}
