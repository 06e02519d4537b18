"""Helpers for the jobs tests: small inputs, and a transport that counts real requests."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import numpy as np
from PIL import Image
from starlette.applications import Starlette

from ideogram_widgets.api import AsyncClient, EditInput, ReframeInput, RetryPolicy
from ideogram_widgets.jobs import Job, JobManager
from tests._timing import wait_until_async

Inproc = Callable[..., tuple[AsyncClient, Starlette]]
"""The type of the ``inproc`` fixture."""


def image(size: tuple[int, int] = (48, 40), colour: str = "white") -> Image.Image:
    """A small RGB image with a pattern (so results differ from the input)."""
    img = Image.new("RGB", size, colour)
    pixels = np.asarray(img).copy()
    pixels[::4, :, 0] = 40
    return Image.fromarray(pixels)


def mask(size: tuple[int, int] = (48, 40)) -> np.ndarray:
    """A partial mask: the left half is edited."""
    m = np.zeros((size[1], size[0]), bool)
    m[:, : size[0] // 2] = True
    return m


def edit(prompt: str = "a red door", speed: str = "TURBO", **options: Any) -> EditInput:
    """A small edit input."""
    return EditInput(image(), mask(), prompt, rendering_speed=speed, **options)


def reframe(speed: str = "TURBO") -> ReframeInput:
    """A small reframe input (the smallest resolution keeps the sandbox quick)."""
    return ReframeInput(image(), "512:1536 (1:3)", rendering_speed=speed)


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts the requests that pass through a real transport, by endpoint and by request id."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self.per_request: Counter[tuple[str, str]] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and "/v1/models/" in path:
            self.counts["submit"] += 1
        else:
            m = re.search(r"/v1/requests/([^/]+)/(status|result|cancel)$", path)
            if m:
                self.counts[m.group(2)] += 1
                self.per_request[(m.group(1), m.group(2))] += 1
            elif "/files/" in path:
                self.counts["files"] += 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


FAST_RETRY = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.5, max_retry_after=0.2)


def counts(client: AsyncClient) -> Counter[str]:
    """The request counts of a client built by ``inproc`` or ``http_client``."""
    transport = client._http._transport
    assert isinstance(transport, CountingTransport)
    return transport.counts


def http_client(url: str, **options: Any) -> AsyncClient:
    """An AsyncClient for a sandbox over real HTTP, counting its requests."""
    transport = CountingTransport(httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=100)))
    options.setdefault("retry", FAST_RETRY)
    return AsyncClient(None, base_url=f"{url}/v1", transport=transport, **options)


until = wait_until_async
"""Wait (on the running loop) until ``condition()`` is true; fail after ``timeout`` seconds."""


def file_bytes(folder: Any) -> dict[str, bytes]:
    """Every file under ``folder``, by path."""
    return {str(p): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def read(manager: JobManager, job: Job) -> dict[str, Any]:
    """The journal entry of ``job`` (which must exist)."""
    entry = manager.journal.read(job.job_id)
    assert entry is not None, f"no journal entry for {job.job_id}"
    return entry
