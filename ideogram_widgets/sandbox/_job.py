"""One sandbox job: what the queue runs, what its store keeps on disk, what ``/_sandbox/jobs`` shows.

Example:
    >>> job = Job(request_id="r1", model="ideogram/ideogram-v3/edit", duration=2.0, seed=7)
    >>> again = Job.from_record(job.record())
    >>> again.request_id, again.state, again.seed
    ('r1', 'in_queue', 7)
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..api._wire import CANCELLED, COMPLETED, FAILED, IN_PROGRESS, IN_QUEUE  # the service's own names

__all__ = ["FINISHED", "STATES", "Job"]

STATES = (IN_QUEUE, IN_PROGRESS, COMPLETED, CANCELLED, FAILED)
FINISHED = (COMPLETED, CANCELLED, FAILED)


@dataclass
class Job:
    """One request. ``work`` renders the result PNG in a worker thread.

    Times are wall-clock seconds since the epoch (``time.time()``).
    """

    request_id: str
    model: str
    duration: float
    work: Callable[[], bytes] | None = None
    prompt: str | None = None
    seed: int | None = None
    rendering_speed: str | None = None
    resolution: str | None = None
    fail: bool = False
    state: str = IN_QUEUE
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    files: list[str] = field(default_factory=list)
    error: dict[str, Any] | None = None
    expired: bool = False
    queue_position: int | None = None
    due_at: float | None = None
    late: bool = False  # came due while no process served it (restored): dated when it came due
    seq: int = 0  # order of submission (times can tie)
    pid: int = 0  # the process whose sandbox runs it

    _KEPT = (
        "request_id", "model", "duration", "prompt", "seed", "rendering_speed", "resolution", "fail",
        "state", "created_at", "started_at", "finished_at", "files", "error", "due_at", "seq", "pid",
    )  # fmt: skip

    def record(self) -> dict[str, Any]:
        """What the store keeps of the job (JSON-ready)."""
        return {name: copy.copy(getattr(self, name)) for name in self._KEPT}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Job:
        """A job as :meth:`record` kept it (its ``work`` is set by whoever restores it)."""
        kept = {name: record[name] for name in cls._KEPT if name in record}
        kept["files"] = [f for f in kept.get("files") or [] if isinstance(f, str)]
        if not isinstance(kept.get("request_id"), str) or kept.get("state") not in STATES:
            raise ValueError("no request id or an unknown state")
        if not isinstance(kept.get("seq", 0), int) or not isinstance(kept.get("pid", 0), int):
            raise ValueError("seq or pid is not an integer")
        for name in ("duration", "created_at", "started_at", "finished_at", "due_at"):
            value = kept.get(name)
            number = isinstance(value, int | float) and not isinstance(value, bool) and value == value
            if not number and (value is not None or name in ("duration", "created_at")):
                raise ValueError(f"{name} is not a number")
        return cls(**kept)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description (for ``/_sandbox/jobs``)."""
        return {
            "request_id": self.request_id,
            "model": self.model,
            "state": self.state,
            "prompt": self.prompt,
            "seed": self.seed,
            "rendering_speed": self.rendering_speed,
            "resolution": self.resolution,
            "duration": self.duration,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "files": list(self.files),
            "error": self.error,
            "expired": self.expired,
        }
