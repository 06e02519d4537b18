"""The client against answers the sandbox does not give: retries, refusals, hostile bodies, downloads."""

from __future__ import annotations

import io
import logging

import pytest
from PIL import Image

from ideogram_widgets.api import (
    APIError,
    AsyncClient,
    AuthenticationError,
    DownloadError,
    MissingTokenError,
    NotFoundError,
    RetryPolicy,
    ServerError,
    SubmitUncertainError,
    TransportError,
)

from .scripted_server import Answer, Script

TOKEN = "sk-test-0123456789-SECRET"
EDIT = "/v1/models/ideogram/ideogram-v3/edit"
STATUS = "/v1/requests/r-1/status"
RESULT = "/v1/requests/r-1/result"
OK_SUBMIT = Answer(200, {"request_id": "r-1"})


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "red").save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def script():
    return Script()


@pytest.fixture
async def client(script):
    delays: list[float] = []
    c = AsyncClient(
        TOKEN,
        base_url="https://api.test/v1",
        transport=script.transport(),
        retry=RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05),
    )

    async def record(seconds: float) -> None:
        delays.append(seconds)

    c.sleep = record
    c.delays = delays  # type: ignore[attr-defined]
    yield c
    await c.aclose()


async def test_submit_sends_the_bearer_token_and_json(client, script):
    script.on(EDIT, OK_SUBMIT)
    sub = await client.submit("ideogram/ideogram-v3/edit", {"prompt": "x"})
    assert sub.request_id == "r-1"
    assert sub.status_url is None  # missing URLs are tolerated; calls are rebuilt from the id
    method, path, headers, body = script.requests[0]
    assert (method, path, headers["authorization"], body) == (
        "POST",
        EDIT,
        f"Bearer {TOKEN}",
        b'{"prompt":"x"}',
    )


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_submit_that_may_have_arrived_is_never_resent(client, script, status):
    script.on(EDIT, Answer(status, {"error_message": "boom"}), OK_SUBMIT)
    with pytest.raises(SubmitUncertainError) as info:
        await client.submit("ideogram/ideogram-v3/edit", {})
    assert script.count(EDIT) == 1
    assert "not resent" in str(info.value)


async def test_a_rate_limited_submit_is_retried_after_the_wait_asked_for(client, script):
    script.on(EDIT, Answer(429, {"message": "slow"}, {"Retry-After": "0.03"}), OK_SUBMIT)
    assert (await client.submit("ideogram/ideogram-v3/edit", {})).request_id == "r-1"
    assert script.count(EDIT) == 2
    assert client.delays == [0.03]


async def test_a_200_carrying_error_code_is_an_error(client, script):
    script.on(EDIT, Answer(200, {"error_code": 400004, "error_message": "account inactive"}))
    with pytest.raises(AuthenticationError, match="account inactive"):
        await client.submit("ideogram/ideogram-v3/edit", {})
    assert script.count(EDIT) == 1


async def test_a_submit_answer_without_request_id_is_uncertain(client, script):
    script.on(EDIT, Answer(200, {"status": "in_queue"}))
    with pytest.raises(SubmitUncertainError, match="no request_id"):
        await client.submit("ideogram/ideogram-v3/edit", {})


async def test_status_is_retried_through_server_errors(client, script):
    script.on(STATUS, Answer(503), Answer(502), Answer(200, {"status": "in_queue", "queue_position": 2}))
    status = await client.status("r-1")
    assert (status.state, status.queue_position) == ("in_queue", 2)
    assert script.count(STATUS) == 3
    assert len(client.delays) == 2


async def test_retry_after_is_honoured_but_capped(client, script):
    client.retry = RetryPolicy(attempts=3, max_retry_after=2.0)
    script.on(STATUS, Answer(429, headers={"Retry-After": "3600"}), Answer(200, {"status": "in_progress"}))
    await client.status("r-1")
    assert client.delays == [2.0]


async def test_html_instead_of_json_is_a_server_error_after_retries(client, script):
    script.on(STATUS, Answer(200, raw=b"<html>maintenance</html>", headers={"content-type": "text/html"}))
    with pytest.raises(ServerError, match="text/html"):
        await client.status("r-1")
    assert script.count(STATUS) == client.retry.attempts


async def test_unknown_or_expired_request_is_not_retried(client, script):
    script.on(STATUS, Answer(404, {"error_code": 404001, "error_message": "expired"}))
    with pytest.raises(NotFoundError) as info:
        await client.status("r-1")
    assert info.value.request_id == "r-1"
    assert script.count(STATUS) == 1


