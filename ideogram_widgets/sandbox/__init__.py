"""The local sandbox: an embedded backend that speaks the RunComfy Model API's HTTP shapes for
``ideogram/ideogram-v3/edit`` and ``ideogram/ideogram-v3/reframe``, with classical image
processing (not Ideogram), a real job queue, auth, expiry and fault injection.

In-process (no port)::

    import httpx
    from ideogram_widgets.sandbox import SandboxConfig, create_app

    app = create_app(SandboxConfig(speed_scale=0.1))
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://sandbox")
    ...
    app.state.sandbox.close()

Over real HTTP: ``python -m ideogram_widgets.sandbox --port 8123``, :func:`serve`, or
:func:`serve_in_thread` (returns a handle with ``.url`` and ``.stop()``).
"""

from ._app import create_app
from ._config import FAULT_KINDS, SandboxConfig
from ._server import RunningSandbox, SandboxProcess, serve, serve_in_process, serve_in_thread
from ._service import Sandbox

__all__ = [
    "FAULT_KINDS",
    "RunningSandbox",
    "Sandbox",
    "SandboxConfig",
    "SandboxProcess",
    "create_app",
    "serve",
    "serve_in_process",
    "serve_in_thread",
]
