"""Fixtures shared by every test folder: the local sandbox, over real HTTP and in-process.

* ``sandbox_server(config=None) -> "http://127.0.0.1:PORT"`` — uvicorn on a free port in a
  background thread; stopped (worker threads too) at teardown.
* ``sandbox_proc(config) -> url`` — the same in a child process (``serve_in_process``).
* ``sandbox_app(config=None) -> Starlette`` — a fresh app; its workers are closed at teardown.
* ``sandbox_client(config=None, token=None) -> httpx.AsyncClient`` — an in-process client
  (``httpx.ASGITransport``, base URL ``http://sandbox``), closed at teardown.

Without a config they use ``SandboxConfig(speed_scale=0.01)`` so jobs finish in ~10-40 ms.

Example::

    def test_something(sandbox_server):
        url = sandbox_server(SandboxConfig(token="t", workers=1))
        httpx.get(f"{url}/_sandbox/stats").json()

    async def test_in_process(sandbox_client):
        client = sandbox_client(token=None)
        r = await client.get("/_sandbox/stats")
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_widgets.jobs._manager import DURATIONS
from ideogram_widgets.sandbox import (
    RunningSandbox,
    SandboxConfig,
    SandboxProcess,
    create_app,
    serve_in_process,
    serve_in_thread,
)

FAST = SandboxConfig(speed_scale=0.01)


@pytest.fixture(autouse=True)
def _forget_learned_run_times() -> Iterator[None]:
    """Every test starts with nothing learned: the process-wide run-time model would otherwise carry one
    test's job durations (and so its polling cadence) into the next, and tests would depend on their order."""
    DURATIONS.clear()
    yield
    DURATIONS.clear()


@pytest.hookimpl(trylast=True)  # after pytest has grouped tests by their parametrised session fixtures
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the whole session, and an async test after it would find that loop instead of its own."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path).replace("\\", "/"))


@pytest.fixture
def sandbox_server() -> Iterator[Callable[..., str]]:
    """Factory: start a sandbox over real HTTP on 127.0.0.1 (free port); returns its base URL."""
    running: list[RunningSandbox] = []

    def start(config: SandboxConfig | None = None) -> str:
        handle = serve_in_thread(config or FAST, host="127.0.0.1", port=0)
        running.append(handle)
        return handle.url

    yield start
    for handle in running:
        handle.stop()


@pytest.fixture
def sandbox_app() -> Iterator[Callable[..., Starlette]]:
    """Factory: a fresh in-process sandbox app; its worker threads are closed at teardown."""
    apps: list[Starlette] = []

    def make(config: SandboxConfig | None = None) -> Starlette:
        app = create_app(config or FAST)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.sandbox.close()


@pytest.fixture
async def sandbox_client(
    sandbox_app: Callable[..., Starlette],
) -> AsyncIterator[Callable[..., httpx.AsyncClient]]:
    """Factory: an ``httpx.AsyncClient`` wired in-process to a fresh sandbox app.

    ``token`` (optional) is sent as ``Authorization: Bearer <token>``. When you need the app
    object too, take ``sandbox_app`` and build the client yourself.
    """
    clients: list[httpx.AsyncClient] = []

    def make(config: SandboxConfig | None = None, token: str | None = None) -> httpx.AsyncClient:
        app = sandbox_app(config)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox", headers=headers
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest.fixture
def sandbox_proc() -> Iterator[Callable[[SandboxConfig], str]]:
    """Factory: a sandbox served by ``python -m ideogram_widgets.sandbox`` in its own process (its own
    CPU and GIL, as a real service would be); returns its base URL. Stopped at teardown."""
    running: list[SandboxProcess] = []

    def start(config: SandboxConfig) -> str:
        running.append(serve_in_process(config))
        return running[-1].url

    yield start
    for proc in running:
        proc.stop()
