"""The async HTTP client for the RunComfy Model API (and anything that speaks it, like the sandbox).

Low-level calls map one-to-one on the service's endpoints (:meth:`AsyncClient.submit`, ``status``,
``result``, ``cancel``, ``download``); :meth:`AsyncClient.edit` and :meth:`AsyncClient.reframe` do the
whole round trip. Status, result, cancel and download are retried (capped exponential backoff with jitter,
``Retry-After`` honoured up to a cap); a submit is retried only when it certainly never left this machine,
because the service has no idempotency key and a resent submit would be a second, paid job.

The token comes from ``token=`` or ``RUNCOMFY_API_TOKEN``; it is only ever written into the
``Authorization`` header of API calls, never into a repr, log line or error, and never sent to the file
host that serves results.

Example (in a notebook cell, where ``await`` works)::

    from ideogram_widgets.api import AsyncClient
    async with AsyncClient() as client:              # token from RUNCOMFY_API_TOKEN
        result = await client.edit("photo.png", mask, "a red door", rendering_speed="TURBO")
    result.image                                     # a PIL image
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from .._version import __version__
from ._attempts import with_retries
from ._errors import (
    NOT_READY,
    APIError,
    DownloadError,
    InputError,
    JobCancelledError,
    JobFailedError,
    MissingTokenError,
    ServerError,
    SubmitUncertainError,
    WaitTimeoutError,
)
from ._inputs import EditInput, ReframeInput
from ._media import DEFAULT_LIMITS, ImageSource, MaskSource, PayloadLimits, Uploader, decode_image
from ._options import MaskPolarity
from ._redact import Redactor
from ._resolution import DEFAULT_RESOLUTION, Resolution
from ._result import Result
from ._retry import PollCadence, RetryPolicy
from ._token import find_token
from ._transport import BearerAuth, exchange, fetch
from ._wire import CancelOutcome, JobResult, JobStatus, Submission

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "TOKEN_ENV", "AsyncClient"]

DEFAULT_BASE_URL = "https://model-api.runcomfy.net/v1"
TOKEN_ENV = "RUNCOMFY_API_TOKEN"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0, write=60.0, pool=30.0)
DEFAULT_DEADLINE = 120.0
"""Seconds one API call may take in all, its retries and their waits included."""
DEFAULT_DOWNLOAD_DEADLINE = 300.0
"""Seconds one result file's download may take in all, its retries included."""
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024

log = logging.getLogger("ideogram_widgets")


