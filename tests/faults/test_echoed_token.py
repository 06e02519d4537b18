"""No secret in server text (issue 10, item 4): a server that echoes the Authorization header.

A scripted server over real HTTP (uvicorn on 127.0.0.1) remembers the ``Authorization`` header it was
sent and echoes it everywhere a service's text can go: error messages (JSON and plain text), ``detail``
objects (as a value, as a key, base64-encoded as a whole header line), a job's ``error``, the
``Content-Type`` header of an answer that is not JSON, and a result file's error page. Then every channel
is searched — exceptions (str, repr, args, attributes, traceback, pickle), the job's ``error`` and
``exception``, every file of the journal, ``history()``, and every log record at DEBUG (the INFO line
of a retry included) — for the token as is, its middle, and its base64 at all three alignments.
"""

from __future__ import annotations

import base64
import logging
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ideogram_widgets.api import (
    APIError,
    AsyncClient,
    AuthenticationError,
    DownloadError,
    JobFailedError,
    ReframeInput,
    RetryPolicy,
    ServerError,
)
from ideogram_widgets.jobs import JobManager, history, stop_all
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import serve_in_thread

from .conftest import TOKEN
from .test_token_never_leaks import Channels

HEADER = f"Bearer {TOKEN}"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def needles() -> list[str]:
    """The token, its distinctive middle, and its base64 at each alignment (computed independently of
    the code under test: the groups of ``prefix + token`` that hold token bytes only)."""
    found = [TOKEN, TOKEN.split("-")[2]]
    for prefix in ("", "a", "ab"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            found.append(encode((prefix + TOKEN).encode()).decode()[4:-4])
    return found


def echo_app() -> Starlette:
    """Every answer carries the last Authorization header the app saw, in every form."""
    seen = {"auth": HEADER}
    polls = {"n": 0}

    def echo() -> dict[str, object]:
        auth = seen["auth"]
        return {
            "seen_headers": {"authorization": auth},
            auth: "the header as a key",
            "line_b64": b64(f"Authorization: {auth}"),
            "nested": [[{"deep": f"token={TOKEN}"}]],
        }

    async def remember(request: Request) -> None:
        seen["auth"] = request.headers.get("authorization", seen["auth"])

    async def submit(request: Request) -> Response:
        await remember(request)
        return JSONResponse({"request_id": "echo-1", "note": f"accepted for {seen['auth']}"})

    async def status(request: Request) -> Response:
        await remember(request)
        rid = request.path_params["rid"]
        if rid == "bad":
            body = {
                "error_code": 400004,
                "error_message": f"token rejected: {seen['auth']}",
                "detail": echo(),
            }
            return JSONResponse(body, status_code=401)
        if rid == "text":
            return PlainTextResponse(f"proxy error; you sent Authorization: {seen['auth']}", status_code=500)
        if rid == "html":
            return Response("<html>hi</html>", media_type=f"text/html; echo={TOKEN}")
        polls["n"] += 1
        if polls["n"] == 1:  # one 503 first: retried, which logs an INFO line with the error
            body = {"error_code": 503000, "error_message": f"busy, {seen['auth']}", "detail": echo()}
            return JSONResponse(body, status_code=503)
        return JSONResponse({"request_id": rid, "status": "failed", "detail": echo()})

    async def result(request: Request) -> Response:
        await remember(request)
        error = {"message": f"the worker saw {seen['auth']}", "detail": b64(seen["auth"]), **echo()}
        return JSONResponse({"request_id": request.path_params["rid"], "status": "failed", "error": error})

    async def file(request: Request) -> Response:
        body = {"error_code": 403000, "error_message": f"forbidden; last API header {seen['auth']}"}
        return JSONResponse(body, status_code=403)

    return Starlette(
        routes=[
            Route("/v1/models/{model:path}", submit, methods=["POST"]),
            Route("/v1/requests/{rid}/status", status),
            Route("/v1/requests/{rid}/result", result),
            Route("/files/{name}", file),
        ]
    )


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    with serve_in_thread(app=echo_app()) as running:
        yield running.url


@pytest.fixture
def channels(caplog: pytest.LogCaptureFixture) -> Iterator[Channels]:
    caplog.set_level(logging.DEBUG)
    found = Channels()
    yield found
    found.logs("log", caplog.get_records("setup") + caplog.get_records("call"))
    leaks = [(where, n) for where, text in found.texts for n in needles() if n in text]
    assert not leaks, f"the token leaked into: {leaks[:10]}"


def record_error(channels: Channels, where: str, exc: BaseException) -> None:
    channels.error(where, exc)
    channels.error(f"unpickled {where}", pickle.loads(pickle.dumps(exc)))
    channels.text(f"pickle({where})", pickle.dumps(exc).decode("latin-1"))


def client(url: str) -> AsyncClient:
    return AsyncClient(TOKEN, base_url=url + "/v1", retry=RetryPolicy(attempts=2, base_delay=0.01))


async def test_errors_from_an_echoing_server_hold_no_token(
    echo_url: str, channels: Channels, caplog: pytest.LogCaptureFixture
) -> None:
    async with client(echo_url) as c:
        for rid, kind in (("bad", AuthenticationError), ("text", ServerError), ("html", ServerError)):
            with pytest.raises(kind) as caught:
                await c.status(rid)
            record_error(channels, rid, caught.value)
            channels.text(f"{rid}.detail", repr(caught.value.detail))
        with pytest.raises(DownloadError) as caught:
            await c.download(echo_url + "/files/x.png")
        record_error(channels, "download", caught.value)
        status = await c.status("echo-1")  # a 503 with the header in it, retried, then an answer
        channels.obj("status.raw", dict(status.raw))
        answer = await c.result("echo-1")
        channels.obj("result.raw", dict(answer.raw))
        channels.obj("result.error", answer.error)
        with pytest.raises(JobFailedError) as failed:
            c.finished(answer)
        record_error(channels, "job failed", failed.value)
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying in")]
    assert any("busy, Bearer [token hidden]" in line for line in retries)  # the INFO line of the 503
    bad = channels.texts[0][1]
    assert "[token hidden]" in bad  # removed, and said so: the rest of the message is kept
    assert "token rejected" in bad


async def test_a_job_whose_server_echoes_the_token_keeps_none_of_it(
    echo_url: str, channels: Channels, tmp_path: Path
) -> None:
    async with client(echo_url) as c:
        manager = JobManager(c, tmp_path / "journal")
        job = manager.submit(ReframeInput(sample_image(32, 24), "1024x1024"))
        with pytest.raises(JobFailedError) as caught:
            await job
        stop_all()
    record_error(channels, "await job", caught.value)
    channels.text("job.error", job.error)
    channels.obj("job", job)
    assert "[token hidden]" in job.error
    assert channels.files("journal", tmp_path / "journal") > 0
    records = history(journal=tmp_path / "journal")
    assert records
    for record in records:
        channels.obj("history record", record)
        channels.text("history record fields", repr(vars(record)))
    assert any(isinstance(e, APIError) for e in [caught.value])
