"""The sandbox's jobs on disk, so they outlive the process that serves them (a kernel restart).

Under ``<state_dir>``: ``jobs/<request_id>.json`` (the job's record: state, times, seed, files),
``jobs/<request_id>.input.json`` (the submit's body as it came, to render the job again if the process
died before it was rendered) and ``files/`` (the result PNGs, see :class:`~._files.FileStore`). One small
JSON file per job, replaced atomically (a temporary file renamed into place): a killed process leaves the
old record or the new one, never half of one. No fsync: the sandbox is a stand-in, and a power cut may
cost it its last change, not its folder.

Example:
    >>> import tempfile
    >>> store = JobStore(tempfile.mkdtemp())
    >>> store.save({"request_id": "r1", "state": "in_queue", "created_at": 0.0})
    >>> [r["state"] for r in store.records()]
    ['in_queue']
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import uuid
from pathlib import Path
from typing import Any

from ..api._process import process_exists

__all__ = ["JobStore", "owner_alive"]

log = logging.getLogger("ideogram_widgets.sandbox")

_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
MAX_RECORD = 1024 * 1024


def owner_alive(pid: object) -> bool:
    """True when ``pid`` is another live process on this machine (a sandbox that still serves its jobs);
    False where that cannot be told (Windows): the job is then taken over.

    Example:
        >>> owner_alive(os.getpid()), owner_alive(None)
        (False, False)
    """
    return pid != os.getpid() and process_exists(pid) is True


class JobStore:
    """One folder of job records and inputs; thread-safe (every write is its own atomic rename)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser()
        self.jobs = self.folder / "jobs"
        self.jobs.mkdir(parents=True, exist_ok=True)
        self.files = self.folder / "files"
        self.files.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        return f"JobStore({str(self.folder)!r})"

    def _path(self, request_id: str, suffix: str) -> Path:
        if not _ID.match(request_id):
            raise ValueError(f"not a request id: {request_id!r}")
        return self.jobs / f"{request_id}{suffix}"

    def _atomic(self, target: Path, data: bytes) -> None:
        temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            temp.write_bytes(data)
            os.replace(temp, target)
        except OSError:
            temp.unlink(missing_ok=True)
            raise

    def save(self, record: dict[str, Any]) -> None:
        """Write (or replace) a job's record. A failed write is logged, never raised: the job goes on
        in memory, it only loses its chance to outlive the process."""
        try:
            self._atomic(self._path(record["request_id"], ".json"), json.dumps(record).encode())
        except (OSError, ValueError) as exc:
            log.warning("local sandbox: could not keep job %s on disk: %s", record.get("request_id"), exc)

    def save_input(self, request_id: str, body: bytes) -> None:
        """Keep the submit's body (raw JSON) until the job is rendered and expired."""
        try:
            self._atomic(self._path(request_id, ".input.json"), body)
        except (OSError, ValueError) as exc:
            log.warning("local sandbox: could not keep the input of job %s: %s", request_id, exc)

    def load_input(self, request_id: str) -> bytes | None:
        """The submit's body, or None when it was never kept (or is gone)."""
        try:
            return self._path(request_id, ".input.json").read_bytes()
        except (OSError, ValueError):
            return None

    def drop_input(self, request_id: str) -> None:
        """Forget the body (once the result exists, it is not needed any more)."""
        with contextlib.suppress(OSError, ValueError):
            self._path(request_id, ".input.json").unlink(missing_ok=True)

    def remove(self, request_id: str) -> None:
        """Forget the job (its record and input)."""
        self.drop_input(request_id)
        with contextlib.suppress(OSError, ValueError):
            self._path(request_id, ".json").unlink(missing_ok=True)

    def record(self, request_id: str) -> dict[str, Any] | None:
        """One job's record, or None when there is none (or it cannot be read)."""
        try:
            path = self._path(request_id, ".json")
        except ValueError:
            return None
        return self._read(path) if path.exists() else None

    def records(self) -> list[dict[str, Any]]:
        """Every readable record, oldest first; unreadable ones are skipped (and logged)."""
        found: list[dict[str, Any]] = []
        for path in self.jobs.glob("*.json"):
            if path.name.endswith(".input.json") or path.name.startswith("."):
                continue
            record = self._read(path)
            if record is not None:
                found.append(record)
        found.sort(key=lambda r: float(r["created_at"]))
        return found

    @staticmethod
    def _read(path: Path) -> dict[str, Any] | None:
        try:
            if not path.is_file() or path.stat().st_size > MAX_RECORD:
                raise ValueError("not a small regular file")
            record = json.loads(path.read_bytes())
            if not isinstance(record, dict) or not isinstance(record.get("request_id"), str):
                raise ValueError("not a job record")
            if not isinstance(record.get("created_at"), int | float):
                raise ValueError("no created_at")
        except (OSError, ValueError, RecursionError) as exc:
            log.warning("local sandbox: skipped the unreadable job record %s: %s", path.name, exc)
            return None
        return record
