"""Journal entries ⇄ Jobs, and what an entry says about the job's fate.

An entry is a plain JSON object (see :mod:`.journal`); its keys: ``id``, ``request_id``, ``model_id``,
``backend``, ``base_url``, ``state``, ``params``, ``inputs``, ``created_at``, ``submitted_at``,
``updated_at``, ``finished_at``, ``urls``, ``files`` (``[{"sha256", "path", "bytes"}]``), ``downloaded``,
``error`` (``{"type", "message", ...}``), ``owner`` (``{"pid", "host"}``).

Example:
    >>> needs_resume({"request_id": "r1", "state": "in_progress"})
    True
    >>> needs_resume({"request_id": "r1", "state": "completed", "downloaded": True})
    False
"""

from __future__ import annotations

import asyncio
import os
import socket
from pathlib import Path
from typing import Any

from .errors import PollingStoppedError, error_from_record, error_record
from .job import Job, Output
from .journal import Journal

__all__ = ["entry_of", "job_from_entry", "needs_resume", "owner", "owner_alive"]

CLOSED_STATES = frozenset({"failed", "cancelled", "expired"})


def owner() -> dict[str, Any]:
    """Which process follows a job (so another process can tell whether it is still alive)."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


def owner_alive(record: Any) -> bool:
    """True when the process that wrote ``record`` (an entry's ``owner``) still runs on this host."""
    if not isinstance(record, dict) or record.get("host") != socket.gethostname():
        return False
    pid = record.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists but is not ours to signal
        return True
    return True


def needs_resume(entry: dict[str, Any]) -> bool:
    """True for a job that is unfinished here: still running on the service, or completed but not
    downloaded, or caught mid-submit."""
    state = str(entry.get("state") or "")
    if not entry.get("request_id"):
        return state == "submitting"
    if state in CLOSED_STATES:
        return False
    return not (state == "completed" and entry.get("downloaded"))


def entry_of(job: Job) -> dict[str, Any]:
    """The journal entry of a job, as it stands."""
    extra = job._extra
    entry: dict[str, Any] = {
        "id": job.job_id,
        "request_id": job.request_id or None,
        "model_id": job.model_id,
        "backend": job.backend,
        "base_url": extra.get("base_url"),
        "state": extra.get("last_state", "submitting") if job.state == "stopped" else job.state,
        "queue_position": job.queue_position,
        "params": dict(job.params),
        "inputs": dict(job.inputs),
        "created_at": job.created_at,
        "submitted_at": job.submitted_at,
        "updated_at": job.updated_at,
        "finished_at": job.finished_at,
        "urls": list(job.urls),
        "files": list(extra.get("file_refs", [])),
        "downloaded": bool(extra.get("downloaded", False)),
        "error": _error(job.exception),
        "owner": extra.get("owner") or owner(),
    }
    return entry


def job_from_entry(
    entry: dict[str, Any], journal: Journal, loop: asyncio.AbstractEventLoop | None = None
) -> Job:
    """A Job showing what the entry recorded (not followed yet)."""
    params = entry.get("params")
    inputs = entry.get("inputs")
    job = Job(
        loop=loop,
        job_id=str(entry["id"]),
        request_id=str(entry.get("request_id") or ""),
        model_id=str(entry.get("model_id") or ""),
        backend=str(entry.get("backend") or ""),
        state=str(entry.get("state") or "unknown"),
        params=params if isinstance(params, dict) else {},
        inputs=inputs if isinstance(inputs, dict) else {},
        created_at=float(entry.get("created_at") or 0.0),
        submitted_at=_float(entry.get("submitted_at")),
        updated_at=float(entry.get("updated_at") or entry.get("created_at") or 0.0),
        urls=[u for u in entry.get("urls") or [] if isinstance(u, str)],
    )
    refs = [r for r in entry.get("files") or [] if isinstance(r, dict) and r.get("path")]
    job._extra.update(
        base_url=entry.get("base_url"),
        file_refs=refs,
        downloaded=bool(entry.get("downloaded")),
    )
    if entry.get("error") and not needs_resume(entry):
        exc = error_from_record(entry["error"])
        job.apply(exception=exc, error=str(exc))
    if entry.get("downloaded") and refs:
        paths = tuple(journal.path(str(r["path"])) for r in refs)
        output = Output(job.request_id, job.model_id, paths, tuple(job.urls))
        job.apply(result=output, files=[str(p) for p in paths])
    return job


def _error(exc: BaseException | None) -> dict[str, Any] | None:
    # a stop is this process's business, not the job's: the entry stays open for resume()
    if exc is None or isinstance(exc, PollingStoppedError):
        return None
    return error_record(exc)


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def result_paths(entry: dict[str, Any], journal: Journal) -> list[Path]:
    """The local result files an entry refers to."""
    return [journal.path(str(r["path"])) for r in entry.get("files") or [] if isinstance(r, dict)]
