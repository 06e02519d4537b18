"""Which backend to talk to: the RunComfy Model API when a token is found, else the embedded sandbox.

The token is found in ``RUNCOMFY_API_TOKEN``, then ``RUNCOMFY_TOKEN``, then the official RunComfy CLI's
login file (see ``api/_token.py``). With none anywhere, the top-level :class:`AsyncClient` and
:class:`Client` run on the embedded sandbox, as the widgets do, and say so once (a
:class:`SandboxWarning`). The embedded sandbox keeps its jobs and files under the package home
(``$IDEOGRAM_WIDGETS_HOME/sandbox``): its jobs go on by the wall clock while the kernel is down, so
:func:`resume` after a restart finds them finished, as the hosted service would.

Example (a notebook cell)::

    import ideogram_widgets as iw
    client = iw.AsyncClient()          # no token anywhere: the embedded sandbox (a SandboxWarning says so)
    client.label                       # 'local sandbox'
    report = iw.resume()               # after a restart: every reachable backend's unfinished jobs
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from .api import Client as _BlockingClient
from .api import _client as _api
from .api._token import find_token

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from .jobs import JobManager, Journal, ResumeReport

__all__ = [
    "SANDBOX_NOTICE",
    "SANDBOX_URL",
    "AsyncClient",
    "BackendPicker",
    "Client",
    "SandboxWarning",
    "client_for",
    "default_client",
    "install_default_client",
    "resume",
    "sandbox_app",
    "sandbox_home",
    "scratch_sandbox_client",
]

log = logging.getLogger("ideogram_widgets")

SANDBOX_NOTICE = (
    "local sandbox: classical inpainting, not Ideogram — set RUNCOMFY_API_TOKEN to use the real model"
)
"""The banner every widget shows while it runs on the embedded sandbox."""

SANDBOX_URL = "http://sandbox.localhost/v1"
"""The base URL the in-process sandbox answers on (no socket is opened)."""

SANDBOX_LABEL = "local sandbox"


class SandboxWarning(UserWarning):
    """No token was found, so a client runs on the embedded sandbox (classical processing, not Ideogram)."""


_lock = threading.Lock()
_app: Starlette | None = None
_warned = False


def sandbox_home() -> str:
    """Where the embedded sandbox keeps its state: ``<package home>/sandbox``."""
    from .jobs import default_home

    return str(default_home() / "sandbox")


def sandbox_app() -> Starlette:
    """The process-wide in-process sandbox app (created on first use, shared by every default client).

    Its queue, jobs and result files live under :func:`sandbox_home`, so they outlive a kernel restart;
    when that folder cannot be used it falls back to a temporary one and says so."""
    global _app
    with _lock:
        if _app is None:
            from .sandbox import SandboxConfig, create_app

            config = SandboxConfig(workers=2, speed_scale=1.0, state_dir=sandbox_home())
            try:
                _app = create_app(config)
            except OSError as exc:
                warnings.warn(
                    SandboxWarning(
                        f"the local sandbox cannot keep its jobs in {config.state_dir} ({exc.strerror}): "
                        "they will not survive a restart"
                    ),
                    stacklevel=3,
                )
                _app = create_app(SandboxConfig(workers=2, speed_scale=1.0))
        return _app


def _sandbox_options(options: dict[str, Any], app: Starlette | None = None) -> dict[str, Any]:
    """A client's options for an in-process sandbox: ``app``, or the process-wide :func:`sandbox_app`."""
    options.setdefault("label", SANDBOX_LABEL)
    options.setdefault("notice", SANDBOX_NOTICE)
    options["base_url"] = SANDBOX_URL
    options["transport"] = httpx.ASGITransport(app=app if app is not None else sandbox_app())
    return options


def scratch_sandbox_client(**options: Any) -> tuple[_api.AsyncClient, Callable[[], None]]:
    """An AsyncClient on a new in-process sandbox of its own (one worker, nothing kept on disk), and the
    function that closes that sandbox once the client is closed. For a one-off run that must not share
    the embedded default's queue or journal, such as ``python -m ideogram_widgets.check --sandbox``.

    Example:
        >>> client, close_sandbox = scratch_sandbox_client()
        >>> client.label
        'local sandbox'
        >>> close_sandbox()
    """
    from .sandbox import SandboxConfig, create_app

    app = create_app(SandboxConfig(workers=1))
    return _api.AsyncClient(None, **_sandbox_options(options, app)), app.state.sandbox.close


def default_client(token: str | None = None, **options: Any) -> _api.AsyncClient:
    """An AsyncClient for the hosted service when a token is given or found (``RUNCOMFY_API_TOKEN``,
    ``RUNCOMFY_TOKEN``, ``runcomfy login``); otherwise one for the in-process sandbox (``client.notice``
    then says so)."""
    token = token or find_token().token
    if token is not None:
        return _api.AsyncClient(token, **options)
    return _api.AsyncClient(None, **_sandbox_options(options))


def _say_sandbox_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(
            SandboxWarning(
                "no RunComfy token found (RUNCOMFY_API_TOKEN, RUNCOMFY_TOKEN, `runcomfy login`): using the "
                "local sandbox — classical inpainting, not Ideogram"
            ),
            stacklevel=4,
        )


