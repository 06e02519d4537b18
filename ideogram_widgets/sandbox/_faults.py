"""Fault injection and request counting, as a pure ASGI middleware around the routes.

For each ``/v1`` request, with probability ``fault_rate`` (seeded), before any handler acts:

* ``"429"`` → 429 with ``Retry-After: 1`` and an error body;
* ``"500"`` / ``"502"`` / ``"503"`` → that status with an error body;
* ``"drop"`` → the connection breaks mid-answer and the request is not acted on: the
  middleware sends the response start with ``Content-Length: 1024`` and a few bytes, then
  raises :func:`dropped_connection`'s exception. Under uvicorn that closes the socket, so the
  client sees a protocol error ("peer closed connection without sending complete message
  body"); the traceback uvicorn would log is filtered out. In-process through
  ``httpx.ASGITransport`` the exception propagates to the client unchanged; when httpx is
  already loaded it is a subclass of ``httpx.RemoteProtocolError`` (looked up in
  ``sys.modules``, never imported), so the client sees a transport error exactly as over the
  network. (With ``ASGITransport(raise_app_exceptions=False)`` the client instead gets the
  truncated 200 answer.)
* ``"slow"`` → waits ``slow_seconds``, then answers normally;
* ``"error_200"`` → HTTP 200 whose body is only ``error_code`` and ``error_message``.

Example (how :func:`~._app.create_app` installs it):
    >>> from starlette.middleware import Middleware
    >>> entry = Middleware(FaultMiddleware, sandbox=None)
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from ._errors import FAULT_CODES

if TYPE_CHECKING:
    from ._service import Sandbox

__all__ = ["FAULT_CODES", "DroppedConnectionError", "FaultMiddleware", "dropped_connection", "endpoint_name"]


class DroppedConnectionError(Exception):
    """Marker base of the exception that breaks a connection on purpose ("drop" fault)."""


_drop_classes: dict[int, type[Exception]] = {}


def dropped_connection(message: str) -> Exception:
    """The exception that drops a connection: an ``httpx.RemoteProtocolError`` too when
    httpx is loaded (so an in-process httpx client sees a transport error)."""
    httpx = sys.modules.get("httpx")
    base = getattr(httpx, "RemoteProtocolError", None)
    if not (isinstance(base, type) and issubclass(base, Exception)):
        return DroppedConnectionError(message)
    cls = _drop_classes.get(id(base))
    if cls is None:
        cls = type("SandboxDroppedConnectionError", (DroppedConnectionError, base), {})
        _drop_classes[id(base)] = cls
    return cls(message)


class _HideDrops(logging.Filter):
    """Keeps uvicorn from logging a traceback for a connection dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnectionError)


def install_log_filter() -> None:
    """Hide the drop faults' tracebacks from uvicorn's error log (idempotent)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDrops) for f in logger.filters):
        logger.addFilter(_HideDrops())


def endpoint_name(method: str, path: str) -> str:
    """A short name for counting: submit, model, status, result, cancel, files, sandbox…

    Example:
        >>> endpoint_name("GET", "/v1/requests/abc/status")
        'status'
    """
    if path.startswith("/v1/models/"):
        return "submit" if method == "POST" else "model"
    if path.startswith("/v1/requests/"):
        last = path.rstrip("/").rsplit("/", 1)[-1]
        return last if last in ("status", "result", "cancel") else "other"
    if path.startswith("/files/"):
        return "files"
    if path.startswith("/_sandbox/"):
        return "sandbox"
    return "other"


def _fault_response(kind: str) -> JSONResponse:
    message = f"local sandbox: injected fault {kind}"
    body: dict[str, Any] = {"error_code": FAULT_CODES[kind], "error_message": message}
    if kind == "error_200":
        return JSONResponse(body, status_code=200)
    headers = {"Retry-After": "1"} if kind == "429" else None
    return JSONResponse(body, status_code=int(kind), headers=headers)


class FaultMiddleware:
    """Counts every request by endpoint and injects the configured faults into /v1 ones."""

    def __init__(self, app: ASGIApp, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        self.sandbox.count_request(endpoint_name(scope["method"], path))
        kind = self.sandbox.draw_fault() if path.startswith("/v1/") else None
        if kind is None:
            await self.app(scope, receive, send)
        elif kind == "slow":
            await anyio.sleep(self.sandbox.config.slow_seconds)
            await self.app(scope, receive, send)
        elif kind == "drop":
            # Drain the request body first: closing a socket with unread input makes the
            # kernel send a reset, and the client would see that instead of a short answer.
            message = await receive()
            while message["type"] == "http.request" and message.get("more_body", False):
                message = await receive()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", b"1024"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b'{"request_id": "', "more_body": True})
            raise dropped_connection("local sandbox: connection dropped on purpose (drop fault)")
        else:
            await _fault_response(kind)(scope, receive, send)
