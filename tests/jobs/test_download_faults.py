"""A result file that is gone or keeps failing: the job says so, typed, and the journal keeps what
resume() needs (a file host that fails is retried later; one that says 404 means the result expired)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_widgets.api import APIError, AsyncClient, NotFoundError
from ideogram_widgets.jobs import JobManager, Journal
from ideogram_widgets.jobs._records import needs_resume
from ideogram_widgets.sandbox import SandboxConfig

from .helpers import FAST_RETRY, edit, read


class FileHost(httpx.AsyncBaseTransport):
    """The sandbox, except that its result files answer ``status`` (the API itself answers as usual)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, status: int) -> None:
        self.inner, self.status, self.asked = inner, status, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/files/" in request.url.path:
            self.asked += 1
            return httpx.Response(self.status, json={"error_message": "no such file"}, request=request)
        return await self.inner.handle_async_request(request)


def _manager(sandbox_app: Callable[..., Starlette], home: Path, status: int) -> tuple[JobManager, FileHost]:
    host = FileHost(httpx.ASGITransport(app=sandbox_app(SandboxConfig(speed_scale=0.05))), status)
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=host, retry=FAST_RETRY)
    return JobManager(client, journal=Journal(home)), host


async def test_a_result_file_that_is_gone_ends_the_job_expired(
    sandbox_app: Callable[..., Starlette], home: Path
) -> None:
    manager, host = _manager(sandbox_app, home, 404)
    job = manager.submit(edit("gone"))
    with pytest.raises(NotFoundError):
        await job
    assert job.state == "expired"
    assert host.asked == 1  # a 404 is not retried
    entry = read(manager, job)
    assert entry["state"] == "expired"
    assert entry["download_error"]["type"] == "NotFoundError"
    assert not needs_resume(entry)
    await manager.client.aclose()


async def test_a_file_host_that_keeps_failing_leaves_the_job_for_resume(
    sandbox_app: Callable[..., Starlette], home: Path
) -> None:
    manager, host = _manager(sandbox_app, home, 503)
    job = manager.submit(edit("later"))
    with pytest.raises(APIError):
        await job
    assert job.state == "completed"  # on the service; only the download failed
    assert host.asked == FAST_RETRY.attempts
    entry = read(manager, job)
    assert entry["state"] == "completed"
    assert entry["downloaded"] is False
    assert entry["download_error"]["status"] == 503
    assert needs_resume(entry)  # resume() downloads it once the file host answers again
    await manager.client.aclose()
