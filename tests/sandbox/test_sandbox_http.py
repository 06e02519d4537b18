"""The sandbox over real HTTP (uvicorn on 127.0.0.1), driven by a client written from API.md."""

from __future__ import annotations

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from tests._timing import FakeClock

from .helpers import (
    EDIT,
    REFRAME,
    RawClient,
    box_mask,
    data_uri,
    decode,
    edit_body,
    png_bytes,
    scene,
)

TOKEN = "sandbox-test-token"


@pytest.fixture
def image_uris() -> tuple[str, str]:
    img = scene(96, 64)
    return data_uri(img), data_uri(box_mask(img.size, (20, 10, 60, 40)))


def test_submit_status_result_download(sandbox_server, image_uris):
    url = sandbox_server(SandboxConfig(token=TOKEN, speed_scale=0.01))
    image, mask = image_uris
    with RawClient(url, TOKEN) as client:
        request_id = client.submit(EDIT, edit_body(image, mask, seed=5, rendering_speed="TURBO"))
        assert client.wait(request_id) == "completed"
        answer = client.result(request_id)
        assert answer["status"] == "completed"
        assert answer["created_at"].endswith("Z")
        assert answer["finished_at"] >= answer["created_at"]
        assert "error" not in answer
        assert answer["output"]["images"] == [answer["output"]["image"]]
        png = client.download(answer["output"]["image"])
        out = decode(png)
        assert out.format == "PNG"
        assert out.size == (96, 64)
        assert out.mode == "RGB"
        # finished jobs answer their state; they cannot be cancelled any more
        assert client.cancel(request_id) == {
            "request_id": request_id,
            "status": "completed",
            "outcome": "not_cancellable",
        }


def test_queue_positions_and_cancel(image_uris):
    clock = FakeClock()  # the sandbox's time: each job runs until the test moves it
    config = SandboxConfig(workers=1, speed_scale=0.25, clock=clock)
    image, mask = image_uris
    with serve_in_thread(config) as running, RawClient(running.url) as client:
        url, queue = running.url, running.sandbox.queue
        first = client.submit(EDIT, edit_body(image, mask, rendering_speed="QUALITY"))  # 1 s
        queued = [client.submit(EDIT, edit_body(image, mask, rendering_speed="TURBO")) for _ in range(3)]
        client.wait(first, until={"in_progress"}, timeout=30)
        assert [client.status(r)["queue_position"] for r in queued] == [0, 1, 2]
        assert {client.status(r)["status"] for r in queued} == {"in_queue"}

        # a queued job is cancelled at once; the jobs behind it move up
        answer = client.cancel(queued[1])
        assert answer == {"request_id": queued[1], "status": "cancelled", "outcome": "cancelled"}
        assert client.status(queued[1])["status"] == "cancelled"
        assert client.status(queued[2])["queue_position"] == 1
        cancelled = client.result(queued[1])
        assert cancelled["status"] == "cancelled"
        assert "output" not in cancelled
        assert "finished_at" in cancelled

        # the running job cannot be cancelled
        answer = client.cancel(first)
        assert answer["outcome"] == "not_cancellable"
        assert answer["status"] == "in_progress"

        # a second cancel of a cancelled job confirms nothing new
        assert client.cancel(queued[1])["outcome"] == "not_cancellable"

        for request_id in (first, queued[0], queued[2]):  # one at a time, each by the clock
            client.wait(request_id, until={"in_progress"}, timeout=30)  # its worker took it
            clock.now += 10.0  # past its duration
            queue.poke()
            assert client.wait(request_id, timeout=30) == "completed"
        jobs = httpx.get(f"{url}/_sandbox/jobs").json()
        assert [j["request_id"] for j in jobs] == [first, *queued]  # each submitted exactly once
        assert [j["state"] for j in jobs] == ["completed", "completed", "cancelled", "completed"]
        # FIFO: the jobs started in the order they were submitted
        started = [j["started_at"] for j in jobs if j["state"] == "completed"]
        assert started == sorted(started)


def test_result_fed_back_as_input(sandbox_server, image_uris):
    url = sandbox_server()
    image, mask = image_uris
    with RawClient(url) as client:
        edited = client.run(EDIT, edit_body(image, mask, seed=1))["output"]["image"]
        assert edited.startswith(url + "/files/")
        reframed = client.run(REFRAME, {"image": edited, "resolution": "1024:1024 (1:1)"})
        assert reframed["status"] == "completed"
        assert decode(client.download(reframed["output"]["image"])).size == (1024, 1024)
        # a URL the sandbox cannot reach is refused with a clear message
        r = client.submit_raw(
            REFRAME, {"image": "https://example.com/a.png", "resolution": "1024:1024 (1:1)"}
        )
        assert r.status_code == 422
        assert "cannot fetch" in r.json()["error_message"]
        assert r.json()["detail"][0]["loc"] == ["body", "image"]


