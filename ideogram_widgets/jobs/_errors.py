"""The job layer's errors (defined with every other in :mod:`ideogram_widgets.api._errors`, the one
hierarchy, and re-exported here), and typed errors to and from the journal.

Example:
    >>> from ideogram_widgets.api._errors import JobFailedError
    >>> saved = error_record(JobFailedError("the job failed: bad seed", request_id="r1"))
    >>> saved["type"], saved["message"]
    ('JobFailedError', 'the job failed: bad seed')
    >>> err = error_from_record(saved)
    >>> type(err).__name__, err.request_id
    ('JobFailedError', 'r1')
"""

from __future__ import annotations

from typing import Any

from ..api import APIError, IdeogramWidgetsError
from ..api import _errors as api_errors
from ..api._errors import (
    JobNotSentError,
    JournalError,
    NoDefaultClientError,
    PollingStoppedError,
    StorageError,
)

__all__ = [
    "JobNotSentError",
    "JournalError",
    "NoDefaultClientError",
    "PollingStoppedError",
    "StorageError",
    "describe",
    "error_from_record",
    "error_record",
]


def describe(exc: BaseException) -> str:
    """One human line for an error (typed errors already carry one)."""
    text = str(exc).strip()
    return text if text else type(exc).__name__


def error_record(exc: BaseException) -> dict[str, Any]:
    """A JSON-ready record of an error, for the journal (never holds the token: errors never do)."""
    record: dict[str, Any] = {"type": type(exc).__name__, "message": describe(exc)}
    if isinstance(exc, APIError):
        record.update(
            message=exc.message,
            status=exc.status,
            error_code=exc.error_code,
            request_id=exc.request_id,
            detail=exc.detail,
        )
    return record


def error_from_record(record: Any) -> IdeogramWidgetsError:
    """Rebuild the typed error a journal entry recorded (an IdeogramWidgetsError when unknown)."""
    if not isinstance(record, dict):
        return IdeogramWidgetsError(str(record))
    name = str(record.get("type", ""))
    message = str(record.get("message", "")) or name or "unknown error"
    cls = getattr(api_errors, name, None)
    if isinstance(cls, type) and issubclass(cls, APIError):
        try:
            return cls(
                message,
                status=record.get("status"),
                error_code=record.get("error_code"),
                request_id=record.get("request_id"),
                detail=record.get("detail"),
            )
        except TypeError:
            pass
    if name == "JobNotSentError":
        return JobNotSentError(message)
    if name == "PollingStoppedError":
        err = PollingStoppedError(record.get("request_id"))
        err.args = (message,)
        return err
    return IdeogramWidgetsError(f"{name}: {message}" if name and name not in message else message)
