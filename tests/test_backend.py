"""The same embedded default everywhere, the token where users keep it, and resume() on every backend
(issue 10, items 6 and 7)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import ideogram_widgets as iw
from ideogram_widgets import backend
from ideogram_widgets.api import DEFAULT_BASE_URL, MissingTokenError
from ideogram_widgets.api import AsyncClient as ApiAsyncClient
from ideogram_widgets.api._token import LoginFileWarning, find_token, login_files
from ideogram_widgets.samples import sample_image

from .api.scripted_server import Answer, Script

CLI_TOKEN = "rc-cli-login-4b1d0a77e2c9-SECRET"
STATUS = "/v1/requests/r-1/status"


@pytest.fixture
def login(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An empty RunComfy CLI config folder of this test's own; returns its token.json path."""
    monkeypatch.setenv("RUNCOMFY_CONFIG_DIR", str(tmp_path / "cli"))
    (tmp_path / "cli").mkdir()
    return tmp_path / "cli" / "token.json"


def write_login(path: Path, **fields: Any) -> None:
    data = {"access_token": CLI_TOKEN, "refresh_token": None, "expires_at": None, "user_email": None}
    data.update(fields)
    path.write_text(json.dumps(data))
    path.chmod(0o600)


def fingerprint(path: Path) -> tuple[bytes, int, int]:
    return path.read_bytes(), path.stat().st_mtime_ns, path.stat().st_mode


@pytest.fixture
def fresh_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "_warned", False)


# ------------------------------------------------------------------------------------ where the token is


def test_the_token_is_looked_for_in_this_order(login: Path) -> None:
    write_login(login)
    env = {"RUNCOMFY_API_TOKEN": "a", "RUNCOMFY_TOKEN": "b", "RUNCOMFY_CONFIG_DIR": str(login.parent)}
    assert find_token(environ=env).source == "RUNCOMFY_API_TOKEN"
    del env["RUNCOMFY_API_TOKEN"]
    assert find_token(environ=env).source == "RUNCOMFY_TOKEN"
    env["RUNCOMFY_TOKEN"] = "   "  # blank counts as unset
    found = find_token(environ=env)
    assert found.token == CLI_TOKEN
    assert str(login) in found.source
    assert CLI_TOKEN not in repr(found)


def test_the_cli_folder_follows_the_cli(tmp_path: Path) -> None:
    assert login_files({"RUNCOMFY_CONFIG_DIR": str(tmp_path)}) == [tmp_path / "token.json"]
    xdg = login_files({"XDG_CONFIG_HOME": str(tmp_path)})
    assert xdg[0] == tmp_path / "runcomfy" / "token.json"
    assert login_files({})[0] == Path.home() / ".config" / "runcomfy" / "token.json"


async def test_a_client_sends_the_cli_login_to_the_hosted_service(login: Path) -> None:
    write_login(login, expires_at=time.time() + 3600, some_future_key={"x": 1})
    before = fingerprint(login)
    script = Script()
    script.on(STATUS, Answer(200, {"status": "in_queue"}))
    async with ApiAsyncClient(transport=script.transport()) as client:  # the hosted base URL
        assert client.token_source.startswith("runcomfy login")
        await client.status("r-1")
    assert script.requests[0][2]["authorization"] == f"Bearer {CLI_TOKEN}"
    assert fingerprint(login) == before  # never written


async def test_the_cli_login_never_goes_to_another_host(login: Path) -> None:
    write_login(login)
    script = Script()
    script.on(STATUS, Answer(200, {"status": "in_queue"}))
    async with ApiAsyncClient(base_url="http://127.0.0.1:9/v1", transport=script.transport()) as client:
        await client.status("r-1")
    assert "authorization" not in script.requests[0][2]


def test_an_expired_login_is_no_token_and_says_so(login: Path) -> None:
    write_login(login, expires_at=1_700_000_000)
    with (
        pytest.warns(LoginFileWarning, match="expired at 2023-11-14.*runcomfy login") as said,
        pytest.raises(MissingTokenError, match="runcomfy login"),
    ):
        ApiAsyncClient()
    assert all(CLI_TOKEN not in str(w.message) for w in said)


@pytest.mark.parametrize("content", ["{not json", '{"access_token": 5}', "[]", '{"access_token": "  "}'])
def test_an_unusable_login_file_is_no_token_and_says_so(login: Path, content: str) -> None:
    login.write_text(content)
    with pytest.warns(LoginFileWarning, match=str(login.name)):
        assert find_token(environ={"RUNCOMFY_CONFIG_DIR": str(login.parent)}).token is None


# ------------------------------------------------------------------------------------ the embedded default