def test_auth(sandbox_server, image_uris):
    url = sandbox_server(SandboxConfig(token=TOKEN, speed_scale=0.01))
    image, mask = image_uris
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        for method, path in (
            ("POST", f"/v1/models/{EDIT}"),
            ("GET", f"/v1/models/{EDIT}"),
            ("GET", "/v1/requests/abc/status"),
            ("GET", "/v1/requests/abc/result"),
            ("POST", "/v1/requests/abc/cancel"),
        ):
            r = httpx.request(method, url + path, headers=headers, json=edit_body(image, mask))
            assert r.status_code == 401, (headers, path)
            assert r.json()["error_code"] == 400004
            assert TOKEN not in r.text
    with RawClient(url, TOKEN) as client:
        result = client.run(EDIT, edit_body(image, mask))
        # output files are served without the token, like the vendor's CDN
        assert client.download(result["output"]["image"]).startswith(b"\x89PNG")
    assert httpx.get(f"{url}/_sandbox/stats").status_code == 200


def test_unknown_model_and_request(sandbox_server, image_uris):
    url = sandbox_server()
    with RawClient(url) as client:
        r = client.http.post("/v1/models/ideogram/ideogram-v2/edit", json={"prompt": "x"})
        assert r.status_code == 400
        assert r.json()["error_code"] == 400001
        r = client.http.get("/v1/models/nobody/nothing")
        assert r.status_code == 400
        assert r.json()["error_code"] == 400001
        for method, tail in (("GET", "status"), ("GET", "result"), ("POST", "cancel")):
            r = client.http.request(method, f"/v1/requests/no-such-id/{tail}")
            assert r.status_code == 404
            assert r.json()["error_code"] == 404001
        r = client.http.get("/files/0123456789abcdef0123456789abcdef.png")
        assert r.status_code == 404
        assert r.json()["error_code"] == 404001


def test_catalogue_entry(sandbox_server):
    url = sandbox_server(SandboxConfig(token=TOKEN))
    with RawClient(url, TOKEN) as client:
        for model, required in ((EDIT, {"image", "mask", "prompt"}), (REFRAME, {"image", "resolution"})):
            entry = client.http.get(f"/v1/models/{model}").json()
            assert entry["model_id"] == model
            assert "price" in entry
            assert set(entry["input_schema"]["required"]) == required
            assert "Ideogram" not in entry["name"] or "not" in entry["name"]
        edit_props = client.http.get(f"/v1/models/{EDIT}").json()["input_schema"]["properties"]
        assert edit_props["mask"]["type"] == "string"
        resolutions = client.http.get(f"/v1/models/{REFRAME}").json()["input_schema"]
        assert len(resolutions["properties"]["resolution"]["enum"]) == 69


def test_expiry(sandbox_server, image_uris):
    clock = FakeClock()  # the sandbox's time: the job's duration and the result's expiry
    url = sandbox_server(SandboxConfig(speed_scale=0.01, result_ttl=1.0, clock=clock))
    image, mask = image_uris
    with RawClient(url) as client:
        request_id = client.submit(EDIT, edit_body(image, mask))
        client.wait(request_id, until={"in_progress"})  # its worker took it by the clock as it is now
        clock.now += 1.0  # past the job's duration (the worker looks at the clock again within ms)
        client.wait(request_id)
        file_url = client.result(request_id)["output"]["image"]
        assert client.download(file_url)
        clock.now += 1.2  # past result_ttl
        r = httpx.get(file_url)
        assert r.status_code == 404
        assert r.json()["error_code"] == 404001
        for method, tail in (("GET", "status"), ("GET", "result"), ("POST", "cancel")):
            r = client.http.request(method, f"/v1/requests/{request_id}/{tail}")
            assert r.status_code == 404
            assert r.json()["error_code"] == 404001
        # an expired result URL fed back as input is refused clearly
        r = client.submit_raw(EDIT, edit_body(file_url, mask))
        assert r.status_code == 422
        assert "expired" in r.json()["error_message"]
        stats = httpx.get(f"{url}/_sandbox/stats").json()
        assert stats["expired"] == 1
        assert stats["files"] == 0
        assert httpx.get(f"{url}/_sandbox/jobs").json()[0]["expired"] is True


