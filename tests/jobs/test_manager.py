"""JobManager.aclose() closes only the client it made; a caller's client stays usable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager, set_default_client
from ideogram_widgets.jobs import _manager as manager_module

from .helpers import Inproc, edit


@pytest.fixture
def restore_default_client() -> Iterator[None]:
    saved = manager_module._factory
    yield
    manager_module._factory = saved


async def test_aclose_leaves_a_callers_client_open_and_usable(inproc: Inproc) -> None:
    client, _ = inproc()
    manager = JobManager(client)
    first = await manager.submit(edit("before"))
    await manager.aclose()
    assert not client._http.is_closed
    status = await client.status(first.request_id)  # the caller's client still talks to the service
    assert status.state == "completed"
    again = await JobManager(client).submit(edit("after"))  # and still serves jobs
    assert again.paths


async def test_aclose_closes_the_client_the_manager_made(
    inproc: Inproc, restore_default_client: None
) -> None:
    made: list[AsyncClient] = []

    def factory() -> AsyncClient:
        client, _ = inproc()
        made.append(client)
        return client

    set_default_client(factory)
    manager = JobManager()
    output = await manager.submit(edit("made here"))
    assert output.paths
    assert len(made) == 1
    assert not made[0]._http.is_closed
    await manager.aclose()
    assert made[0]._http.is_closed
    assert made[0]._files.is_closed