def test_a_blocking_client_without_a_token_runs_on_the_embedded_sandbox(fresh_warning: None) -> None:
    with pytest.warns(backend.SandboxWarning, match="local sandbox"):
        client = iw.Client()
    with client:
        assert client.aio.base_url == backend.SANDBOX_URL
        result = client.reframe(sample_image(48, 32), "1024x1024", rendering_speed="TURBO", seed=3)
    assert result.backend == "local sandbox"
    assert "local sandbox" in repr(result)
    assert result.image.size == (1024, 1024)


async def test_an_async_client_without_a_token_says_so_once(fresh_warning: None) -> None:
    with pytest.warns(backend.SandboxWarning) as said:
        first, second = iw.AsyncClient(), iw.AsyncClient()
    assert len(said) == 1
    async with first, second:
        assert first.notice == backend.SANDBOX_NOTICE
        assert isinstance(first, ApiAsyncClient)
        result = await first.reframe(sample_image(48, 32), "1024x1024", rendering_speed="TURBO", seed=4)
    assert result.backend == "local sandbox"


def test_with_a_token_the_top_level_clients_use_the_hosted_service(
    monkeypatch: pytest.MonkeyPatch, fresh_warning: None
) -> None:
    monkeypatch.setenv("RUNCOMFY_TOKEN", CLI_TOKEN)
    client = iw.Client()  # no SandboxWarning: warnings are errors here
    assert client.aio.base_url == DEFAULT_BASE_URL
    assert client.aio.label == "RunComfy Model API"
    assert client.aio.token_source == "RUNCOMFY_TOKEN"
    assert CLI_TOKEN not in repr(client)
    client.close()


def test_an_explicit_base_url_is_never_replaced_by_the_sandbox(fresh_warning: None) -> None:
    client = iw.AsyncClient(base_url="http://127.0.0.1:9/v1")
    assert client.base_url == "http://127.0.0.1:9/v1"


# ------------------------------------------------------------------------------------ resume on every backend


def test_the_picker_gives_a_client_per_reachable_backend_and_says_why_not(
    sandbox_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    picker = backend.BackendPicker()
    sandbox = picker(backend.SANDBOX_URL)
    assert sandbox is not None
    assert sandbox.label == "local sandbox"
    assert picker(backend.SANDBOX_URL) is sandbox  # one per URL
    assert picker(DEFAULT_BASE_URL) is None
    assert "needs a token" in picker.reasons[DEFAULT_BASE_URL]
    external = sandbox_server() + "/v1"
    assert picker(external) is not None
    with socket_closed() as url:
        assert picker(url) is None
        assert "not reachable" in picker.reasons[url]
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", CLI_TOKEN)
    hosted = backend.BackendPicker()(DEFAULT_BASE_URL)
    assert hosted is not None
    assert hosted.has_token


class socket_closed:  # noqa: N801 (used as a context manager)
    """A URL on 127.0.0.1 where nothing listens (a port bound and closed again)."""

    def __enter__(self) -> str:
        import socket

        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        sock.close()
        return f"http://127.0.0.1:{port}/v1"

    def __exit__(self, *exc: object) -> None:
        pass


def test_top_level_resume_leaves_a_hosted_job_without_a_token_and_says_why(tmp_path: Path) -> None:
    """A job the hosted service runs, recorded in the journal; no token anywhere now: iw.resume() takes
    nothing of it and names the reason (the picker's words, not the generic ones)."""
    from ideogram_widgets.jobs import Journal

    journal = Journal(tmp_path / "journal")
    entry = {
        "id": journal.new_id(),
        "state": "in_progress",
        "request_id": "r-hosted-1",
        "model_id": "ideogram/ideogram-v3/edit",
        "base_url": DEFAULT_BASE_URL,
        "label": "RunComfy Model API",
        "created_at": 1.0,
        "params": {"prompt": "a red door"},
    }
    assert journal.write(entry)
    report = iw.resume(journal=journal)
    assert list(report) == []
    assert len(report.left) == 1
    record, why = report.left[0]
    assert record.base_url == DEFAULT_BASE_URL
    assert "needs a token" in why


def test_the_default_client_is_installed_in_the_jobs_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    from ideogram_widgets import jobs

    installed: list[Any] = []
    monkeypatch.setattr(jobs, "set_default_client", installed.append, raising=False)
    backend.install_default_client()
    assert installed == [backend.default_client]


def test_the_embedded_sandbox_keeps_its_state_under_the_package_home() -> None:
    home = Path(os.environ["IDEOGRAM_WIDGETS_HOME"])
    assert Path(backend.sandbox_home()) == home / "sandbox"
    store = backend.sandbox_app().state.sandbox.store
    assert store is not None
    assert store.folder == home / "sandbox"
    assert isinstance(backend.client_for(backend.SANDBOX_URL), httpx.AsyncClient | ApiAsyncClient)
