"""An asyncio HTTP proxy on 127.0.0.1 that forwards to a sandbox and spoils chosen answers.

What no fault flag of the sandbox does, because these defeat per-read timeouts: an answer trickled one
byte at a time, a body that never ends, an answer that stalls after its headers. Each rule names a piece
of the request path and a mode:

* ``"trickle"``: the sandbox's real answer, one byte every ``interval`` seconds;
* ``"endless"``: a 200 ``image/png`` answer without a length whose body never ends (``chunk`` bytes
  every ``interval`` seconds, slow enough that no size cap is reached first);
* ``"stall"``: the real status line and headers, then nothing, for ever.

Every other request is passed through unchanged. ``sent[mode]`` counts the body bytes each mode wrote.

Example (inside an async test)::

    async with TrickleProxy(sandbox_url, {"/status": "trickle"}) as proxy:
        client = AsyncClient(base_url=proxy.url + "/v1", deadline=2.0)
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from urllib.parse import urlsplit


class TrickleProxy:
    """See the module's documentation. ``rules``: path fragment -> mode (first match wins)."""

    def __init__(
        self,
        upstream: str,
        rules: dict[str, str],
        *,
        interval: float = 0.5,
        chunk: int = 16 * 1024,
    ) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.rules = dict(rules)
        self.interval = interval
        self.chunk = chunk
        self.sent: collections.Counter[str] = collections.Counter()
        self.requests: list[tuple[str, str]] = []  # (mode, request line)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    async def __aenter__(self) -> TrickleProxy:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    def _mode(self, path: str) -> str:
        return next((mode for fragment, mode in self.rules.items() if fragment in path), "pass")

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            await self._one(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client gave up: that is what the tests want to see
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        request_line = lines[0]
        length = 0
        kept = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
            if name.strip().lower() != "connection" and line:
                kept.append(line)
        body = await reader.readexactly(length) if length else b""
        mode = self._mode(request_line.split(" ")[1] if " " in request_line else "")
        self.requests.append((mode, request_line))
        if mode == "endless":
            await self._endless(writer)
            return
        upstream_reader, upstream_writer = await asyncio.open_connection(self.host, self.port)
        forwarded = "\r\n".join([request_line, *kept, "Connection: close", "", ""]).encode("latin-1")
        upstream_writer.write(forwarded + body)
        await upstream_writer.drain()
        answer = await upstream_reader.read()  # the upstream closes: Connection: close
        upstream_writer.close()
        if mode == "pass":
            writer.write(answer)
            await writer.drain()
        elif mode == "trickle":
            for i in range(len(answer)):
                writer.write(answer[i : i + 1])
                await writer.drain()
                self.sent[mode] += 1
                await asyncio.sleep(self.interval)  # the fault itself: a byte every `interval` seconds
        elif mode == "stall":
            writer.write(answer[: answer.index(b"\r\n\r\n") + 4])
            await writer.drain()
            await asyncio.Event().wait()  # for ever (cancelled when the proxy closes)
        else:
            raise ValueError(f"unknown mode {mode!r}")

    async def _endless(self, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: image/png\r\nconnection: close\r\n\r\n")
        writer.write(b"\x89PNG\r\n\x1a\n")
        while True:
            writer.write(b"\0" * self.chunk)
            await writer.drain()
            self.sent["endless"] += self.chunk
            await asyncio.sleep(self.interval)  # the fault itself: a chunk every `interval` seconds, for ever
