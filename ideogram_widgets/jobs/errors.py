"""The job layer's own error, and typed errors to and from the journal.

Example:
    >>> from ideogram_widgets.api.errors import JobFailedError
    >>> saved = error_record(JobFailedError("the job failed: bad seed", request_id="r1"))
    >>> saved["type"], saved["message"]
    ('JobFailedError', 'the job failed: bad seed')
    >>> err = error_from_record(saved)
    >>> type(err).__name__, err.request_id
    ('JobFailedError', 'r1')
"""

from __future__ import annotations

from typing import Any

from ..api import errors as api_errors
from ..api.errors import APIError, IdeogramWidgetsError

__all__ = [
    "JobNotSentError",
    "JournalError",
    "PollingStoppedError",
    "StorageError",
    "describe",
    "error_from_record",
    "error_record",
]


class StorageError(IdeogramWidgetsError, OSError):
    """The journal or the result cache could not be read or written (disk full, read-only, removed...).

    ``path`` is the file or folder concerned; ``reason`` the system's words. What the process holds (a
    request id, downloaded bytes) is kept in memory and shown; writes are tried again at the next change.

    Example:
        >>> err = StorageError("/full/disk/journal.sqlite3", "database or disk is full")
        >>> isinstance(err, OSError), "disk is full" in str(err)
        (True, True)
    """

    def __init__(self, path: object, reason: object, *, what: str = "the job journal") -> None:
        self.path = str(path)
        self.reason = str(reason)
        errno = getattr(reason, "errno", None)
        super().__init__(errno, f"could not write {what} in {self.path}: {self.reason}")

    def __str__(self) -> str:
        return str(self.args[1]) if len(self.args) > 1 else super().__str__()

    def __reduce__(self) -> Any:
        return (_rebuild_storage, (type(self), self.path, self.reason, str(self)))


def _rebuild_storage(cls: type[StorageError], path: str, reason: str, text: str) -> StorageError:
    err = cls.__new__(cls)
    StorageError.__init__(err, path, reason)
    err.args = (None, text)
    return err


class JournalError(StorageError):
    """The journal could not be written before a submit, so nothing was sent."""


class JobNotSentError(IdeogramWidgetsError):
    """The process ended before the job's submit left this machine: nothing reached the service, nothing
    was paid; submit it again if it is still wanted (``resume()`` never resends anything)."""


class PollingStoppedError(IdeogramWidgetsError):
    """This process stopped following the job (``stop_all()``, ``job.stop()`` or a wait limit).

    Nothing was cancelled on the service: the job goes on there, its journal entry stays open, and
    ``ideogram_widgets.resume()`` re-attaches to it and downloads its result.
    """

    def __init__(self, request_id: str | None, why: str = "polling was stopped") -> None:
        self.request_id = request_id
        where = f"request {request_id}" if request_id else "the job"
        super().__init__(
            f"{why}; {where} was not cancelled and goes on on the service: "
            "ideogram_widgets.resume() re-attaches to it"
        )


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
