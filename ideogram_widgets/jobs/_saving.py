"""Writing a followed job's entry: off the loop, one write at a time per job, newest state last.

A write the disk refuses never stops the job: the request id and everything else stay in memory, the
job shows a warning (``job.warning``, ``job.storage_error``: a typed :class:`StorageError`), and the whole
entry is written again at every later change. A write the journal refuses (it records a more final state,
written by another process, or another process took the job over) means this process no longer has the
last word: :class:`Superseded` tells the poller to adopt what the journal says and stop.

Example (what the poller does after every change)::

    await save(job, follow, manager, durable=False)
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._errors import JournalError, StorageError
from ._follow import Follow
from ._job import Job
from ._records import entry_of
from ._runtime import run_io

if TYPE_CHECKING:
    from ._manager import JobManager

__all__ = ["Superseded", "save"]

log = logging.getLogger("ideogram_widgets.jobs")


class Superseded(Exception):  # noqa: N818 (control flow inside the jobs layer, never shown to users)
    """The journal refused a write: it holds a more final state, or another process owns the job."""

    def __init__(self, entry: dict[str, Any] | None) -> None:
        super().__init__("the journal holds a more final state or another owner")
        self.entry = entry


async def save(
    job: Job,
    follow: Follow,
    manager: JobManager,
    *,
    strict: bool = False,
    durable: bool = True,
    **ahead: Any,
) -> bool:
    """Write the job's entry; True once the disk has it.

    ``strict``: raise :class:`JournalError` when it cannot be written (nothing may be sent then);
    ``durable=False``: no flush (intermediate states the next poll would restore anyway); ``ahead``:
    fields to record before the Job shows them. Raises :class:`Superseded` when the journal refuses."""
    async with follow.journal_lock:
        entry = {**entry_of(job, follow), **ahead}
        journal = manager.journal
        try:
            applied = await run_io(journal.write, entry, durable=durable, owner=follow.owner)
        except StorageError as exc:
            if strict:
                raise JournalError(exc.path, f"{exc.reason}; nothing was sent") from None
            _unsaved(job, follow, exc, entry.get("request_id"))
            return False
        if not applied:
            current = await run_io(journal.read, job.job_id)
            raise Superseded(current)
        if follow.unsaved is not None:
            follow.unsaved = None
            job.apply(warning="", storage_error=None)
        return True


def _unsaved(job: Job, follow: Follow, exc: StorageError, request_id: Any) -> None:
    follow.unsaved = exc
    kept = f"; request {request_id} is kept in memory" if request_id else ""
    log.warning("could not update the journal entry of %s: %s", job.job_id, exc)
    job.apply(
        warning=f"the job journal cannot be written ({exc.reason}){kept}; retried at every change",
        storage_error=exc,
    )
