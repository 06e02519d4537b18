"""Serving the sandbox over real HTTP with uvicorn: in the foreground or in a thread.

Example:
    >>> running = serve_in_thread(SandboxConfig(speed_scale=0.01))
    >>> running.url.startswith("http://127.0.0.1:")
    True
    >>> running.stop()
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette

from ._app import create_app
from ._config import SandboxConfig
from ._service import Sandbox


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP (not 0): asyncio only disables Nagle on sockets it knows are TCP; without it every
    # answer waited ~40 ms for a delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _server(app: Starlette, log_level: str) -> uvicorn.Server:
    config = uvicorn.Config(
        app, log_level=log_level, ws="none", lifespan="on", access_log=log_level == "debug"
    )
    return uvicorn.Server(config)


def serve(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    log_level: str = "warning",
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve a new sandbox on ``host:port`` until interrupted (port 0 picks a free one).

    Prints one line with the URL once the server accepts connections (or calls ``on_ready``).

    Example:
        >>> serve(SandboxConfig(token="t"), port=8123)  # doctest: +SKIP
        local sandbox (not Ideogram) ready at http://127.0.0.1:8123
    """
    sock = _bind(host, port)
    url = _url(sock, host)
    app = create_app(config)
    server = _server(app, log_level)
    ready = on_ready or (lambda u: print(f"local sandbox (not Ideogram) ready at {u}", flush=True))

    def announce() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.01)
        if server.started:
            ready(url)

    threading.Thread(target=announce, daemon=True).start()
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app.state.sandbox.close()


def _close(app: Starlette) -> None:
    sandbox = getattr(app.state, "sandbox", None)  # a scripted app may have none
    if sandbox is not None:
        sandbox.close()


class RunningSandbox:
    """A sandbox served by uvicorn in a daemon thread; see :func:`serve_in_thread`."""

    def __init__(self, app: Starlette, server: uvicorn.Server, thread: threading.Thread, url: str):
        self.app = app
        self.server = server
        self.thread = thread
        self.url = url

    @property
    def sandbox(self) -> Sandbox:
        """The app's :class:`~._service.Sandbox` (``app.state.sandbox``)."""
        sandbox: Sandbox = self.app.state.sandbox
        return sandbox

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and the sandbox's worker threads (idempotent)."""
        self.server.should_exit = True
        self.thread.join(timeout)
        _close(self.app)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_thread(
    config: SandboxConfig | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log_level: str = "warning",
    timeout: float = 10.0,
    app: Starlette | None = None,
) -> RunningSandbox:
    """Start a sandbox over real HTTP in a background thread; returns once it accepts connections.

    ``app``: serve this app (made by :func:`create_app`, or any Starlette app, e.g. a test's scripted
    server) instead of a new one.

    Example:
        >>> with serve_in_thread(SandboxConfig(token="t")) as running:  # doctest: +SKIP
        ...     httpx.get(running.url + "/_sandbox/stats").json()["submits"]
        0
    """
    sock = _bind(host, port)
    url = _url(sock, host)
    app = app if app is not None else create_app(config)
    server = _server(app, log_level)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            errors.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name="sandbox-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if errors or not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(timeout)
            _close(app)
            raise RuntimeError(f"the local sandbox did not start: {errors or 'timeout'}")
        time.sleep(0.01)
    return RunningSandbox(app, server, thread, url)


class SandboxProcess:
    """A sandbox served by ``python -m ideogram_widgets.sandbox`` in its own process; see
    :func:`serve_in_process`. ``url`` is its base URL; ``stop()`` ends the process."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the process (kill it if it lingers); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> SandboxProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_in_process(config: SandboxConfig | None = None, *, timeout: float = 30.0) -> SandboxProcess:
    """Start a sandbox over real HTTP in a child process (free port on 127.0.0.1), for tests and
    benchmarks whose own process must not share its CPU or event loop; returns once it is ready.

    Example:
        >>> with serve_in_process(SandboxConfig(workers=8)) as running:  # doctest: +SKIP
        ...     httpx.get(running.url + "/_sandbox/stats").json()["workers"]
        8
    """
    config = config or SandboxConfig()
    cmd = [sys.executable, "-m", "ideogram_widgets.sandbox", "--port", "0", *config.to_args()]
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    line = ""
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stdout.readline()
        found = re.search(r"ready at (http://\S+)", line)
        if found:
            return SandboxProcess(process, found.group(1))
    SandboxProcess(process, "").stop()
    raise RuntimeError(f"the sandbox process did not start (last output: {line!r})")
