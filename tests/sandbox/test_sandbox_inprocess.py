"""In-process use (httpx.ASGITransport), input validation, config, queue life and the CLI."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig, create_app

from .helpers import EDIT, REFRAME, box_mask, data_uri, edit_body, scene, validate_input

ROOT = Path(__file__).resolve().parents[2]


def _uris(size=(64, 48), box=(8, 8, 30, 30), polarity="black_is_edit"):
    img = scene(*size)
    return data_uri(img), data_uri(box_mask(img.size, box, polarity))


async def _wait(client: httpx.AsyncClient, request_id: str) -> dict:
    deadline = time.monotonic() + 60.0  # a hang guard: renders take seconds on a loaded machine
    while time.monotonic() < deadline:
        answer = (await client.get(f"/v1/requests/{request_id}/status")).json()
        if answer["status"] in ("completed", "failed", "cancelled"):
            return answer
        await asyncio.sleep(0.005)
    raise AssertionError(f"{request_id} did not finish")


def test_one_app_driven_from_several_event_loops():
    # other tests' sandboxes (e.g. the process-wide in-process one) may still have workers: count only ours
    before = set(threading.enumerate())
    app = create_app(SandboxConfig(speed_scale=0.01))
    image, mask = _uris()

    async def submit() -> str:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
        ) as client:
            r = await client.post(f"/v1/models/{EDIT}", json=edit_body(image, mask))
            return str(r.json()["request_id"])

    async def finish(request_id: str) -> str:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://sandbox"
        ) as client:
            return str((await _wait(client, request_id))["status"])

    try:
        first = asyncio.run(submit())
        second = asyncio.run(submit())  # a new loop, same app and queue
        assert asyncio.run(finish(first)) == "completed"
        assert asyncio.run(finish(second)) == "completed"
    finally:
        app.state.sandbox.close()
    ours = set(threading.enumerate()) - before
    assert not [t for t in ours if t.name.startswith("sandbox-worker")]


async def test_many_concurrent_submits(sandbox_client):
    client = sandbox_client(SandboxConfig(speed_scale=0.005, workers=2))
    image, mask = _uris()
    answers = await asyncio.gather(
        *(client.post(f"/v1/models/{EDIT}", json=edit_body(image, mask, seed=i)) for i in range(20))
    )
    ids = [a.json()["request_id"] for a in answers]
    assert len(set(ids)) == 20
    finals = await asyncio.gather(*(_wait(client, i) for i in ids))
    assert {f["status"] for f in finals} == {"completed"}
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["created"] == 20
    assert stats["jobs"]["completed"] == 20
    jobs = (await client.get("/_sandbox/jobs")).json()
    assert sorted(j["seed"] for j in jobs) == list(range(20))


@pytest.mark.parametrize("polarity", ["black_is_edit", "white_is_edit"])
async def test_empty_and_full_masks(sandbox_client, polarity):
    client = sandbox_client(SandboxConfig(mask_polarity=polarity))
    img = scene(64, 48)
    edit, keep = (0, 255) if polarity == "black_is_edit" else (255, 0)
    for word, colour in (("empty", keep), ("full", edit)):
        mask = box_mask(img.size, (0, 0, 0, 0), polarity)
        mask.paste(colour, (0, 0, 64, 48))
        r = await client.post(f"/v1/models/{EDIT}", json=edit_body(data_uri(img), data_uri(mask)))
        assert r.status_code == 422, word
        body = r.json()
        assert isinstance(body["error_code"], int)
        assert word in body["error_message"]
        assert body["detail"][0]["loc"] == ["body", "mask"]
        assert body["detail"][0]["type"] == f"mask_{word}"
    assert (await client.get("/_sandbox/stats")).json()["created"] == 0


async def test_mask_size_mismatch(sandbox_client):
    client = sandbox_client()
    image = data_uri(scene(64, 48))
    mask = data_uri(box_mask((32, 24), (2, 2, 10, 10)))
    r = await client.post(f"/v1/models/{EDIT}", json=edit_body(image, mask))
    assert r.status_code == 422
    assert "32×24" in r.json()["error_message"]
    assert "64×48" in r.json()["error_message"]
    assert r.json()["detail"][0]["loc"] == ["body", "mask"]


@pytest.mark.parametrize(
    ("body", "field", "kind"),
    [
        ({"mask": "m", "prompt": "p"}, "image", "missing"),
        ({"image": 5, "mask": "m", "prompt": "p"}, "image", "type_error"),
        ({"image": "i", "mask": "m", "prompt": "p", "seed": -1}, "seed", "minimum"),
        ({"image": "i", "mask": "m", "prompt": "p", "seed": 2**31}, "seed", "maximum"),
        ({"image": "i", "mask": "m", "prompt": "p", "seed": True}, "seed", "type_error"),
        ({"image": "i", "mask": "m", "prompt": "p", "rendering_speed": "FAST"}, "rendering_speed", "enum"),
        ({"image": "i", "mask": "m", "prompt": "p", "magic_prompt": "YES"}, "magic_prompt", "enum"),
        ({"image": "i", "mask": "m", "prompt": "p", "style": "x"}, "style", "type_error"),
        ({"image": "i", "mask": 1, "prompt": "p"}, "mask", "type_error"),
    ],
)
async def test_edit_schema_mismatch(sandbox_client, body, field, kind):
    client = sandbox_client()
    r = await client.post(f"/v1/models/{EDIT}", json=body)
    assert r.status_code == 422
    assert {"loc": ["body", field], "type": kind}.items() <= r.json()["detail"][0].items()
    assert field in r.json()["error_message"]


async def test_reframe_schema_mismatch(sandbox_client):
    client = sandbox_client()
    image, _ = _uris()
    r = await client.post(f"/v1/models/{REFRAME}", json={"image": image, "resolution": "1000:1000"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "resolution"]
    r = await client.post(f"/v1/models/{REFRAME}", json={"image": image})
    assert r.json()["detail"][0] == {
        "loc": ["body", "resolution"],
        "msg": "field required",
        "type": "missing",
    }


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
    ],
)
async def test_bad_bodies(sandbox_client, raw, problem):
    client = sandbox_client()
    r = await client.post(f"/v1/models/{EDIT}", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert problem in r.json()["error_message"]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("just text", "http(s) URL or a data: URI"),
        ("data:image/png,abc", "data:image/png;base64"),
        ("data:image/png;base64,!!!!", "readable image"),
        ("https://example.com/x.png", "cannot fetch URLs"),
        ("http://sandbox/files/0123456789abcdef0123456789abcdef.png", "expired or never existed"),
        ("https://cdn.example.com/files/0123456789abcdef0123456789abcdef.png", "cannot fetch URLs"),
    ],
)
async def test_unusable_image_strings(sandbox_client, value, problem):
    client = sandbox_client()
    _, mask = _uris()
    body = edit_body(value, mask)
    validate_input(EDIT, body)  # schema-valid: the problem is only in the content
    r = await client.post(f"/v1/models/{EDIT}", json=body)
    assert r.status_code == 422
    assert problem in r.json()["error_message"]
    assert r.json()["detail"][0]["loc"] == ["body", "image"]


async def test_optional_fields_and_unknown_fields_pass(sandbox_client):
    client = sandbox_client()
    image, mask = _uris()
    body = edit_body(
        image,
        mask,
        seed=3,
        rendering_speed="QUALITY",
        magic_prompt="OFF",
        color_palette={"name": "EMBER"},
        style={"style_type": "REALISTIC"},
        something_new=True,
    )
    r = await client.post(f"/v1/models/{EDIT}", json=body)
    assert r.status_code == 200
    assert (await _wait(client, r.json()["request_id"]))["status"] == "completed"


async def test_closed_sandbox_refuses_submits(sandbox_app):
    app = sandbox_app()
    app.state.sandbox.close()
    app.state.sandbox.close()  # twice is fine
    image, mask = _uris()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        r = await c.post(f"/v1/models/{EDIT}", json=edit_body(image, mask))
    assert r.status_code == 503
    assert "closed" in r.json()["error_message"]


async def test_root_says_what_it_is(sandbox_client):
    client = sandbox_client()
    answer = (await client.get("/")).json()
    assert "local sandbox" in answer["service"]
    assert "not Ideogram" in answer["service"]
    r = await client.get("/v1/nothing/here")
    assert r.status_code == 404
    assert isinstance(r.json()["error_code"], int)


def test_config_is_validated():
    assert SandboxConfig(faults=["429"]).faults == ("429",)  # type: ignore[arg-type]
    for bad in (
        {"workers": 0},
        {"fault_rate": 1.5},
        {"fail_rate": -0.1},
        {"faults": ("teapot",)},
        {"faults": ()},
        {"mask_polarity": "grey"},
        {"result_not_ready": "later"},
        {"submit_status": 201},
        {"result_ttl": 0},
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            SandboxConfig(**bad)


def test_command_line_serves_and_prints_its_url():
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ideogram_widgets.sandbox",
            "--port",
            "0",
            "--token",
            "t",
            "--speed-scale",
            "0.01",
            "--workers",
            "1",
            "--seed",
            "3",
            "--fault-rate",
            "0",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "local sandbox" in line
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http://127.0.0.1:")
        r = httpx.get(f"{url}/v1/models/{EDIT}", headers={"Authorization": "Bearer t"})
        assert r.status_code == 200
        assert httpx.get(f"{url}/v1/models/{EDIT}").status_code == 401
        assert httpx.get(f"{url}/_sandbox/stats").json()["workers"] == 1
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
    assert proc.returncode is not None


def test_command_line_rejects_bad_values():
    proc = subprocess.run(
        [sys.executable, "-m", "ideogram_widgets.sandbox", "--fault-rate", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert "fault_rate" in proc.stderr
