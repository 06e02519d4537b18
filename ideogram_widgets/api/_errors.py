"""Typed errors: the one hierarchy of every error the package raises on purpose, in every layer.

Every error says what was wrong and, where it can, what is allowed. Errors from the service carry the
HTTP ``status``, the service's numeric ``error_code`` and the ``request_id`` when they are known. No error
text ever contains the API token. They live here, in the bottom layer, so every layer raises the same
classes (``jobs/_errors.py`` re-exports the job layer's; the sandbox subclasses the root):

* IdeogramWidgetsError
  x InputError (ValueError): a value refused before anything was sent
  x BlockingCallError (RuntimeError): a blocking call on a running event loop
  x WaitTimeoutError (TimeoutError): a wait ran out; the job goes on
  x MissingTokenError
  x NoDefaultClientError (RuntimeError): jobs/ was given no client and none is installed
  x JobNotSentError: the process ended before the submit left
  x PollingStoppedError: this process stopped following a job; it goes on
  x StorageError (OSError): the journal or the result cache could not be written
    + JournalError: ... before a submit, so nothing was sent
  x APIError: the service answered with an error (or could not be reached)
    + AuthenticationError
    + InsufficientBalanceError
    + UnknownModelError
    + ServiceValidationError
    + PermissionDeniedError
    + NotFoundError
    + RateLimitError
    + ServerError
    + TransportError
      - DeadlineExceededError (TimeoutError)
    + SubmitUncertainError
    + JobFailedError
    + JobCancelledError
    + DownloadError
  x SandboxError: the local sandbox's error answer, server side (sandbox/_errors.py)
  x BadImageError (ValueError): an input the sandbox cannot decode (sandbox/_imaging.py)

Outside the tree on purpose: the sandbox's dropped-connection marker (it must look like the network's own
``httpx.RemoteProtocolError``) and the private control-flow exceptions of ``_transport`` and ``check``. The
service's ``error_code`` values are wire vocabulary, not classes: :data:`UNKNOWN_MODEL` and its siblings.

Example:
    >>> from ideogram_widgets.api._errors import InputError
    >>> err = InputError("seed", -1, "an integer from 0 to 2147483647")
    >>> str(err)
    'seed: -1 is not allowed; expected an integer from 0 to 2147483647'
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BAD_TOKEN",
    "INSUFFICIENT_BALANCE",
    "NOT_FOUND",
    "NOT_READY",
    "PERMISSION_DENIED",
    "UNKNOWN_MODEL",
    "APIError",
    "AuthenticationError",
    "BlockingCallError",
    "DeadlineExceededError",
    "DownloadError",
    "IdeogramWidgetsError",
    "InputError",
    "InsufficientBalanceError",
    "JobCancelledError",
    "JobFailedError",
    "JobNotSentError",
    "JournalError",
    "MissingTokenError",
    "NoDefaultClientError",
    "NotFoundError",
    "PermissionDeniedError",
    "PollingStoppedError",
    "RateLimitError",
    "ServerError",
    "ServiceValidationError",
    "StorageError",
    "SubmitUncertainError",
    "TransportError",
    "UnknownModelError",
    "WaitTimeoutError",
    "error_from_response",
]


class IdeogramWidgetsError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(IdeogramWidgetsError, ValueError):
    """A value was rejected before anything was sent.

    ``field`` names the input (``"seed"``, ``"mask"``, ...), ``value`` is a short repr of what was given and
    ``allowed`` says what would have been accepted.
    """

    def __init__(self, field: str, value: object, allowed: str, *, reason: str | None = None) -> None:
        self.field = field
        self.value = _short_repr(value)
        self.allowed = allowed
        self.reason = reason
        head = f"{field}: {reason}" if reason else f"{field}: {self.value} is not allowed"
        super().__init__(f"{head}; expected {allowed}")


class BlockingCallError(IdeogramWidgetsError, RuntimeError):
    """A blocking call was made from a thread whose event loop is running (a Jupyter kernel's is).

    Blocking there would freeze the kernel and every widget; ``await`` the async version instead.
    """


class WaitTimeoutError(IdeogramWidgetsError, TimeoutError):
    """Waiting for a job took longer than allowed. The job was NOT cancelled and may still finish."""

    def __init__(self, request_id: str, seconds: float) -> None:
        self.request_id = request_id
        self.seconds = seconds
        super().__init__(
            f"request {request_id} did not finish within {seconds:g} s; it was not cancelled and may still "
            "finish: wait again with the same request id"
        )


class MissingTokenError(IdeogramWidgetsError):
    """No API token was given, none is in ``RUNCOMFY_API_TOKEN`` / ``RUNCOMFY_TOKEN``, and the RunComfy
    CLI is not logged in."""

    def __init__(self) -> None:
        super().__init__(
            "no RunComfy API token: pass token=..., set the RUNCOMFY_API_TOKEN environment variable, or "
            "log in with the RunComfy CLI (`runcomfy login`); without one, ideogram_widgets.Client() and "
            "ideogram_widgets.AsyncClient() use the local sandbox"
        )


class NoDefaultClientError(IdeogramWidgetsError, RuntimeError):
    """No client was given and no default client factory is installed (``jobs.set_default_client``)."""


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


class APIError(IdeogramWidgetsError):
    """The service answered with an error.

    Attributes: ``status`` (HTTP status or ``None``), ``error_code`` (the service's numeric code or
    ``None``), ``request_id`` (when the error concerns one job) and ``detail`` (any extra JSON the service
    sent, kept as is).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: int | None = None,
        request_id: str | None = None,
        detail: Any = None,
    ) -> None:
        self.message = message
        self.status = status
        self.error_code = error_code
        self.request_id = request_id
        self.detail = detail
        super().__init__(self._describe())

    def _describe(self) -> str:
        parts = [self.message]
        tags = []
        if self.status is not None:
            tags.append(f"HTTP {self.status}")
        if self.error_code is not None:
            tags.append(f"error_code {self.error_code}")
        if self.request_id:
            tags.append(f"request {_short_text(str(self.request_id), 100)}")  # ids come from answers
        if tags:
            parts.append(f"({', '.join(tags)})")
        return " ".join(parts)


