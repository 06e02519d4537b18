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
    """Counts the requests that pass through a real transport, by endpoint and by request id; ``broken``
    counts those whose connection failed before any answer (over real HTTP such a request may never have
    reached the server: e.g. sent on a kept-alive connection the server was closing)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.counts: Counter[str] = Counter()
        self.per_request: Counter[tuple[str, str]] = Counter()
        self.broken: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        name = "other"
        if request.method == "POST" and "/v1/models/" in path:
            name = "submit"
        elif m := re.search(r"/v1/requests/([^/]+)/(status|result|cancel)$", path):
            name = m.group(2)
            self.per_request[(m.group(1), name)] += 1
        elif "/files/" in path:
            name = "files"
        if name != "other":
            self.counts[name] += 1
        try:
            return await self.inner.handle_async_request(request)
        except httpx.TransportError:
            self.broken[name] += 1
            raise

    async def aclose(self) -> None:
        await self.inner.aclose()


FAST_RETRY = RetryPolicy(attempts=6, base_delay=0.05, max_delay=0.5, max_retry_after=0.2)


def counts(client: AsyncClient) -> Counter[str]:
    """The request counts of a client built by ``inproc`` or ``http_client``."""
    return transport_of(client).counts


def transport_of(client: AsyncClient) -> CountingTransport:
    """The CountingTransport of a client built by ``inproc`` or ``http_client``."""
    transport = client._http._transport
    assert isinstance(transport, CountingTransport)
    return transport


def assert_submits_seen_once(transport: CountingTransport, server_submits: int) -> None:
    """Every submit request sent here reached the server once: none more, and none fewer except those whose
    connection broke before any answer (the client then never resends a submit the server may have taken,
    and what it does resend is checked by the tests: no input becomes two jobs)."""
    sent, broken = transport.counts["submit"], transport.broken["submit"]
    assert sent - broken <= server_submits <= sent, (sent, broken, server_submits)


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
