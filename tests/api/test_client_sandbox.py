"""The client against the sandbox over real HTTP (uvicorn on 127.0.0.1) and in-process."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import numpy as np
import pytest

from ideogram_widgets.api import (
    APIError,
    AsyncClient,
    AuthenticationError,
    BlockingCallError,
    Client,
    EditInput,
    JobCancelledError,
    JobFailedError,
    NotFoundError,
    RetryPolicy,
    SubmitUncertainError,
    UnknownModelError,
)
from ideogram_widgets.backend import default_client
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from tests._timing import FakeClock, wait_until_async

SCHEMAS = Path(__file__).parents[1] / "schemas"
SCHEMA = {
    "ideogram/ideogram-v3/edit": json.loads((SCHEMAS / "edit.input.schema.json").read_text()),
    "ideogram/ideogram-v3/reframe": json.loads((SCHEMAS / "reframe.input.schema.json").read_text()),
}
IMAGE = sample_image(192, 128)
MASK = np.zeros((128, 192), bool)
MASK[20:60, 120:170] = True
FAST: dict[str, Any] = {"speed_scale": 0.02, "workers": 4}


def validating_client(url: str, **options: Any) -> tuple[AsyncClient, list[dict]]:
    """A client whose every submit body is checked against the published schema as it is sent."""
    client = AsyncClient(base_url=url + "/v1", **options)
    sent: list[dict] = []

    async def check(request: httpx.Request) -> None:
        if request.method == "POST" and "/models/" in request.url.path:
            model = request.url.path.split("/models/", 1)[1]
            body = json.loads(request.content)
            jsonschema.validate(body, SCHEMA[model])
            sent.append(body)

    client._http.event_hooks["request"].append(check)
    return client, sent


@pytest.fixture
def sandbox():
    with serve_in_thread(SandboxConfig(**FAST)) as running:
        yield running


async def test_edit_round_trip_over_real_http(sandbox):
    client, sent = validating_client(sandbox.url)
    async with client:
        result = await client.edit(IMAGE, MASK, "a small cloud", rendering_speed="TURBO", seed=3)
    assert len(sent) == 1
    before = np.asarray(IMAGE)
    after = np.asarray(result.image.convert("RGB"))
    assert after.shape == before.shape
    assert np.array_equal(after[~MASK], before[~MASK])  # nothing outside the mask changed
    assert (after[MASK] != before[MASK]).any()
    assert result.files[0].startswith(b"\x89PNG")
    assert result.request_id
    assert result.urls


@pytest.mark.parametrize("resolution", ["1536:640 (12:5)", "1024:1024 (1:1)", "640:1536 (5:12)"])
async def test_reframe_returns_exactly_the_chosen_size(sandbox, resolution):
    client, sent = validating_client(sandbox.url)
    async with client:
        result = await client.reframe(IMAGE, resolution, rendering_speed="TURBO")
    assert f"{result.image.width}:{result.image.height}" == resolution.split(" ")[0]
    assert sent[0]["resolution"] == resolution


async def test_white_is_edit_polarity_reaches_a_sandbox_configured_that_way():
    with serve_in_thread(SandboxConfig(mask_polarity="white_is_edit", **FAST)) as running:
        async with AsyncClient(base_url=running.url + "/v1", mask_polarity="white_is_edit") as client:
            result = await client.edit(IMAGE, MASK, "x", rendering_speed="TURBO")
    after = np.asarray(result.image.convert("RGB"))
    assert np.array_equal(after[~MASK], np.asarray(IMAGE)[~MASK])


async def test_cancel_works_only_while_queued():
    clock = FakeClock()  # the sandbox's time: the first job runs until the test moves it
    with serve_in_thread(SandboxConfig(workers=1, speed_scale=0.3, clock=clock)) as running:
        queue = running.sandbox.queue
        async with AsyncClient(base_url=running.url + "/v1") as client:
            job = EditInput(IMAGE, MASK, "first", rendering_speed="TURBO")
            first = await client.submit_input(job)
            await wait_until_async(
                lambda: getattr(queue.get(first.request_id), "state", "") == "in_progress",
                what="the first job to take the only worker",
            )
            second = await client.submit_input(EditInput(IMAGE, MASK, "second", rendering_speed="TURBO"))
            status = await client.status(second.request_id)
            assert status.state == "in_queue"
            assert status.queue_position is not None
            outcome = await client.cancel(second.request_id)
            assert outcome.cancelled
            with pytest.raises(JobCancelledError):
                await client.wait(second.request_id)
            clock.now += 1.0  # past the first job's 0.3 s
            queue.poke()
            await client.wait(first.request_id)
            late = await client.cancel(first.request_id)
            assert not late.cancelled
            assert late.outcome == "not_cancellable"


async def test_expired_results_are_not_found():
    clock = FakeClock()  # the sandbox's time: the job's duration and the result's expiry
    with serve_in_thread(SandboxConfig(result_ttl=0.3, clock=clock, **FAST)) as running:
        queue = running.sandbox.queue
        async with AsyncClient(base_url=running.url + "/v1") as client:
            sub = await client.submit_input(EditInput(IMAGE, MASK, "x", rendering_speed="TURBO"))
            await wait_until_async(
                lambda: getattr(queue.get(sub.request_id), "state", "") == "in_progress",
                what="the job to start by the clock as it is",
            )
            clock.now += 1.0  # past its duration (the worker looks at the clock again within ms)
            answer = await client.wait(sub.request_id)
            clock.now += 0.6  # past result_ttl
            with pytest.raises(NotFoundError):
                await client.download(answer.image_urls[0])
            with pytest.raises(NotFoundError) as info:
                await client.status(sub.request_id)
            assert info.value.error_code == 404001


async def test_token_is_checked_and_sent_as_bearer():
    with serve_in_thread(SandboxConfig(token="right-token", **FAST)) as running:
        async with AsyncClient("wrong-token", base_url=running.url + "/v1") as client:
            with pytest.raises(AuthenticationError) as info:
                await client.submit_input(EditInput(IMAGE, MASK, "x"))
            assert info.value.error_code == 400004
            assert "wrong-token" not in str(info.value)
        async with AsyncClient("right-token", base_url=running.url + "/v1") as client:
            result = await client.edit(IMAGE, MASK, "x", rendering_speed="TURBO")
            assert result.image.size == IMAGE.size


async def test_unknown_model_and_catalogue(sandbox):
    async with AsyncClient(base_url=sandbox.url + "/v1") as client:
        with pytest.raises(UnknownModelError):
            await client.submit("ideogram/ideogram-v9/edit", {"prompt": "x"})
        info = await client.model_info("ideogram/ideogram-v3/reframe")
        assert "resolution" in json.dumps(info)


async def test_failed_jobs_raise_with_the_services_message():
    with serve_in_thread(SandboxConfig(fail_rate=1.0, **FAST)) as running:
        async with AsyncClient(base_url=running.url + "/v1") as client:
            with pytest.raises(JobFailedError) as info:
                await client.edit(IMAGE, MASK, "x", rendering_speed="TURBO")
    assert info.value.request_id
    assert "the job failed" in str(info.value)


async def test_in_process_default_client_needs_no_socket(monkeypatch):
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    client = default_client()
    assert client.notice is not None
    assert "not Ideogram" in client.notice
    async with client:
        result = await client.reframe(IMAGE, "1024x1024", rendering_speed="TURBO")
    assert result.image.size == (1024, 1024)


def test_sync_facade_in_a_script(sandbox):
    with Client(base_url=sandbox.url + "/v1") as client:
        result = client.edit(IMAGE, MASK, "x", rendering_speed="TURBO")
        assert result.image.size == IMAGE.size
        assert repr(client).startswith("Client(")


async def test_sync_facade_refuses_to_block_a_running_loop(sandbox):
    client = Client(base_url=sandbox.url + "/v1")
    with pytest.raises(BlockingCallError, match="await"):
        client.status("anything")


@pytest.mark.slow
async def test_fault_injected_run_of_200_jobs_loses_nothing_and_submits_nothing_twice():
    """20 % of requests fail in every way the sandbox knows (429, 5xx, dropped connections, slow answers,
    200s carrying error_code) and 10 % of jobs fail; every job must end accounted for."""
    config = SandboxConfig(
        workers=16, speed_scale=0.01, fault_rate=0.2, fail_rate=0.1, slow_seconds=0.2, seed=11
    )
    jobs = 200
    with serve_in_thread(config) as running:
        client, sent = validating_client(
            running.url, retry=RetryPolicy(attempts=8, base_delay=0.05, max_delay=0.5, max_retry_after=1.0)
        )
        limit = asyncio.Semaphore(32)
        image = sample_image(64, 48)
        mask = np.zeros((48, 64), bool)
        mask[10:30, 10:30] = True

        async def one(i: int) -> tuple[str, str | None, object]:
            async with limit:
                try:
                    sub = await client.submit_input(
                        EditInput(image, mask, f"job-{i}", rendering_speed="TURBO")
                    )
                except SubmitUncertainError as exc:
                    return ("uncertain", None, exc)
                except APIError as exc:
                    return ("refused", None, exc)
                try:
                    answer = await client.wait(sub.request_id, min_interval=0.02, max_interval=0.2)
                    result = await client.fetch_result(answer)
                    return ("completed", sub.request_id, result)
                except JobFailedError as exc:
                    return ("failed", sub.request_id, exc)

        async with client:
            outcomes = await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(jobs))), timeout=240)
            stats = (await client._files.get(running.url + "/_sandbox/stats")).json()
            server_jobs = (await client._files.get(running.url + "/_sandbox/jobs")).json()
    server_jobs = server_jobs["jobs"] if isinstance(server_jobs, dict) else server_jobs

    kinds = Counter(kind for kind, _, _ in outcomes)
    known = {rid: kind for kind, rid, _ in outcomes if rid}
    prompts = Counter(j["prompt"] for j in server_jobs)
    print(
        f"\noutcomes {dict(kinds)}; faults {stats['faults']}; submits {stats['submits']}; "
        f"jobs {stats['jobs']}"
    )
    assert len(outcomes) == jobs
    assert max(prompts.values()) == 1, "a job was submitted twice"
    assert stats["submits"] == len(server_jobs) == len(known), "a submit reached the server but was lost"
    assert {j["id"] if "id" in j else j["request_id"] for j in server_jobs} == set(known)
    assert all(j["state"] in ("completed", "failed") for j in server_jobs)
    for kind, _, value in outcomes:
        if kind == "completed":
            assert value.image.size == (64, 48)  # type: ignore[attr-defined]
        else:
            assert isinstance(value, APIError)
            assert str(value)
    assert kinds["completed"] >= 0.6 * jobs
    assert sum(stats["faults"].values()) > 0
    assert all(isinstance(s["image"], str) for s in sent)
