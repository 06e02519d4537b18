"""The jobs layer's contracts with the rest of the package: the default client is installed from above,
resume() reaches every recorded backend through ``client_for``, the composite is kept and rebuilt,
``max_wait`` bounds downloads too."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import httpx
import numpy as np
import pytest

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.api._composite import put_back
from ideogram_widgets.jobs import (
    Job,
    JobManager,
    NoDefaultClientError,
    PollingStoppedError,
    ResumeReport,
    resume,
    set_default_client,
)
from ideogram_widgets.jobs import _collect as collect_module
from ideogram_widgets.jobs import _manager as manager_module
from ideogram_widgets.jobs import _poller as poller_module
from ideogram_widgets.jobs._records import needs_resume
from ideogram_widgets.sandbox import SandboxConfig
from tests._sandbox_clock import finish
from tests._timing import FakeClock

from .helpers import FAST_RETRY, Inproc, edit, image, mask, reframe, until


def test_the_default_client_comes_from_above(monkeypatch: pytest.MonkeyPatch, inproc: Inproc) -> None:
    monkeypatch.setattr(manager_module, "_factory", None)
    with pytest.raises(NoDefaultClientError, match="set_default_client"):
        _ = JobManager().client
    client, _ = inproc()
    set_default_client(lambda: client)
    assert JobManager().client is client
    with pytest.raises(TypeError):
        set_default_client("not callable")  # type: ignore[arg-type]


async def test_resume_follows_every_recorded_backend_through_client_for(inproc: Inproc) -> None:
    # the sandboxes' clocks stand still: both jobs are still running when they are stopped here
    clock = FakeClock()
    first, first_app = inproc(SandboxConfig(speed_scale=0.3, clock=clock))
    _, other_app = inproc(SandboxConfig(speed_scale=0.3, clock=FakeClock()))
    second = AsyncClient(None, base_url="http://second/v1", transport=httpx.ASGITransport(app=other_app))
    jobs = [JobManager(first).submit(edit("one")), JobManager(second).submit(edit("two"))]
    await until(lambda: all(j.request_id for j in jobs))
    for job in jobs:
        job.stop()
    clients = {first.base_url: first}
    report = resume(client_for=lambda url: clients.get(url))  # the second backend: unreachable
    assert isinstance(report, ResumeReport)
    assert [j.request_id for j in report] == [jobs[0].request_id]
    assert [(r.request_id, why) for r, why in report.left] == [
        (jobs[1].request_id, "second at http://second/v1 cannot be reached from here")
    ]
    assert "took 1 job (1 on sandbox)" in repr(report)
    await finish(first_app, clock, report[0])
    await report[0]
    await second.aclose()


async def test_an_edit_keeps_its_composite_and_a_resumed_one_rebuilds_it(inproc: Inproc) -> None:
    client, app = inproc(SandboxConfig(speed_scale=0.3))
    manager = JobManager(client)
    job = manager.submit(edit())
    output = await job
    expected = put_back(image(), mask(), output.image)
    assert output.composite is not None
    assert np.array_equal(np.asarray(output.composite), np.asarray(expected))
    assert len(output.composite_paths) == 1  # kept in the journal next to the service's output
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    assert len(entry["composites"]) == 1
    assert entry["files"] != entry["composites"]

    other = manager.submit(edit("while nobody watches"))
    await until(lambda: bool(other.request_id))
    other.stop()
    await until(lambda: app.state.sandbox.queue.get(other.request_id).state == "completed")
    (again,) = resume(manager=JobManager(client))  # rebuilt from the journal's original and mask
    resumed = await again
    assert resumed.composite is not None
    assert resumed.composite.size == (48, 40)
    assert np.array_equal(np.asarray(resumed.composite), np.asarray(put_back(image(), mask(), resumed.image)))
    framed = await manager.submit(reframe())
    assert framed.composite is not None
    assert framed.composite.size == framed.image.size  # for a reframe, the output itself


class EndlessFiles(httpx.AsyncBaseTransport):
    """Result files whose body never ends; everything else goes to the sandbox."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/files/" in request.url.path:
            return httpx.Response(200, headers={"content-type": "image/png"}, stream=_Endless())
        return await self.inner.handle_async_request(request)


class _Endless(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            await asyncio.sleep(0.05)  # the subject: a file that never ends, one byte at a time
            yield b"\0"


async def _outcome(job: Job) -> object:
    return await job


async def test_max_wait_bounds_the_download_too(
    sandbox_app: object, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The poller's clock (``time.monotonic`` where the deadline is set and checked) stands still, so
    however slowly the machine submits and polls, all of ``max_wait`` is left when the download starts:
    the endless file is given exactly that (real seconds, by ``asyncio.wait_for``) and no more."""
    poller_clock = SimpleNamespace(monotonic=FakeClock(time.monotonic()))
    monkeypatch.setattr(poller_module, "time", poller_clock)
    monkeypatch.setattr(collect_module, "time", poller_clock)
    app = sandbox_app(SandboxConfig(speed_scale=0.05))  # type: ignore[operator]
    transport = EndlessFiles(httpx.ASGITransport(app=app))
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=transport, retry=FAST_RETRY)
    manager = JobManager(client, max_wait=0.5)
    job = manager.submit(edit())
    with pytest.raises(PollingStoppedError, match="download had not finished"):
        await asyncio.wait_for(_outcome(job), 30)
    assert job.state == "stopped"
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    assert entry["state"] == "completed"
    assert needs_resume(entry)  # resume() tries the download again later
    await client.aclose()