class AsyncClient:
    """Talks to the RunComfy Model API (or the local sandbox) over HTTP.

    Args:
        token: the API token; default ``RUNCOMFY_API_TOKEN``, then (for the hosted service) the official
            CLI's ``RUNCOMFY_TOKEN`` and ``runcomfy login`` file. Required for the hosted service only.
        base_url: default ``https://model-api.runcomfy.net/v1`` (or ``RUNCOMFY_API_BASE_URL``).
        timeout: an ``httpx.Timeout`` (explicit connect/read/write/pool limits) or seconds.
        deadline: seconds one API call may take in all (retries and waits included), however the
            answer arrives: an answer trickled a byte at a time ends with DeadlineExceededError.
            ``None``: no overall limit (only the per-read ``timeout``).
        download_deadline: the same for one result file's download.
        retry: how status/result/cancel/download calls are retried.
        mask_polarity: which colour means "edit" to the service (default black).
        limits: size limits for images sent inline as data URIs.
        uploader: ``uploader(png_bytes, filename) -> url`` to host local images instead of inlining them.
        transport: an httpx transport, e.g. ``httpx.ASGITransport(app)`` for an in-process backend.
        label: a name for the backend in user-facing text (default from the URL).
        notice: a line widgets show about this backend (e.g. that it is a local stand-in), or None.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        download_deadline: float | None = DEFAULT_DOWNLOAD_DEADLINE,
        retry: RetryPolicy | None = None,
        mask_polarity: MaskPolarity | str = MaskPolarity.BLACK_IS_EDIT,
        limits: PayloadLimits = DEFAULT_LIMITS,
        uploader: Uploader | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        max_download_bytes: int = MAX_DOWNLOAD_BYTES,
        label: str | None = None,
        notice: str | None = None,
    ) -> None:
        base = (base_url or os.environ.get("RUNCOMFY_API_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        source = "argument" if token is not None else ""
        if token is None:
            # the CLI's variable and login file hold a token for the hosted service only
            hosted = base == DEFAULT_BASE_URL
            found = find_token(files=None if hosted else ())
            if hosted or found.source == TOKEN_ENV:
                token, source = found.token, found.source
        if token is None and base == DEFAULT_BASE_URL and transport is None:
            raise MissingTokenError()
        if isinstance(token, str) and (not token.strip() or not token.isprintable()):
            # control characters (\r, \n, \t, NUL...) cannot travel in an HTTP header
            raise InputError("token", "<hidden>", "a non-empty single-line API token of printable characters")
        for name, value in (("deadline", deadline), ("download_deadline", download_deadline)):
            if value is not None and not (isinstance(value, int | float) and 0 < value < float("inf")):
                raise InputError(name, value, "a positive number of seconds, or None for no overall limit")
        self._redact = Redactor([token])  # server text is stripped of the token before it is kept
        self.base_url = base
        self.deadline = deadline
        self.download_deadline = download_deadline
        self.has_token = token is not None
        self.token_source = source if token is not None else ""
        """Where the token came from (``RUNCOMFY_API_TOKEN``, ``RUNCOMFY_TOKEN``, ``runcomfy login (…)``,
        ``argument``), or ``""``; never the token."""
        self.retry = retry or RetryPolicy()
        self.mask_polarity = MaskPolarity.coerce(mask_polarity, "mask_polarity")
        self.limits = limits
        self.uploader = uploader
        self.max_download_bytes = max_download_bytes
        self.notice = notice
        self.label = label or ("RunComfy Model API" if base == DEFAULT_BASE_URL else httpx.URL(base).host)
        headers = {"User-Agent": f"ideogram-widgets/{__version__}", "Accept": "application/json"}
        self._http = httpx.AsyncClient(
            base_url=base,
            auth=BearerAuth(token) if token else None,
            timeout=timeout,
            transport=transport,
            headers=headers,
            follow_redirects=False,
        )
        # Result files live on a CDN and are fetched without the token.
        self._files = httpx.AsyncClient(
            timeout=timeout, transport=transport, headers={"User-Agent": headers["User-Agent"]}
        )
        self.sleep: Callable[[float], Any] = asyncio.sleep

    def __repr__(self) -> str:
        token = "set" if self.has_token else "none"
        return f"AsyncClient(base_url={self.base_url!r}, label={self.label!r}, token={token})"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pools."""
        await self._http.aclose()
        await self._files.aclose()

    # ----------------------------------------------------------------- the endpoints

    async def submit(self, model_id: str, payload: Mapping[str, Any]) -> Submission:
        """``POST /models/{model_id}``: start a job. Sent once; never resent unless it never left."""
        started = time.time()
        body = await self._call("POST", f"/models/{model_id}", json=dict(payload), submit=True)
        submission = Submission.parse(body) if isinstance(body, Mapping) else None
        if submission is None:
            raise SubmitUncertainError(
                "the service accepted the submit but its answer has no request_id; it was not resent",
                submitted_at=started,
                detail=body if isinstance(body, Mapping) else None,
            )
        log.info("submitted %s as request %s", model_id, submission.request_id)
        return submission

    async def submit_input(self, job: EditInput | ReframeInput) -> Submission:
        """Build the payload of a validated input (off the event loop) and submit it."""
        payload = await asyncio.to_thread(job.to_payload, polarity=self.mask_polarity, uploader=self.uploader)
        return await self.submit(job.model_id, payload)

    async def status(self, request_id: str) -> JobStatus:
        """``GET /requests/{id}/status``."""
        body = await self._call("GET", f"/requests/{_rid(request_id)}/status", request_id=request_id)
        return JobStatus.parse(_mapping(body, request_id), request_id)

    async def result(self, request_id: str) -> JobResult:
        """``GET /requests/{id}/result``: the output once completed, else the current state."""
        try:
            body = await self._call("GET", f"/requests/{_rid(request_id)}/result", request_id=request_id)
        except APIError as exc:
            if exc.error_code != NOT_READY:  # "not finished yet", as one vendor mock answers
                raise
            status = await self.status(request_id)
            return JobResult(request_id, status.state, raw=status.raw)
        return JobResult.parse(_mapping(body, request_id), request_id)

    async def cancel(self, request_id: str) -> CancelOutcome:
        """``POST /requests/{id}/cancel``: only queued jobs can be cancelled; see ``.cancelled``."""
        body = await self._call("POST", f"/requests/{_rid(request_id)}/cancel", request_id=request_id)
        return CancelOutcome.parse(_mapping(body, request_id), request_id)

    async def model_info(self, model_id: str) -> dict[str, Any]:
        """``GET /models/{model_id}``: the catalogue entry (price, and the input schema where given)."""
        return dict(_mapping(await self._call("GET", f"/models/{model_id}"), None))

    # ----------------------------------------------------------------- waiting and results

    async def wait(
        self,
        request_id: str,
        *,
        timeout: float = 1800.0,
        min_interval: float = 0.25,
        max_interval: float = 5.0,
        on_status: Callable[[JobStatus], None] | None = None,
    ) -> JobResult:
        """Poll until the job is finished; return the completed result or raise its typed error.

        Polls fast at first and after every change of state, slowing to ``max_interval`` while nothing
        changes. Raises JobFailedError, JobCancelledError or WaitTimeoutError (the job is not cancelled).
        """
        deadline = time.monotonic() + timeout
        cadence = PollCadence()  # the jobs poller's rule too (without its learned run times)
        while True:
            status = await self.status(request_id)
            if on_status is not None:
                on_status(status)
            if status.is_terminal:
                return self.finished(await self.result(request_id))
            cadence.saw(status.state)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise WaitTimeoutError(request_id, timeout)
            await self.sleep(min(cadence.next_wait(min_interval, max_interval), remaining))

    def finished(self, answer: JobResult) -> JobResult:
        """Return a completed answer with images; raise the typed error of a failed or cancelled one."""
        rid = answer.request_id
        if answer.state == "completed":
            if not answer.image_urls:
                raise ServerError("the job completed but its answer has no output image", request_id=rid)
            return answer
        if answer.state == "failed":
            raise JobFailedError(_failure_message(answer.error), request_id=rid, detail=answer.error)
        if answer.state == "cancelled":
            raise JobCancelledError("the job was cancelled", request_id=rid)
        raise ServerError(f"the job is not finished (state {answer.state!r})", request_id=rid)

    async def download(self, url: str, *, request_id: str | None = None) -> bytes:
        """Fetch a result file without the token: size-capped, redirects followed but never to plain http
        from https, retried like status calls, and checked to be an image."""
        data: bytes = await self._with_retries(
            lambda: self._fetch(url, request_id),
            request_id,
            idempotent=True,
            what="the result file's download",
            deadline=self.download_deadline,
        )
        try:
            await asyncio.to_thread(decode_image, data, max_pixels=self.limits.max_pixels)
        except InputError as exc:
            raise DownloadError(
                f"the result file is not a usable image: {exc}", request_id=request_id
            ) from None
        return data

    async def fetch_result(self, answer: JobResult, model_id: str = "") -> Result:
        """Download and decode every image of a completed answer."""
        files = [await self.download(url, request_id=answer.request_id) for url in answer.image_urls]
        images = [await asyncio.to_thread(decode_image, d, max_pixels=self.limits.max_pixels) for d in files]
        return Result(
            answer.request_id, model_id, images, files, answer.image_urls, answer, backend=self.label
        )

    # ----------------------------------------------------------------- the whole round trip

    async def run(self, job: EditInput | ReframeInput, *, timeout: float = 1800.0) -> Result:
        """Submit a validated input, wait for it, download the result."""
        submission = await self.submit_input(job)
        answer = await self.wait(submission.request_id, timeout=timeout)
        result = await self.fetch_result(answer, job.model_id)
        if isinstance(job, EditInput) and job.original is not None:
            result.composite_image = await asyncio.to_thread(job.composite, result.image)
        return result

    async def edit(
        self, image: ImageSource, mask: MaskSource, prompt: str, *, timeout: float = 1800.0, **options: Any
    ) -> Result:
        """Inpaint: change the masked area (True / white = edit) as ``prompt`` says.

        ``options``: ``seed``, ``rendering_speed``, ``magic_prompt``, ``color_palette``, ``style``.
        """
        job = await asyncio.to_thread(EditInput, image, mask, prompt, limits=self.limits, **options)
        return await self.run(job, timeout=timeout)

    async def reframe(
        self,
        image: ImageSource,
        resolution: Resolution | str | tuple[int, int] = DEFAULT_RESOLUTION,
        *,
        timeout: float = 1800.0,
        **options: Any,
    ) -> Result:
        """Outpaint ``image`` to one of the 69 resolutions. ``options``: ``seed``, ``rendering_speed``,
        ``color_palette``, ``style``."""
        job = await asyncio.to_thread(ReframeInput, image, resolution, limits=self.limits, **options)
        return await self.run(job, timeout=timeout)

    # ----------------------------------------------------------------- the wire

    async def _exchange(
        self, method: str, path: str, payload: Any, request_id: str | None, submit: bool
    ) -> Any:
        return await exchange(
            self._http,
            method,
            path,
            payload,
            label=self.label,
            request_id=request_id,
            submit=submit,
            redact=self._redact,
        )

    async def _fetch(self, url: str, request_id: str | None) -> bytes:
        return await fetch(
            self._files, url, request_id=request_id, max_bytes=self.max_download_bytes, redact=self._redact
        )

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        request_id: str | None = None,
        submit: bool = False,
    ) -> Any:
        async def once() -> Any:
            return await self._exchange(method, path, json, request_id, submit)

        what = "the submit" if submit else f"{method} {path.split('/')[-1] or path}"
        return await self._with_retries(
            once, request_id, idempotent=not submit, what=what, deadline=self.deadline
        )

    async def _with_retries(
        self,
        once: Callable[[], Any],
        request_id: str | None,
        *,
        idempotent: bool,
        what: str,
        deadline: float | None,
    ) -> Any:
        return await with_retries(
            once,
            policy=self.retry,
            sleep=self.sleep,
            backend=self.label,
            request_id=request_id,
            idempotent=idempotent,
            what=what,
            deadline=deadline,
        )


def _mapping(body: Any, request_id: str | None) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    raise ServerError(
        f"the service answered {type(body).__name__} where an object was expected", request_id=request_id
    )


def _rid(request_id: str) -> str:
    if not isinstance(request_id, str) or not request_id.strip():
        raise InputError("request_id", request_id, "the request id a submit returned")
    return quote(request_id.strip(), safe="")


def _failure_message(error: Any) -> str:
    if isinstance(error, str) and error.strip():
        return f"the job failed: {error.strip()[:300]}"
    if isinstance(error, Mapping):
        for key in ("message", "error_message", "detail", "error"):
            value = error.get(key)
            if isinstance(value, str) and value.strip():
                return f"the job failed: {value.strip()[:300]}"
    return "the job failed (the service gave no reason)"
