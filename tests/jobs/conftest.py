"""Fixtures for the jobs tests: a private journal home, inputs, clients on real sandboxes.

* every test gets its own ``$IDEOGRAM_WIDGETS_HOME`` (nothing touches the real user data directory);
* ``inproc(config)`` → an AsyncClient wired in-process to a fresh sandbox app (plus the app);
* (``sandbox_proc(config)``, a sandbox in its own process, comes from ``tests/conftest.py``);
* ``CountingTransport`` wraps a real transport and counts the requests that go through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import stop_all
from ideogram_widgets.sandbox import SandboxConfig

from .helpers import FAST_RETRY, CountingTransport

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private journal folder for every test; stops every job left over at the end."""
    folder = tmp_path / "home"
    monkeypatch.setenv("IDEOGRAM_WIDGETS_HOME", str(folder))
    yield folder
    stop_all()


@pytest.fixture
def sandbox_and_journal(
    sandbox_proc: Callable[[SandboxConfig], str], tmp_path: Path
) -> Callable[..., tuple[str, Path]]:
    """Factory: ``(url, folder)``, a sandbox in its own process (``SandboxConfig(**options)``) and a journal
    folder, for the tests whose own processes (given both as arguments) are killed under them."""

    def start(**options: Any) -> tuple[str, Path]:
        return sandbox_proc(SandboxConfig(**options)), tmp_path / "journal"

    return start


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
