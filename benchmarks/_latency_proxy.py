"""A TCP proxy on 127.0.0.1 that adds a fixed round trip between a browser and a local server.

Every chunk read from either side is held for half the round trip before it is written to the other
side, so a request and its answer take ``rtt_ms`` longer, as between a laptop and a remote JupyterHub
or Colab. Chunks are held independently (a queue per direction, each chunk released at its own arrival
time + RTT/2): the delay adds latency but takes no bandwidth away, and order is kept. It is transparent
to HTTP and websockets alike; the proxy runs its own asyncio loop in a daemon thread.

Example::

    with LatencyProxy(target_port=8888, rtt_ms=150) as proxy:
        page.goto(f"{proxy.url}/lab?token=...")   # everything the page loads or sends is 150 ms further
        print(proxy.held_ms[:3])                   # how long the proxy really held the first chunks

What it does not model: packet loss, jitter, and TCP's bandwidth-delay limit (a real 150 ms link needs
several round trips of slow start to move a multi-megabyte picture; here only the first bytes wait).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from types import TracebackType

CHUNK = 1 << 16
_EOF = b""


class LatencyProxy:
    """Forward ``127.0.0.1:<port>`` → ``host:target_port``, holding every chunk ``rtt_ms / 2`` each way."""

    def __init__(self, target_port: int, rtt_ms: float, *, host: str = "127.0.0.1") -> None:
        if rtt_ms < 0:
            raise ValueError(f"rtt_ms must be ≥ 0, got {rtt_ms}")
        self.target = (host, target_port)
        self.rtt_ms = float(rtt_ms)
        self.port = 0
        self.held_ms: deque[float] = deque(maxlen=100_000)
        """How long each forwarded chunk was held (ms), as the proxy measured it (newest last)."""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LatencyProxy:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Listen on a free port (``self.port``) and forward in a background thread."""
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                self._server = loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
                self.port = int(self._server.sockets[0].getsockname()[1])
            except BaseException as exc:  # reported to start() below
                failure.append(exc)
                started.set()
                loop.close()
                return
            started.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=serve, name=f"latency-proxy-{self.rtt_ms:g}ms", daemon=True)
        self._thread.start()
        started.wait(timeout=10)
        if failure:
            raise failure[0]
        if not self.port:
            raise RuntimeError("the latency proxy did not start within 10 s")

    def stop(self) -> None:
        """Close the listener and every open connection; wait for the thread to end."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
            try:
                await asyncio.gather(
                    self._pump(client_reader, server_writer), self._pump(server_reader, client_writer)
                )
            finally:
                server_writer.close()
        except (OSError, asyncio.CancelledError):  # target refused, or the proxy is stopping
            pass
        finally:
            client_writer.close()
            self._tasks.discard(task)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy ``reader`` to ``writer``, each chunk written RTT/2 after it was read."""
        one_way = self.rtt_ms / 2000
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def read() -> None:
            try:
                while chunk := await reader.read(CHUNK):
                    queue.put_nowait((time.monotonic(), chunk))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait((time.monotonic(), _EOF))

        async def write() -> None:
            while True:
                arrived, chunk = await queue.get()
                wait = arrived + one_way - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    with contextlib.suppress(OSError, RuntimeError):
                        if writer.can_write_eof():
                            writer.write_eof()
                    return
                self.held_ms.append((time.monotonic() - arrived) * 1000)
                try:
                    writer.write(chunk)
                    await writer.drain()
                except (ConnectionError, OSError):
                    return

        reading = asyncio.ensure_future(read())
        try:
            await write()
        finally:
            reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reading
