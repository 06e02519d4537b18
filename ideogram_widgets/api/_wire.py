"""The service's answers, parsed tolerantly: submissions, statuses, results and cancel outcomes.

Unknown fields are kept in ``raw``; unknown states are kept as they came (lower-cased) and are not errors.
Known spellings are normalised: ``succeeded`` → ``completed``, ``canceled`` → ``cancelled``.

Example:
    >>> JobStatus.parse({"request_id": "r1", "status": "in_queue", "queue_position": 3}).queue_position
    3
    >>> normalize_state("Succeeded")
    'completed'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CANCELLED",
    "COMPLETED",
    "FAILED",
    "IN_PROGRESS",
    "IN_QUEUE",
    "TERMINAL_STATES",
    "CancelOutcome",
    "JobResult",
    "JobStatus",
    "Submission",
    "normalize_state",
    "output_urls",
]

IN_QUEUE, IN_PROGRESS, COMPLETED, CANCELLED, FAILED = (
    "in_queue",
    "in_progress",
    "completed",
    "cancelled",
    "failed",
)
"""The service's job states, as it spells them (the sandbox answers with these very names)."""

TERMINAL_STATES = frozenset({COMPLETED, FAILED, CANCELLED})
"""States after which a job never changes."""

_ALIASES = {
    "succeeded": "completed",
    "success": "completed",
    "complete": "completed",
    "canceled": "cancelled",
    "queued": "in_queue",
    "pending": "in_queue",
    "running": "in_progress",
    "processing": "in_progress",
    "error": "failed",
}


def normalize_state(raw: object) -> str:
    """The canonical name of a state; unknown ones are kept (lower-cased), missing ones are ``unknown``."""
    if not isinstance(raw, str) or not raw.strip():
        return "unknown"
    state = raw.strip().lower().replace(" ", "_").replace("-", "_")
    return _ALIASES.get(state, state)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():
        try:
            return int(value.strip())
        except ValueError:  # more digits than int() converts
            return None
    return None


@dataclass(frozen=True)
class Submission:
    """The answer to a submit: the ``request_id`` and the URLs the service gave (possibly ``None``)."""

    request_id: str
    status_url: str | None = None
    result_url: str | None = None
    cancel_url: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> Submission | None:
        """None when the answer has no request id."""
        rid = _str(body.get("request_id")) or _str(body.get("id"))
        if rid is None or not rid.strip():  # a blank id could never be followed
            return None
        return cls(
            rid,
            _str(body.get("status_url")),
            _str(body.get("result_url")),
            _str(body.get("cancel_url")),
            body,
        )


class _StateAnswer:
    """What a status and a result answer share: a normalised ``state``."""

    state: str

    @property
    def is_terminal(self) -> bool:
        """True once the job can no longer change."""
        return self.state in TERMINAL_STATES


@dataclass(frozen=True)
class JobStatus(_StateAnswer):
    """A status answer: ``state`` (normalised) and ``queue_position`` while queued."""

    request_id: str
    state: str
    queue_position: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, body: Mapping[str, Any], request_id: str = "") -> JobStatus:
        """Parse a status answer, keeping whatever else it holds in ``raw``."""
        return cls(
            _str(body.get("request_id")) or request_id,
            normalize_state(body.get("status")),
            _int(body.get("queue_position")),
            body,
        )


def output_urls(output: object) -> list[str]:
    """Image URLs of an ``output`` object: ``images`` first, then ``image``, without duplicates."""
    urls: list[str] = []
    if isinstance(output, Mapping):
        images = output.get("images")
        if isinstance(images, list):
            urls.extend(u for u in images if isinstance(u, str) and u)
        single = output.get("image")
        if isinstance(single, str) and single and single not in urls:
            urls.append(single)
    return urls


@dataclass(frozen=True)
class JobResult(_StateAnswer):
    """A result answer: ``state``, the output ``image_urls`` once completed, times, and ``error``."""

    request_id: str
    state: str
    image_urls: tuple[str, ...] = ()
    created_at: str | None = None
    finished_at: str | None = None
    error: Any = None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, body: Mapping[str, Any], request_id: str = "") -> JobResult:
        """Parse a result answer, keeping whatever else it holds in ``raw``."""
        return cls(
            _str(body.get("request_id")) or request_id,
            normalize_state(body.get("status")),
            tuple(output_urls(body.get("output"))),
            _str(body.get("created_at")),
            _str(body.get("finished_at")),
            body.get("error"),
            body,
        )


@dataclass(frozen=True)
class CancelOutcome:
    """A cancel answer. ``cancelled`` is True only when the service confirmed it."""

    request_id: str
    state: str
    outcome: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def cancelled(self) -> bool:
        """True when the service said the job was cancelled."""
        return self.outcome in ("cancelled", "canceled") or (self.outcome == "" and self.state == "cancelled")

    @classmethod
    def parse(cls, body: Mapping[str, Any], request_id: str = "") -> CancelOutcome:
        """Parse a cancel answer; any outcome other than ``cancelled`` means "not confirmed"."""
        outcome = body.get("outcome")
        return cls(
            _str(body.get("request_id")) or request_id,
            normalize_state(body.get("status")),
            outcome.strip().lower() if isinstance(outcome, str) else "",
            body,
        )
