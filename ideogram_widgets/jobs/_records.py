"""Journal entries ⇄ Jobs, and what an entry says about the job's fate.

An entry is a plain JSON object (see :mod:`._journal`); its keys: ``id``, ``request_id``, ``model_id``,
``backend`` (the label users read), ``base_url``, ``state``, ``params``, ``inputs``, ``created_at``,
``submitted_at``, ``updated_at``, ``finished_at``, ``urls``, ``files`` and ``composites``
(``[{"sha256", "path", "bytes"}]``), ``downloaded``, ``error`` (``{"type", "message", ...}``), ``owner``
(``{"pid", "host", "start", "boot"}``). While a submit is on its way ``state`` is ``sending`` (about to be
handed to the transport), ``leaving`` (its body about to be written), then ``sent`` (being written); 0.1
wrote ``submitting``. See :mod:`._submission` for what each means after a crash.

Example:
    >>> needs_resume({"request_id": "r1", "state": "in_progress"})
    True
    >>> needs_resume({"request_id": "r1", "state": "completed", "downloaded": True})
    False
"""

from __future__ import annotations

import asyncio
from typing import Any

from ._errors import PollingStoppedError, error_from_record, error_record
from ._follow import Follow
from ._history import record_of
from ._job import Job
from ._journal import Journal
from ._owner import Owner
from ._rows import refs
from ._store import is_open

__all__ = ["entry_of", "job_from_entry", "needs_resume", "owner_alive"]


def owner_alive(record: Any) -> bool:
    """True when the process that wrote ``record`` (an entry's ``owner``) may still run: on this host,
    its pid exists and started when it said; another host's owner only its lease can tell about."""
    found = Owner.from_record(record)
    return found is not None and found.alive()


def needs_resume(entry: dict[str, Any]) -> bool:
    """True for a job that is unfinished here: still running on the service, or completed but not
    downloaded, or caught mid-submit."""
    return is_open(entry)


def entry_of(job: Job, follow: Follow) -> dict[str, Any]:
    """The journal entry of a job, as it stands."""
    state = follow.last_state if job.state == "stopped" else job.state
    if state == "submitting" and follow.submit_stage:
        state = follow.submit_stage
    entry: dict[str, Any] = {
        "id": job.job_id,
        "request_id": job.request_id or None,
        "model_id": job.model_id,
        "backend": job.backend,
        "label": follow.label or job.backend,
        "base_url": follow.base_url or None,
        "state": state,
        "queue_position": job.queue_position,
        "params": dict(job.params),
        "inputs": dict(job.inputs),
        "created_at": job.created_at,
        "submitted_at": job.submitted_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
        "urls": list(job.urls),
        "files": list(follow.file_refs),
        "composites": list(follow.composite_refs),
        "downloaded": follow.downloaded,
        "error": _error(job.exception),
        "owner": follow.owner.record(),
    }
    if follow.download_error is not None:
        entry["download_error"] = follow.download_error
    return entry


def follow_of(entry: dict[str, Any], loop: asyncio.AbstractEventLoop, **options: Any) -> Follow:
    """The bookkeeping a resumed job starts from."""
    base_url, label = entry.get("base_url"), entry.get("label") or entry.get("backend")
    return Follow(
        loop,
        base_url=base_url if isinstance(base_url, str) else "",
        label=label if isinstance(label, str) else "",
        file_refs=refs(entry, "files"),
        composite_refs=refs(entry, "composites"),
        downloaded=bool(entry.get("downloaded")),
        **options,
    )


def job_from_entry(
    entry: dict[str, Any],
    journal: Journal,
    loop: asyncio.AbstractEventLoop | None = None,
    follow: Follow | None = None,
) -> Job:
    """A Job showing what the entry recorded (followed with ``follow``, else only shown); the entry is
    read by :func:`~._history.record_of`, the one parser of entries."""
    record = record_of(entry, journal)
    job = Job(
        loop=loop,
        follow=follow,
        job_id=record.job_id,
        request_id=record.request_id,
        model_id=record.model_id,
        backend=record.backend,
        state=record.state,
        params=dict(record.params),
        inputs=dict(record.inputs),
        created_at=record.created_at,
        submitted_at=record.submitted_at,
        updated_at=record.updated_at,
        urls=list(record.urls),
    )
    if record.error_record and record.finished:
        exc = error_from_record(record.error_record)
        job.apply(exception=exc, error=str(exc))
    output = record.output()
    if output is not None and output.paths:
        job.apply(result=output, files=[str(p) for p in output.paths])
    return job


def _error(exc: BaseException | None) -> dict[str, Any] | None:
    # a stop is this process's business, not the job's: the entry stays open for resume()
    if exc is None or isinstance(exc, PollingStoppedError):
        return None
    return error_record(exc)
