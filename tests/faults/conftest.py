"""Shared helpers for the fault and bad-input suite.

* :data:`TOKEN`: a distinctive API token that must never show up in any output channel;
* :func:`scripted_client`: an AsyncClient on the scripted app of ``tests/api/scripted_server.py`` whose
  retries are instant (``client.sleep`` is a no-op that records the waits it was asked for);
* :class:`StreamingTransport`: answers with bodies that are streamed chunk by chunk (``ASGITransport``
  buffers a whole body before the client sees it, so endless bodies need this), counting what was read;
* :func:`png_bytes`, :func:`png_bomb`: images for the download tests;
* :func:`all_widgets`: every widget reachable from a root widget (children and attributes);
* (``sandbox_proc(config)``, a sandbox in its own process, comes from ``tests/conftest.py``).
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import ipywidgets as w
from PIL import Image

from ideogram_widgets.api import AsyncClient, RetryPolicy

from ..api.scripted_server import Script

ROOT = Path(__file__).resolve().parents[2]

TOKEN = "rc-FAULTSUITE-7f3a9c2e51d04b8e-DO-NOT-LEAK"
"""The token every leak test uses; distinctive enough that a substring match means a leak."""

API = "https://api.test/v1"
"""The base URL scripted clients talk to (the scripted app answers any host)."""


# -------------------------------------------------------------------------------- clients


class InstantSleep:
    """A ``client.sleep`` replacement: returns at once and records every wait asked for."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def scripted_client(
    script: Script | httpx.AsyncBaseTransport,
    *,
    attempts: int = 3,
    token: str | None = TOKEN,
    **options: Any,
) -> tuple[AsyncClient, InstantSleep]:
    """An AsyncClient on ``script`` (or any transport) with instant retries; returns it and its sleeper."""
    transport = script.transport() if isinstance(script, Script) else script
    options.setdefault("retry", RetryPolicy(attempts=attempts, base_delay=0.01, max_delay=0.05))
    client = AsyncClient(token, base_url=API, transport=transport, **options)
    sleeper = InstantSleep()
    client.sleep = sleeper
    return client, sleeper


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests to ``inner`` and records each one's method, full URL and headers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, str(request.url), dict(request.headers)))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class BodyGuardError(Exception):
    """Raised by an endless body once far more was read than any cap allows (a client that reads
    without a limit fails the test with this, instead of filling the machine's memory)."""


class EndlessBody(httpx.AsyncByteStream):
    """A body that never ends: 64 KiB chunks until ``guard`` bytes were read, then BodyGuardError."""

    def __init__(self, guard: int, chunk: bytes = b"<p>" + b"x" * 65533) -> None:
        self.guard = guard
        self.chunk = chunk
        self.read = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            if self.read >= self.guard:
                raise BodyGuardError(f"the client read {self.read} bytes of an endless body")
            self.read += len(self.chunk)
            yield self.chunk


Route = Callable[[httpx.Request], httpx.Response]


class StreamingTransport(httpx.AsyncBaseTransport):
    """Answers each path with ``routes[path](request)``; unknown paths answer 404 with an error body."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        route = self.routes.get(request.url.path)
        if route is None:
            return httpx.Response(404, json={"error_code": 404001, "error_message": "no route"})
        return route(request)


# -------------------------------------------------------------------------------- images


def png_bytes(size: tuple[int, int] = (8, 6), colour: str = "red", fmt: str = "PNG") -> bytes:
    """A small image encoded as ``fmt``."""
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid 1-bit PNG of ``width`` × ``height`` black pixels: tens of KB on the wire, hundreds of
    megapixels once decoded (20000 × 20000 = 400 MP ≈ 48 KB compressed)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale, no interlace
    row = b"\x00" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", body) + _chunk(b"IEND", b"")


# -------------------------------------------------------------------------------- widgets


def all_widgets(root: w.Widget) -> list[w.Widget]:
    """Every widget reachable from ``root``: through ``children`` and through attributes (widgets kept on
    an attribute but not shown yet, such as a hidden code box, count too)."""
    seen: dict[int, w.Widget] = {}
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if isinstance(node, dict):
            stack.extend(node.values())
            continue
        if not isinstance(node, w.Widget) or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(getattr(node, "children", ()) or ())
        stack.extend(v for k, v in vars(node).items() if not k.startswith("_trait"))
    return list(seen.values())


def widget_texts(root: w.Widget) -> list[str]:
    """The synced state of every widget under ``root`` as text (bytes decoded as latin-1, so any byte
    sequence a token could hide in is searched as well)."""
    texts = []
    for widget in all_widgets(root):
        state = widget.get_state()
        texts.append(
            json.dumps(
                state,
                default=lambda v: (
                    bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else repr(v)
                ),
            )
        )
    return texts


# -------------------------------------------------------------------------------- sandbox

# Serves ``create_app(SandboxConfig(**json))`` on 127.0.0.1 (a free port) and prints its URL once ready.
# The socket is made with IPPROTO_TCP so asyncio turns Nagle off on accepted connections (a socket made
# with proto=0 adds ~40 ms of delayed-ACK wait to every request on Linux).
