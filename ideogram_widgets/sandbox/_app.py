"""The routes: the RunComfy Model API shapes (base path ``/v1``), result files and stats.

Example:
    >>> import httpx
    >>> app = create_app(SandboxConfig(speed_scale=0.01))
    >>> client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox")
    >>> # r = await client.post("/v1/models/ideogram/ideogram-v3/edit", json={...})
    >>> app.state.sandbox.close()
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..api._wire import COMPLETED, IN_PROGRESS, IN_QUEUE
from . import _imaging as imaging
from . import _models as models
from ._config import SandboxConfig
from ._errors import (
    BAD_IMAGE,
    BAD_TOKEN,
    BODY_TOO_LARGE,
    INVALID_JSON,
    NOT_FOUND,
    NOT_READY,
    SANDBOX_CLOSED,
    SCHEMA_MISMATCH,
    UNKNOWN_MODEL,
    SandboxError,
    generic_code,
    invalid_input,
)
from ._faults import FaultMiddleware, install_log_filter
from ._inputs import prepare_job
from ._jobqueue import Job
from ._restart import restore
from ._service import Sandbox

#: Largest submit body accepted (bytes); the vendor's own clients cap a request at 64 MiB.
MAX_BODY = 80 * 1024 * 1024


def _sandbox(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def _authorize(request: Request) -> None:
    """401 / 400004 unless the request carries the configured bearer token."""
    token = _sandbox(request).config.token
    if token is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip().encode(), token.encode()):
        raise SandboxError(
            401, BAD_TOKEN, "local sandbox: the bearer token is missing or not the one configured"
        )


def _iso(t: float | None) -> str | None:
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).isoformat(timespec="milliseconds")[:-6] + "Z"


def _urls(request: Request, request_id: str) -> dict[str, str]:
    base = f"{request.base_url}v1/requests/{request_id}"
    return {
        "status_url": f"{base}/status",
        "result_url": f"{base}/result",
        "cancel_url": f"{base}/cancel",
    }


def _job(request: Request) -> Job:
    request_id = request.path_params["request_id"]
    job = _sandbox(request).queue.get(request_id)
    if job is None:
        raise SandboxError(404, NOT_FOUND, f"request {request_id} is unknown or has expired")
    return job


async def _json_body(request: Request) -> tuple[bytes, Any]:
    """The raw body and its decoded JSON."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise SandboxError(413, BODY_TOO_LARGE, f"the body is larger than {MAX_BODY} bytes")
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise SandboxError(413, BODY_TOO_LARGE, f"the body is larger than {MAX_BODY} bytes")
    try:
        return raw, json.loads(raw)
    except ValueError as exc:
        raise SandboxError(
            422,
            INVALID_JSON,
            "the body is not valid JSON",
            [{"loc": ["body"], "msg": str(exc), "type": "json_invalid"}],
        ) from exc


# -- /v1 ----------------------------------------------------------------------------------------


def _accept(sandbox: Sandbox, model_id: str, body: Any, raw: bytes, request_id: str, own_host: str) -> None:
    """Prepare the job and queue it; with a ``state_dir`` the body is kept first, so the job can be
    rendered again after a restart. Runs in a thread (image decoding, file writes)."""
    job = prepare_job(sandbox, model_id, body, request_id, own_host)
    if sandbox.store is not None:
        sandbox.store.save_input(request_id, raw)
    try:
        sandbox.queue.submit(job)
    except RuntimeError as exc:
        raise SandboxError(503, SANDBOX_CLOSED, "the local sandbox has been closed") from exc


async def submit(request: Request) -> Response:
    """``POST /v1/models/{model_id}``: validate, queue, answer the request's URLs."""
    sandbox = _sandbox(request)
    accepted = False
    try:
        _authorize(request)
        model_id = request.path_params["model_id"]
        if model_id not in models.model_ids():
            raise SandboxError(400, UNKNOWN_MODEL, f"unknown model_id {model_id!r}")
        raw, body = await _json_body(request)
        problems = models.check_input(model_id, body)
        if problems:
            why = "; ".join(f"{p['loc'][-1]}: {p['msg']}" for p in problems)
            raise SandboxError(
                422, SCHEMA_MISMATCH, f"input does not match {model_id}'s schema: {why}", problems
            )
        if sandbox.closed:
            raise SandboxError(503, SANDBOX_CLOSED, "the local sandbox has been closed")
        request_id = str(uuid.uuid4())
        own_host = request.url.netloc
        await anyio.to_thread.run_sync(_accept, sandbox, model_id, body, raw, request_id, own_host)
        accepted = True
    finally:
        sandbox.count_submit(accepted)
    answer = {"request_id": request_id, **_urls(request, request_id)}
    return JSONResponse(answer, status_code=sandbox.config.submit_status)


async def model_entry(request: Request) -> Response:
    """``GET /v1/models/{model_id}``: the catalogue entry with ``input_schema``."""
    _authorize(request)
    model_id = request.path_params["model_id"]
    if model_id not in models.model_ids():
        raise SandboxError(400, UNKNOWN_MODEL, f"unknown model_id {model_id!r}")
    return JSONResponse(models.catalogue_entry(model_id))


async def status(request: Request) -> Response:
    """``GET /v1/requests/{id}/status``."""
    _authorize(request)
    job = _job(request)
    urls = _urls(request, job.request_id)
    answer: dict[str, Any] = {"request_id": job.request_id, "status": job.state}
    if job.state == IN_QUEUE:
        answer["queue_position"] = job.queue_position
    answer["status_url"] = urls["status_url"]
    answer["result_url"] = urls["result_url"]
    return JSONResponse(answer)


