"""Which backend to talk to: the RunComfy Model API when a token is set, else the embedded sandbox.

Example:
    >>> import os
    >>> from ideogram_widgets.backend import default_client
    >>> client = default_client(token=None) if "RUNCOMFY_API_TOKEN" not in os.environ else None
    >>> client is None or client.notice.startswith("local sandbox")
    True
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from .api.client import TOKEN_ENV, AsyncClient

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["SANDBOX_NOTICE", "SANDBOX_URL", "default_client", "sandbox_app"]

SANDBOX_NOTICE = (
    "local sandbox: classical inpainting, not Ideogram — set RUNCOMFY_API_TOKEN to use the real model"
)
"""The banner every widget shows while it runs on the embedded sandbox."""

SANDBOX_URL = "http://sandbox.localhost/v1"
"""The base URL the in-process sandbox answers on (no socket is opened)."""

_lock = threading.Lock()
_app: Starlette | None = None


def sandbox_app() -> Starlette:
    """The process-wide in-process sandbox app (created on first use, shared by every default client)."""
    global _app
    with _lock:
        if _app is None:
            from .sandbox import SandboxConfig, create_app

            _app = create_app(SandboxConfig(workers=2, speed_scale=1.0))
        return _app


def default_client(token: str | None = None, **options: Any) -> AsyncClient:
    """An AsyncClient for the hosted service when a token is given or ``RUNCOMFY_API_TOKEN`` is set;
    otherwise one for the in-process sandbox (``client.notice`` then says so)."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if token is not None:
        return AsyncClient(token, **options)
    import httpx

    options.setdefault("label", "local sandbox")
    options.setdefault("notice", SANDBOX_NOTICE)
    transport = httpx.ASGITransport(app=sandbox_app())
    return AsyncClient(None, base_url=SANDBOX_URL, transport=transport, **options)
