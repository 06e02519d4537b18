"""Error answers of the local sandbox: ``{"error_code": int, "error_message": str, "detail"?}``.

The service's own codes (API.md) are used where they exist; the 422xxx / 5xxxxx codes are the
sandbox's own choice, documented here so tests and clients can tell them apart.

Example:
    >>> err = SandboxError(404, NOT_FOUND, "request abc is unknown or expired")
    >>> err.body()["error_code"]
    404001
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# Codes documented by the service.
UNKNOWN_MODEL = 400001
BAD_TOKEN = 400004
NOT_READY = 400005
NOT_FOUND = 404001

# The sandbox's own codes.
INVALID_JSON = 422001  # the body is not a JSON object
SCHEMA_MISMATCH = 422002  # a field is missing, of the wrong type or outside its enum/range
BAD_IMAGE = 422003  # image or mask cannot be fetched or decoded
BAD_MASK = 422004  # mask empty, full, or not the image's size
URL_NOT_ALLOWED = 422005  # data URIs refused, or a URL the sandbox cannot reach
BODY_TOO_LARGE = 413001
RATE_LIMITED = 429001
INTERNAL = 500001  # an image-processing error inside a job
INJECTED_JOB_FAILURE = 500002  # a job failed on purpose (fail_rate)
SANDBOX_CLOSED = 503002


class SandboxError(Exception):
    """An error answer: HTTP ``status`` with a JSON body.

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