class AsyncClient(_api.AsyncClient):
    """:class:`ideogram_widgets.api.AsyncClient` with the package's default: with no token anywhere and no
    ``base_url`` or ``transport``, it runs on the embedded sandbox (said once, by a SandboxWarning).

    Example (a notebook cell)::

        async with ideogram_widgets.AsyncClient() as client:
            result = await client.reframe(photo, "1024x1024")
        result.backend        # 'RunComfy Model API' or 'local sandbox'
    """

    def __init__(self, token: str | None = None, **options: Any) -> None:
        explicit = (
            options.get("base_url") or options.get("transport") or os.environ.get("RUNCOMFY_API_BASE_URL")
        )
        if token is None and not explicit and find_token().token is None:
            _say_sandbox_once()
            options = _sandbox_options(options)
        super().__init__(token, **options)


class Client(_BlockingClient):
    """:class:`ideogram_widgets.api.Client` (blocking, for scripts) with the same default as
    :class:`AsyncClient`: the embedded sandbox when no token is found anywhere.

    Example (a plain script)::

        with ideogram_widgets.Client() as client:
            client.reframe("photo.png", "1024x1024").save("out.png")
    """

    def __init__(
        self, token: str | None = None, *, wrap: _api.AsyncClient | None = None, **options: Any
    ) -> None:
        super().__init__(wrap=wrap if wrap is not None else AsyncClient(token, **options))


# ---------------------------------------------------------------------------------------------- resume


def _reachable(base_url: str, timeout: float = 0.3) -> str:
    """ "" when a TCP connection to the URL's host opens, else why not (a short, bounded check)."""
    url = httpx.URL(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.host, port), timeout=timeout):
            return ""
    except OSError as exc:
        return f"{url.host}:{port} is not reachable ({exc.strerror or type(exc).__name__})"


class BackendPicker:
    """``client_for`` for :func:`ideogram_widgets.jobs.resume`: given the base URL a journal entry
    recorded, a client for that backend, or None when it cannot be reached (``reasons[url]`` says why).

    The embedded sandbox is always reachable; the hosted service needs a token (found as
    :func:`default_client` finds it); any other URL (an external sandbox) gets a client when a TCP
    connection to it opens. One client per URL per picker.

    Example::

        picker = BackendPicker()
        picker(SANDBOX_URL).label                 # 'local sandbox'
        picker("http://127.0.0.1:9/v1")           # None: nothing listens there
        picker.reasons    # {'http://127.0.0.1:9/v1': '127.0.0.1:9 is not reachable …'}
    """

    def __init__(self) -> None:
        self.clients: dict[str, _api.AsyncClient] = {}
        self.reasons: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"BackendPicker(clients={sorted(self.clients)}, unreachable={self.reasons})"

    def __call__(self, base_url: str) -> _api.AsyncClient | None:
        url = (base_url or "").rstrip("/")
        if url in self.clients:
            return self.clients[url]
        if url in self.reasons:
            return None
        client = self._make(url)
        if client is not None:
            self.clients[url] = client
        return client

    def _make(self, url: str) -> _api.AsyncClient | None:
        if url == SANDBOX_URL:
            return _api.AsyncClient(None, **_sandbox_options({}))
        if url == _api.DEFAULT_BASE_URL:
            found = find_token()
            if found.token is None:
                self.reasons[url] = (
                    "the RunComfy Model API needs a token: set RUNCOMFY_API_TOKEN (or `runcomfy login`) "
                    "and call resume() again"
                )
                return None
            return _api.AsyncClient(found.token)
        try:
            why = _reachable(url)
        except (httpx.InvalidURL, ValueError, TypeError):
            why = f"{url!r} is not a usable URL"
        if why:
            self.reasons[url] = f"{why}: start that sandbox again, then call resume()"
            return None
        return _api.AsyncClient(base_url=url)


def client_for(base_url: str) -> _api.AsyncClient | None:
    """A client for the backend a journal entry recorded, or None if it cannot be reached now
    (a one-off :class:`BackendPicker`; :func:`resume` keeps one per call)."""
    return BackendPicker()(base_url)


def resume(
    *,
    client: _api.AsyncClient | None = None,
    journal: Journal | str | os.PathLike[str] | None = None,
    manager: JobManager | None = None,
    keep_images: bool = True,
    client_for: Callable[[str], _api.AsyncClient | None] | None = None,
) -> ResumeReport:
    """After a kernel restart: follow the unfinished jobs of every backend the journal recorded that can
    be reached now — the hosted service (with the token found in the environment), the embedded
    sandbox, an external sandbox by its URL — and answer with what was taken, what was left and why.

    ``client=`` (or ``manager=``) resumes one backend only, as :func:`ideogram_widgets.jobs.resume`.

    Example (a notebook cell, after a restart)::

        report = ideogram_widgets.resume()   # shown: the jobs taken, those left and why
        outputs = [await job for job in report]
    """
    install_default_client()
    from . import jobs

    if client is not None or manager is not None:
        return jobs.resume(client=client, journal=journal, manager=manager, keep_images=keep_images)
    picker = client_for or BackendPicker()
    report = jobs.resume(client_for=picker, journal=journal, keep_images=keep_images)
    _explain(report, picker)
    return report


def _explain(report: ResumeReport, picker: Callable[[str], object]) -> None:
    """Put the picker's reason on every entry it left for want of a client (the report's own words are
    generic: it only saw None)."""
    reasons: dict[str, str] = getattr(picker, "reasons", {})
    for n, (record, _why) in enumerate(report.left):
        url = record.base_url.rstrip("/")
        if url in reasons:
            report.left[n] = (record, reasons[url])


# ---------------------------------------------------------------------------------------------- install


def install_default_client() -> None:
    """Make :func:`default_client` the jobs layer's default (``jobs.set_default_client``), so
    ``submit``, ``resume``, batches and widgets used through the package pick the backend here."""
    from . import jobs

    jobs.set_default_client(default_client)


install_default_client()
