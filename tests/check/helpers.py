"""Shared helpers for the live-check tests: sandbox clients and an uploader that hosts on the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.sandbox import SandboxConfig

TOKEN = "tok-CHECK-7f3a91e2b4"  # a recognisable secret to search for in every output


def config(**overrides: Any) -> SandboxConfig:
    """A fast sandbox: TURBO jobs take ~20 ms."""
    base: dict[str, Any] = {"speed_scale": 0.02, "workers": 1}
    base.update(overrides)
    return SandboxConfig(**base)


def client_for(url: str, **options: Any) -> AsyncClient:
    """An AsyncClient for a sandbox served over HTTP at ``url``."""
    return AsyncClient(options.pop("token", None), base_url=url + "/v1", **options)


def sandbox_uploader(url: str, calls: list[str] | None = None) -> Callable[[bytes, str], str]:
    """An uploader that hosts PNGs on the sandbox (``POST /_sandbox/uploads``) and returns their URL."""

    def upload(png: bytes, filename: str) -> str:
        answer = httpx.post(f"{url}/_sandbox/uploads", content=png, timeout=10)
        answer.raise_for_status()
        if calls is not None:
            calls.append(filename)
        hosted: str = answer.json()["url"]
        return hosted

    return upload


def stats(url: str) -> dict[str, Any]:
    """The sandbox's counters."""
    return httpx.get(f"{url}/_sandbox/stats", timeout=10).json()
