"""Error answers of the local sandbox: ``{"error_code": int, "error_message": str, "detail"?}``.

One table of every ``error_code`` the sandbox answers with: the service's own codes (API.md), named
once in :mod:`ideogram_widgets.api._errors` and imported from there, and the sandbox's own 413xxx /
422xxx / 5xxxxx choices, named here so the routes, :mod:`._faults`, tests and clients can tell them apart.

Example:
    >>> err = SandboxError(404, NOT_FOUND, "request abc is unknown or expired")
    >>> err.body()["error_code"]
    404001
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# Codes documented by the service: api/_errors.py names them once, the client reads them from there.
from ..api import IdeogramWidgetsError
from ..api._errors import BAD_TOKEN, NOT_FOUND, NOT_READY, UNKNOWN_MODEL

__all__ = [
    "BAD_IMAGE",
    "BAD_MASK",
    "BAD_TOKEN",
    "BODY_TOO_LARGE",
    "FAULT_CODES",
    "INJECTED_ERROR_200",
    "INJECTED_JOB_FAILURE",
    "INTERNAL",
    "INVALID_JSON",
    "NOT_FOUND",
    "NOT_READY",
    "RATE_LIMITED",
    "SANDBOX_CLOSED",
    "SCHEMA_MISMATCH",
    "UNKNOWN_MODEL",
    "URL_NOT_ALLOWED",
    "SandboxError",
    "field_error",
    "generic_code",
    "invalid_input",
]

# The sandbox's own codes.
INVALID_JSON = 422001  # the body is not a JSON object
SCHEMA_MISMATCH = 422002  # a field is missing, of the wrong type or outside its enum/range
BAD_IMAGE = 422003  # image or mask cannot be fetched or decoded
BAD_MASK = 422004  # mask empty, full, or not the image's size
URL_NOT_ALLOWED = 422005  # data URIs refused, or a URL the sandbox cannot reach
BODY_TOO_LARGE = 413001
RATE_LIMITED = 429001  # the injected "429" fault
INTERNAL = 500001  # an image-processing error inside a job
INJECTED_JOB_FAILURE = 500002  # a job failed on purpose (fail_rate)
INJECTED_ERROR_200 = 500003  # the injected "error_200" fault: HTTP 200 carrying an error_code
SANDBOX_CLOSED = 503002


def generic_code(status: int) -> int:
    """The code of an error answer with no more specific one: the HTTP status × 1000.

    Example:
        >>> generic_code(405)
        405000
    """
    return status * 1000


FAULT_CODES: dict[str, int] = {
    "429": RATE_LIMITED,
    "500": generic_code(500),
    "502": generic_code(502),
    "503": generic_code(503),
    "error_200": INJECTED_ERROR_200,
}
"""``error_code`` of each injected fault's body (:mod:`._faults` answers with these)."""


class SandboxError(IdeogramWidgetsError):
    """An error answer: HTTP ``status`` with a JSON body (server side: the routes turn it into the answer;
    a client sees the typed error the body stands for, e.g. ``NotFoundError``).

    Example:
        >>> SandboxError(422, SCHEMA_MISMATCH, "bad input", [{"loc": ["body", "seed"]}]).status
        422
    """

    def __init__(
        self, status: int, error_code: int, message: str, detail: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        """The JSON body of this error."""
        out: dict[str, Any] = {"error_code": self.error_code, "error_message": self.message}
        if self.detail is not None:
            out["detail"] = self.detail
        return out

    def response(self) -> JSONResponse:
        """This error as a Starlette response."""
        return JSONResponse(self.body(), status_code=self.status)


def field_error(field: str, message: str, kind: str) -> dict[str, Any]:
    """One ``detail`` entry: which field (``loc``), why (``msg``) and a short ``type`` tag."""
    return {"loc": ["body", field], "msg": message, "type": kind}


def invalid_input(field: str, message: str, kind: str, code: int = SCHEMA_MISMATCH) -> SandboxError:
    """A 422 about one input field, with the reason both in the message and in ``detail``."""
    return SandboxError(422, code, f"{field}: {message}", [field_error(field, message, kind)])