async def test_unknown_states_and_fields_are_kept(client, script):
    script.on(STATUS, Answer(200, {"status": "warming_up", "gpu": "a100"}))
    status = await client.status("r-1")
    assert status.state == "warming_up"
    assert status.raw["gpu"] == "a100"
    assert not status.is_terminal


async def test_vendor_spellings_are_normalised(client, script):
    script.on(RESULT, Answer(200, {"status": "succeeded", "output": {"image": "https://cdn.test/a.png"}}))
    answer = await client.result("r-1")
    assert answer.state == "completed"
    assert answer.image_urls == ("https://cdn.test/a.png",)


async def test_result_not_ready_as_400005_falls_back_to_status(client, script):
    script.on(RESULT, Answer(400, {"error_code": 400005, "error_message": "not finished"}))
    script.on(STATUS, Answer(200, {"status": "in_progress"}))
    assert (await client.result("r-1")).state == "in_progress"


async def test_request_ids_cannot_escape_the_path(client, script):
    script.on("/v1/requests/..%2Fmodels/status", Answer(200, {"status": "in_queue"}))
    await client.status("../models")
    assert script.requests[0][1] == "/v1/requests/..%2Fmodels/status"


class TestDownload:
    async def test_files_are_fetched_without_the_token(self, client, script):
        script.on("/files/a.png", Answer(200, raw=png(), headers={"content-type": "image/png"}))
        assert (await client.download("https://cdn.test/files/a.png")).startswith(b"\x89PNG")
        assert "authorization" not in script.requests[0][2]

    async def test_redirect_to_plain_http_is_refused(self, client, script):
        script.on("/files/a.png", Answer(302, headers={"location": "http://cdn.test/files/b.png"}))
        with pytest.raises(DownloadError, match="plain http"):
            await client.download("https://cdn.test/files/a.png")

    async def test_redirects_within_https_are_followed(self, client, script):
        script.on("/files/a.png", Answer(302, headers={"location": "/files/b.png"}))
        script.on("/files/b.png", Answer(200, raw=png()))
        assert (await client.download("https://cdn.test/files/a.png")).startswith(b"\x89PNG")

    async def test_non_images_are_refused(self, client, script):
        script.on("/files/a.png", Answer(200, raw=b"<html>login</html>"))
        with pytest.raises(DownloadError, match="not a usable image"):
            await client.download("https://cdn.test/files/a.png")

    async def test_oversized_files_are_refused(self, client, script):
        client.max_download_bytes = 1000
        script.on("/files/a.png", Answer(200, raw=b"\0" * 5000))
        with pytest.raises(DownloadError, match="larger than"):
            await client.download("https://cdn.test/files/a.png")

    async def test_expired_files_are_not_found(self, client, script):
        script.on("/files/a.png", Answer(404, {"error_code": 404001}))
        with pytest.raises(NotFoundError, match="expire"):
            await client.download("https://cdn.test/files/a.png")

    async def test_only_http_urls(self, client):
        with pytest.raises(DownloadError, match="file"):
            await client.download("file:///etc/passwd")


class TestToken:
    def test_required_for_the_hosted_service(self, monkeypatch):
        monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
        with pytest.raises(MissingTokenError, match="RUNCOMFY_API_TOKEN"):
            AsyncClient()

    async def test_read_from_the_environment(self, monkeypatch, script):
        monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
        script.on(STATUS, Answer(200, {"status": "in_queue"}))
        async with AsyncClient(base_url="https://api.test/v1", transport=script.transport()) as c:
            await c.status("r-1")
        assert script.requests[0][2]["authorization"] == f"Bearer {TOKEN}"

    async def test_never_in_repr_errors_or_logs(self, client, script, caplog):
        caplog.set_level(logging.DEBUG)
        script.on(STATUS, Answer(500, {"error_message": "bad"}))
        script.on(EDIT, Answer(401, {"error_code": 400004}))
        texts = [repr(client), str(client.__dict__)]
        for call in (client.status("r-1"), client.submit("ideogram/ideogram-v3/edit", {})):
            with pytest.raises(APIError) as info:
                await call
            texts += [str(info.value), repr(info.value), repr(info.value.__dict__)]
        texts.append(caplog.text)
        for text in texts:
            assert TOKEN not in text


async def test_a_closed_port_is_a_transport_error_after_retries(unused_port):
    c = AsyncClient(
        TOKEN, base_url=f"http://127.0.0.1:{unused_port}/v1", retry=RetryPolicy(attempts=2, base_delay=0.01)
    )
    async with c:
        with pytest.raises(TransportError, match="could not connect"):
            await c.submit("ideogram/ideogram-v3/edit", {})  # never left, so retrying it was safe