class AuthenticationError(APIError):
    """The token is missing, wrong or expired, or the account is inactive (401 / error_code 400004)."""


class InsufficientBalanceError(APIError):
    """The account has no balance left (402 / error_code 400002)."""


class UnknownModelError(APIError):
    """The service does not know the model id (error_code 400001)."""


class ServiceValidationError(APIError):
    """The service rejected the input (422 or another 4xx): it does not match the model's schema."""


class PermissionDeniedError(APIError):
    """The request belongs to another user (403 / error_code 403001)."""


class NotFoundError(APIError):
    """The request id or result file is unknown or has expired (404 / error_code 404001)."""


class RateLimitError(APIError):
    """Too many requests (429). ``retry_after`` is the wait in seconds the service asked for, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(APIError):
    """The service failed (5xx) or answered something that is not its API (HTML, a non-JSON body...)."""


class TransportError(APIError):
    """The network failed: the connection could not be made, was dropped, or timed out."""


class DeadlineExceededError(TransportError, TimeoutError):
    """One exchange (an API call with its retries, or a file download) ran past its overall deadline.

    Per-read timeouts do not catch an answer that trickles in a byte at a time or a body that never
    ends; the deadline does. ``seconds`` is the deadline that was exceeded.

    Example:
        >>> str(DeadlineExceededError("status took longer than its 5 s deadline", seconds=5.0))
        'status took longer than its 5 s deadline'
    """

    def __init__(self, message: str, *, seconds: float | None = None, **kwargs: Any) -> None:
        self.seconds = seconds
        super().__init__(message, **kwargs)


class SubmitUncertainError(APIError):
    """A submit may or may not have reached the service, so it was NOT sent again.

    Submits are not idempotent: resending could create (and bill) a second job. Look for a job created
    at ``submitted_at`` on the backend the message names (the RunComfy dashboard for the hosted service)
    before submitting again.
    """

    def __init__(self, message: str, *, submitted_at: float | None = None, **kwargs: Any) -> None:
        self.submitted_at = submitted_at
        super().__init__(message, **kwargs)


class JobFailedError(APIError):
    """The job ended ``failed``; ``detail`` holds the service's ``error`` object as it came."""


class JobCancelledError(APIError):
    """The job was cancelled before it ran."""


class DownloadError(APIError):
    """A result file could not be fetched: too large, not an image, an unsafe redirect, or expired."""


# The service's documented ``error_code`` values (reference/API.md): one definition, which the client
# reads and the sandbox answers with.
UNKNOWN_MODEL = 400001
INSUFFICIENT_BALANCE = 400002
BAD_TOKEN = 400004
NOT_READY = 400005
"""A result asked for before the job finished (one vendor mock answers so; the client asks status)."""
PERMISSION_DENIED = 403001
NOT_FOUND = 404001

_BY_CODE: dict[int, type[APIError]] = {
    UNKNOWN_MODEL: UnknownModelError,
    INSUFFICIENT_BALANCE: InsufficientBalanceError,
    BAD_TOKEN: AuthenticationError,
    PERMISSION_DENIED: PermissionDeniedError,
    NOT_FOUND: NotFoundError,
}

_BY_STATUS: dict[int, type[APIError]] = {
    401: AuthenticationError,
    402: InsufficientBalanceError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: ServiceValidationError,
    429: RateLimitError,
}


def error_from_response(
    status: int,
    body: Any,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> APIError:
    """Build the typed error for an error answer (any HTTP status, or a 200 carrying ``error_code``).

    Example:
        >>> err = error_from_response(404, {"error_code": 404001, "error_message": "expired"})
        >>> type(err).__name__, err.error_code
        ('NotFoundError', 404001)
    """
    code: int | None = None
    message = ""
    detail: Any = None
    if isinstance(body, dict):
        raw_code = body.get("error_code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            code = raw_code
        elif isinstance(raw_code, str) and raw_code.strip().isdecimal() and len(raw_code.strip()) < 20:
            code = int(raw_code.strip())
        for key in ("error_message", "message", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                message = value.strip()
                break
        detail = body.get("detail")
        rid = body.get("request_id")
        if request_id is None and isinstance(rid, str):
            request_id = rid
    elif isinstance(body, str) and body.strip():
        message = _short_text(body)
    if not message:
        message = f"the service answered HTTP {status}"
    message = _short_text(message)
    cls: type[APIError]
    if code is not None and code in _BY_CODE:
        cls = _BY_CODE[code]
    elif status in _BY_STATUS:
        cls = _BY_STATUS[status]
    elif status >= 500:
        cls = ServerError
    elif 400 <= status < 500:
        cls = ServiceValidationError
    else:
        cls = ServerError
    kwargs: dict[str, Any] = {
        "status": status,
        "error_code": code,
        "request_id": request_id,
        "detail": detail,
    }
    if cls is RateLimitError:
        return RateLimitError(message, retry_after=retry_after, **kwargs)
    return cls(message, **kwargs)


def _short_text(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