@pytest.mark.parametrize("mode", ["state", "400005"])
def test_result_not_ready(sandbox_server, image_uris, mode):
    # a fake clock never moved: the QUALITY job keeps the only worker, the other one stays queued
    config = SandboxConfig(workers=1, speed_scale=0.2, result_not_ready=mode, clock=FakeClock())
    url = sandbox_server(config)
    image, mask = image_uris
    with RawClient(url) as client:
        running = client.submit(EDIT, edit_body(image, mask, rendering_speed="QUALITY"))
        queued = client.submit(EDIT, edit_body(image, mask))
        client.wait(running, until={"in_progress"}, timeout=30)
        for request_id, state in ((running, "in_progress"), (queued, "in_queue")):
            r = client.http.get(f"/v1/requests/{request_id}/result")
            if mode == "state":
                assert r.status_code == 200
                assert r.json()["status"] == state
                assert "output" not in r.json()
            else:
                assert r.status_code == 400
                assert r.json()["error_code"] == 400005
        assert client.cancel(queued)["outcome"] == "cancelled"
        # finished jobs (cancelled too) answer 200 in both modes
        assert client.result(queued)["status"] == "cancelled"


def test_submit_202(sandbox_server, image_uris):
    url = sandbox_server(SandboxConfig(submit_status=202, speed_scale=0.01))
    image, mask = image_uris
    with RawClient(url) as client:
        r = client.submit_raw(EDIT, edit_body(image, mask))
        assert r.status_code == 202
        assert client.wait(r.json()["request_id"]) == "completed"


def test_fail_rate(sandbox_server, image_uris):
    url = sandbox_server(SandboxConfig(fail_rate=1.0, speed_scale=0.01))
    image, mask = image_uris
    with RawClient(url) as client:
        answer = client.run(EDIT, edit_body(image, mask))
        assert answer["status"] == "failed"
        assert "output" not in answer
        assert isinstance(answer["error"]["error_code"], int)
        assert answer["error"]["message"]
    assert httpx.get(f"{url}/_sandbox/stats").json()["jobs"]["failed"] == 1


def test_data_uris_refused(sandbox_server, image_uris):
    url = sandbox_server(SandboxConfig(accept_data_uris=False))
    image, mask = image_uris
    with RawClient(url) as client:
        r = client.submit_raw(EDIT, edit_body(image, mask))
        assert r.status_code == 422
        assert "URL" in r.json()["error_message"]
        assert r.json()["detail"][0]["loc"] == ["body", "image"]
        # URL inputs work: the sandbox hosts uploads itself (it cannot reach the internet)
        img = scene(96, 64)
        urls = []
        for picture in (img, box_mask(img.size, (20, 10, 60, 40))):
            r = httpx.post(f"{url}/_sandbox/uploads", content=png_bytes(picture))
            assert r.status_code == 201
            assert (r.json()["width"], r.json()["height"]) == (96, 64)
            urls.append(r.json()["url"])
        answer = client.run(EDIT, edit_body(*urls))
        assert decode(client.download(answer["output"]["image"])).size == (96, 64)
        r = httpx.post(f"{url}/_sandbox/uploads", content=b"not an image")
        assert r.status_code == 422


def test_stats(sandbox_server, image_uris):
    url = sandbox_server()
    image, mask = image_uris
    with RawClient(url) as client:
        done = client.run(EDIT, edit_body(image, mask))
        client.download(done["output"]["image"])
        client.http.post(f"/v1/models/{EDIT}", json={"prompt": "no image"})  # rejected: 422
        client.http.get("/v1/requests/nope/status")
    stats = httpx.get(f"{url}/_sandbox/stats").json()
    assert stats["submits"] == 2
    assert stats["rejected_submits"] == 1
    assert stats["created"] == 1
    assert stats["jobs"] == {
        "in_queue": 0,
        "in_progress": 0,
        "completed": 1,
        "cancelled": 0,
        "failed": 0,
    }
    assert stats["requests"]["submit"] == 2
    assert stats["requests"]["files"] == 1
    assert stats["requests"]["status"] >= 2
    assert stats["requests"]["result"] == 1
    assert set(stats["faults"]) == {"429", "500", "502", "503", "drop", "slow", "error_200"}
    assert sum(stats["faults"].values()) == 0


def test_jpeg_and_webp_inputs(sandbox_server):
    url = sandbox_server()
    img = scene(64, 48)
    mask = box_mask(img.size, (8, 8, 30, 30))
    with RawClient(url) as client:
        for fmt in ("JPEG", "WEBP"):
            answer = client.run(EDIT, edit_body(data_uri(img, fmt), data_uri(mask)))
            assert decode(client.download(answer["output"]["image"])).size == (64, 48)
        r = client.submit_raw(EDIT, edit_body("data:image/png;base64,bm90IGFuIGltYWdl", data_uri(mask)))
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "image"]
        assert png_bytes(img).startswith(b"\x89PNG")
