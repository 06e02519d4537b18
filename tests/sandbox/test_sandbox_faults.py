"""Fault injection: each kind forced alone, over real HTTP and in-process."""

from __future__ import annotations

import time

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig

from .helpers import EDIT, box_mask, data_uri, edit_body, scene


def _body() -> dict[str, str]:
    img = scene(48, 32)
    return edit_body(data_uri(img), data_uri(box_mask(img.size, (5, 5, 20, 20))))


def _stats(url: str) -> dict:
    return httpx.get(f"{url}/_sandbox/stats").json()


@pytest.mark.parametrize(("kind", "status"), [("429", 429), ("500", 500), ("502", 502), ("503", 503)])
def test_error_status_faults(sandbox_server, kind, status):
    url = sandbox_server(SandboxConfig(fault_rate=1.0, faults=(kind,)))
    r = httpx.post(f"{url}/v1/models/{EDIT}", json=_body())
    assert r.status_code == status
    body = r.json()
    assert isinstance(body["error_code"], int)
    assert body["error_message"]
    if kind == "429":
        assert r.headers["Retry-After"] == "1"
    r = httpx.get(f"{url}/v1/requests/anything/status")
    assert r.status_code == status
    stats = _stats(url)
    assert stats["faults"][kind] == 2
    assert stats["submits"] == 0
    assert stats["created"] == 0
    assert stats["requests"]["submit"] == 1
    assert stats["requests"]["status"] == 1


def test_drop_over_http(sandbox_server):
    url = sandbox_server(SandboxConfig(fault_rate=1.0, faults=("drop",)))
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(f"{url}/v1/models/{EDIT}", json=_body())
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/v1/requests/x/status")
    stats = _stats(url)
    assert stats["faults"]["drop"] == 2
    assert stats["submits"] == 0
    assert stats["created"] == 0
    assert httpx.get(f"{url}/_sandbox/jobs").json() == []


async def test_drop_in_process(sandbox_client):
    client = sandbox_client(SandboxConfig(fault_rate=1.0, faults=("drop",)))
    with pytest.raises(httpx.TransportError) as caught:
        await client.post(f"/v1/models/{EDIT}", json=_body())
    assert isinstance(caught.value, httpx.RemoteProtocolError)
    assert caught.value.request.url.path == f"/v1/models/{EDIT}"
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["faults"]["drop"] == 1
    assert stats["submits"] == 0


def test_slow(sandbox_server):
    url = sandbox_server(SandboxConfig(fault_rate=1.0, faults=("slow",), slow_seconds=0.3))
    started = time.monotonic()
    r = httpx.post(f"{url}/v1/models/{EDIT}", json=_body())
    assert time.monotonic() - started >= 0.3
    assert r.status_code == 200
    assert r.json()["request_id"]
    stats = _stats(url)
    assert stats["faults"]["slow"] == 1
    assert stats["submits"] == 1
    assert stats["created"] == 1


async def test_error_200(sandbox_client):
    client = sandbox_client(SandboxConfig(fault_rate=1.0, faults=("error_200",)))
    r = await client.post(f"/v1/models/{EDIT}", json=_body())
    assert r.status_code == 200
    assert set(r.json()) == {"error_code", "error_message"}
    assert isinstance(r.json()["error_code"], int)
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["faults"]["error_200"] == 1
    assert stats["created"] == 0


async def test_faults_only_hit_v1(sandbox_client):
    client = sandbox_client(SandboxConfig(fault_rate=1.0, faults=("503",)))
    assert (await client.get("/_sandbox/stats")).status_code == 200
    assert (await client.get("/_sandbox/jobs")).status_code == 200
    r = await client.get("/files/0123456789abcdef0123456789abcdef.png")
    assert r.status_code == 404
    assert r.json()["error_code"] == 404001


async def _codes(client: httpx.AsyncClient, n: int) -> list[int]:
    return [(await client.get("/v1/requests/nope/status")).status_code for _ in range(n)]


async def test_faults_are_reproducible_for_a_seed(sandbox_client):
    faults = ("429", "500", "503", "error_200")
    same = [sandbox_client(SandboxConfig(fault_rate=0.5, faults=faults, seed=7)) for _ in range(2)]
    other = sandbox_client(SandboxConfig(fault_rate=0.5, faults=faults, seed=8))
    first, second, third = [await _codes(c, 40) for c in (*same, other)]
    assert first == second
    assert first != third
    assert 404 in first
    assert set(first) - {404}
    stats = (await same[0].get("/_sandbox/stats")).json()
    assert sum(stats["faults"].values()) == sum(1 for c in first if c != 404)
