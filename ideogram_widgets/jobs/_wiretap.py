"""The moment a submit's bytes start to leave: a hook on the HTTP client, around one submit only.

``with on_the_wire(client, on_sent): await client.submit(...)`` calls ``await on_sent()`` once, at the
last instant before the request can create a job on the service:

* over a real connection (httpx's ``AsyncHTTPTransport``, i.e. httpcore), when the connection starts
  writing the request *body* (httpcore's ``send_request_body.started`` trace event): until then only the
  headers can have left, and no service creates a job from headers alone;
* with any other transport (an in-process ASGI app, a test double), when the request is handed to it.

``on_sent`` runs before the next byte is written, so it can record that fact durably; if it raises, the
request is abandoned before its body left (nothing was sent). The hook is an httpx request event hook that
adds the ``trace`` request extension, active only inside ``on_the_wire`` (a context variable), so polls,
downloads and other tasks' submits are untouched. It is installed once per client.

This is the one place where ``jobs/`` looks inside the API client (``AsyncClient._http``, the
``httpx.AsyncClient`` it wraps); if that is ever missing, ``on_sent`` runs just before the submit (the
entry then says "may have been sent" a little early: never the other way round).

Example::

    async def on_sent() -> None:
        await save(job, follow, manager, strict=True)

    with on_the_wire(client, on_sent):
        submission = await client.submit(model_id, payload)
"""

from __future__ import annotations

import contextlib
import contextvars
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx

from ..api import AsyncClient

__all__ = ["on_the_wire"]

OnSent = Callable[[], Awaitable[None]]

_current: contextvars.ContextVar[_Once | None] = contextvars.ContextVar("ideogram_submit", default=None)
_hooked: weakref.WeakKeyDictionary[httpx.AsyncClient, bool] = weakref.WeakKeyDictionary()

_BODY_STARTED = ("http11.send_request_body.started", "http2.send_request_body.started")


class _Once:
    def __init__(self, on_sent: OnSent, hooked: bool) -> None:
        self.on_sent = on_sent
        self.hooked = hooked
        self.fired = False

    async def fire(self) -> None:
        """Call ``on_sent`` (once)."""
        if not self.fired:
            self.fired = True
            await self.on_sent()


@contextlib.contextmanager
def on_the_wire(client: AsyncClient, on_sent: OnSent) -> Iterator[_Once]:
    """Within the block, call ``await on_sent()`` once, just before a request's body can leave.

    When the client offers no hook (``hooked`` is False on what this yields), the caller fires it
    itself before sending."""
    http = getattr(client, "_http", None)
    hooked = isinstance(http, httpx.AsyncClient)
    if isinstance(http, httpx.AsyncClient):
        _install(http)
    once = _Once(on_sent, hooked)
    token = _current.set(once)
    try:
        yield once
    finally:
        _current.reset(token)


def _install(http: httpx.AsyncClient) -> None:
    if http in _hooked:
        return
    traced = _speaks_http(http)
    _hooked[http] = traced

    async def on_request(request: httpx.Request) -> None:
        once = _current.get()
        if once is None or once.fired:
            return
        if not traced:
            await once.fire()
            return

        async def trace(name: str, info: dict[str, Any]) -> None:
            if name in _BODY_STARTED:
                await once.fire()

        request.extensions = {**request.extensions, "trace": trace}

    hooks = http.event_hooks
    hooks.setdefault("request", []).append(on_request)
    http.event_hooks = hooks


def _speaks_http(http: httpx.AsyncClient) -> bool:
    """True when requests go over httpcore connections (the trace events will come)."""
    transport: Any = getattr(http, "_transport", None)
    for _ in range(4):  # wrappers (counting, recording, fault-injecting transports) keep it as .inner
        if isinstance(transport, httpx.AsyncHTTPTransport):
            return True
        transport = getattr(transport, "inner", None)
    return False