async def result(request: Request) -> Response:
    """``GET /v1/requests/{id}/result``: output URLs once completed, else the current state."""
    _authorize(request)
    job = _job(request)
    if job.state in (IN_QUEUE, IN_PROGRESS) and _sandbox(request).config.result_not_ready != "state":
        raise SandboxError(
            400, NOT_READY, f"request {job.request_id} is not finished yet (status {job.state})"
        )
    answer: dict[str, Any] = {"request_id": job.request_id, "status": job.state}
    if job.state == COMPLETED:
        urls = [f"{request.base_url}files/{name}" for name in job.files]
        answer["output"] = {"image": urls[0], "images": urls}
    answer["created_at"] = _iso(job.created_at)
    if job.finished_at is not None:
        answer["finished_at"] = _iso(job.finished_at)
    if job.error is not None:
        answer["error"] = job.error
    return JSONResponse(answer)


async def cancel(request: Request) -> Response:
    """``POST /v1/requests/{id}/cancel``: ``cancelled`` only while queued."""
    _authorize(request)
    request_id = request.path_params["request_id"]
    outcome = _sandbox(request).queue.cancel(request_id)
    if outcome is None:
        raise SandboxError(404, NOT_FOUND, f"request {request_id} is unknown or has expired")
    job, cancelled = outcome
    return JSONResponse(
        {
            "request_id": job.request_id,
            "status": job.state,
            "outcome": "cancelled" if cancelled else "not_cancellable",
        }
    )


# -- files and the sandbox's own pages (no auth, like the vendor's CDN) --------------------------


async def file(request: Request) -> Response:
    """``GET /files/{name}``: a result PNG, 404 / 404001 once expired."""
    name = request.path_params["name"]
    data = await anyio.to_thread.run_sync(_sandbox(request).files.read, name)
    if data is None:
        raise SandboxError(404, NOT_FOUND, f"file {name} is unknown or has expired")
    return Response(data, media_type="image/png", headers={"Cache-Control": "no-store"})


async def stats(request: Request) -> Response:
    """``GET /_sandbox/stats``: counters for tests and demos."""
    return JSONResponse(_sandbox(request).stats())


async def jobs(request: Request) -> Response:
    """``GET /_sandbox/jobs``: every job ever created, oldest first."""
    return JSONResponse(_sandbox(request).queue.history())


def _store_upload(sandbox: Sandbox, data: bytes) -> tuple[str, tuple[int, int]]:
    try:
        img = imaging.decode(data)
    except imaging.BadImageError as exc:
        raise invalid_input("body", str(exc), "image", BAD_IMAGE) from exc
    name = sandbox.files.add(imaging.result_png(imaging.to_pixels(img)), sandbox.config.result_ttl)
    return name, img.size


async def upload(request: Request) -> Response:
    """``POST /_sandbox/uploads`` with raw image bytes: host an input, answer its URL.

    For clients that send URLs instead of data URIs (e.g. with ``accept_data_uris=False``):
    the sandbox cannot fetch from the internet, but it can serve what was uploaded to it. The
    image is stored as PNG for ``result_ttl`` seconds. Not part of the vendor's API.
    """
    sandbox = _sandbox(request)
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise SandboxError(413, BODY_TOO_LARGE, f"the body is larger than {MAX_BODY} bytes")
    name, (width, height) = await anyio.to_thread.run_sync(_store_upload, sandbox, raw)
    url = f"{request.base_url}files/{name}"
    return JSONResponse({"url": url, "width": width, "height": height}, status_code=201)


async def index(request: Request) -> Response:
    """``GET /``: what this server is."""
    return JSONResponse(
        {
            "service": "local sandbox: classical inpainting and reframing, not Ideogram",
            "api": f"{request.base_url}v1",
            "models": list(models.model_ids()),
        }
    )


# -- errors -----------------------------------------------------------------------------------


async def _sandbox_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SandboxError)
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = generic_code(exc.status_code)
    return SandboxError(
        exc.status_code, code, f"{request.method} {request.url.path}: {exc.detail}"
    ).response()


def create_app(config: SandboxConfig | None = None) -> Starlette:
    """A new sandbox app (its own queue, files and counters).

    Works under uvicorn and in-process through ``httpx.ASGITransport``. Call
    ``app.state.sandbox.close()`` when done to stop its worker threads and delete its files
    (uvicorn's shutdown does it too).

    Example:
        >>> app = create_app(SandboxConfig(token="secret", speed_scale=0.01))
        >>> app.state.sandbox.config.token
        'secret'
        >>> app.state.sandbox.close()
    """
    sandbox = Sandbox(config or SandboxConfig())
    restore(sandbox)  # the jobs an earlier process left in the config's state_dir, if any
    install_log_filter()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        sandbox.close()

    routes = [
        Route("/", index, methods=["GET"]),
        Route("/v1/models/{model_id:path}", submit, methods=["POST"]),
        Route("/v1/models/{model_id:path}", model_entry, methods=["GET"]),
        Route("/v1/requests/{request_id}/status", status, methods=["GET"]),
        Route("/v1/requests/{request_id}/result", result, methods=["GET"]),
        Route("/v1/requests/{request_id}/cancel", cancel, methods=["POST"]),
        Route("/files/{name}", file, methods=["GET"]),
        Route("/_sandbox/stats", stats, methods=["GET"]),
        Route("/_sandbox/jobs", jobs, methods=["GET"]),
        Route("/_sandbox/uploads", upload, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, sandbox=sandbox)],
        exception_handlers={SandboxError: _sandbox_error, HTTPException: _http_error},
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
