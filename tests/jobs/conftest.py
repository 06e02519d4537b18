"""Fixtures for the jobs tests: a private journal home, inputs, clients on real sandboxes.

* every test gets its own ``$IDEOGRAM_WIDGETS_HOME`` (nothing touches the real user data directory);
* ``inproc(config)`` → an AsyncClient wired in-process to a fresh sandbox app (plus the app);
* ``sandbox_proc(config)`` → the base URL of a sandbox app served by uvicorn in its own process (its own
  GIL, as a real service would be), stopped at teardown;
* ``CountingTransport`` wraps a real transport and counts the requests that go through it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import stop_all
from ideogram_widgets.jobs.manager import DURATIONS
from ideogram_widgets.sandbox import SandboxConfig

from .helpers import FAST_RETRY, SERVE, CountingTransport

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private journal folder for every test; stops every job left over at the end."""
    folder = tmp_path / "home"
    monkeypatch.setenv("IDEOGRAM_WIDGETS_HOME", str(folder))
    DURATIONS.clear()
    yield folder
    stop_all()


@pytest.fixture
async def inproc(
    sandbox_app: Callable[..., Starlette],
) -> AsyncIterator[Callable[..., tuple[AsyncClient, Starlette]]]:
    """Factory: ``(AsyncClient, app)`` for a fresh in-process sandbox (``token`` optional)."""
    clients: list[AsyncClient] = []

    def make(config: SandboxConfig | None = None, token: str | None = None) -> tuple[AsyncClient, Starlette]:
        app = sandbox_app(config or SandboxConfig(speed_scale=0.05, workers=4))
        transport = CountingTransport(httpx.ASGITransport(app=app))
        client = AsyncClient(token, base_url="http://sandbox/v1", transport=transport, retry=FAST_RETRY)
        clients.append(client)
        return client, app

    yield make
    stop_all()  # before the clients close under the jobs' feet
    await asyncio.sleep(0)
    for client in clients:
        await client.aclose()


@pytest.fixture
def sandbox_proc() -> Iterator[Callable[[SandboxConfig], str]]:
    """Factory: serve a sandbox from its own process; returns ``http://127.0.0.1:PORT``."""
    procs: list[subprocess.Popen[str]] = []

    def start(config: SandboxConfig) -> str:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, json.dumps(dataclasses.asdict(config))],
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        procs.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.search(r"(http://\S+)", line)
        assert m, f"the sandbox did not start: {line!r}"
        return m.group(1)

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
