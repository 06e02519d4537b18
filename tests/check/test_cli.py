"""``python -m ideogram_widgets.check`` as a user runs it: a subprocess against a sandbox over HTTP."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ideogram_widgets.check._cli import main

from .helpers import TOKEN, config, stats

ROOT = Path(__file__).parents[2]


def run_cli(
    *args: str, token: str | None = TOKEN, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNCOMFY_")}
    if token is not None:
        env["RUNCOMFY_API_TOKEN"] = token
    env.update(extra_env or {})
    return subprocess.run(
        [sys.executable, "-m", "ideogram_widgets.check", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def assert_clean(done: subprocess.CompletedProcess[str]) -> None:
    both = done.stdout + done.stderr
    assert TOKEN not in both
    assert "Traceback" not in both


def check_sandbox(
    sandbox_server: Callable[..., str], exit_code: int, **settings: Any
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """The check as a user runs it against a sandbox with ``settings`` (and the token): it must exit with
    ``exit_code``, with no token or traceback in what it printed. Returns the sandbox's URL and the run."""
    url = sandbox_server(config(**{"token": TOKEN, **settings}))
    done = run_cli("--base-url", f"{url}/v1")
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert_clean(done)
    return url, done


def test_matching_service_exits_0(sandbox_server: Callable[..., str]) -> None:
    url, done = check_sandbox(sandbox_server, 0)
    assert "[ok     ] input schema" in done.stdout
    assert "[ok     ] data URIs" in done.stdout
    assert "[ok     ] mask polarity" in done.stdout
    assert "Verdict: everything matches; no setting needs to change." in done.stdout
    # the cost was stated before the edit was sent, and nothing was asked (stdin is not a terminal)
    assert "billed like any other TURBO edit" in done.stderr
    assert done.stderr.index("one TURBO edit") < done.stderr.index("sending the edit")
    assert "[y/N]" not in done.stderr
    assert stats(url)["submits"] == 1


def test_white_is_edit_service_exits_1_and_names_the_setting(sandbox_server: Callable[..., str]) -> None:
    url, done = check_sandbox(sandbox_server, 1, mask_polarity="white_is_edit")
    assert "[differs] mask polarity" in done.stdout
    assert 'set mask_polarity="white_is_edit"' in done.stdout
    assert 'Change: AsyncClient(mask_polarity="white_is_edit")' in done.stdout
    # and checking again with that setting passes
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RUNCOMFY_API_TOKEN", TOKEN)
        args = ["--base-url", f"{url}/v1", "--polarity", "white_is_edit", "--json"]
        assert main(args, stdin=io.StringIO(), stdout=out, stderr=err) == 0, err.getvalue()
    report = json.loads(out.getvalue())
    assert report["status"] == "ok"
    assert report["mask_polarity"] == "white_is_edit"
    assert [r["status"] for r in report["results"]] == ["ok", "ok", "ok"]
    assert TOKEN not in out.getvalue() + err.getvalue()


def test_refused_data_uris_exit_1_with_the_uploader_advice(sandbox_server: Callable[..., str]) -> None:
    _, done = check_sandbox(sandbox_server, 1, accept_data_uris=False)
    assert (
        "[differs] data URIs      data URIs not accepted: pass uploader=... (a function that hosts the PNG"
        in done.stdout
    )
    assert "[unknown] mask polarity" in done.stdout
    assert "--uploader MODULE:FUNCTION" in done.stdout


def test_uploader_option_hosts_the_files_when_data_uris_are_refused(
    sandbox_server: Callable[..., str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sandbox_server(config(token=TOKEN, accept_data_uris=False))
    (tmp_path / "host_on_sandbox.py").write_text(
        "import httpx, os\n"
        "def upload(png, filename):\n"
        "    return httpx.post(os.environ['UPLOAD_TO'], content=png).json()['url']\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("UPLOAD_TO", f"{url}/_sandbox/uploads")
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    out, err = io.StringIO(), io.StringIO()
    args = ["--base-url", f"{url}/v1", "--uploader", "host_on_sandbox:upload", "--json"]
    # the client as set up (with its uploader) works with this service
    assert main(args, stdin=io.StringIO(), stdout=out, stderr=err) == 0, out.getvalue() + err.getvalue()
    results = {r["name"]: r for r in json.loads(out.getvalue())["results"]}
    assert results["data_uris"]["data"]["accepted"] is False
    assert results["data_uris"]["status"] == "ok"
    assert results["polarity"]["status"] == "ok"
    assert results["polarity"]["data"]["sent_as"] == "uploaded URLs"
    bad = main([*args[:3], "not_a_module_anywhere:f"], stdin=io.StringIO(), stdout=out, stderr=err)
    assert bad == 2
    assert "--uploader not_a_module_anywhere:f" in err.getvalue()


def test_a_wrong_token_exits_2_without_a_traceback(sandbox_server: Callable[..., str]) -> None:
    url, done = check_sandbox(sandbox_server, 2, token="the-right-one")
    assert "error: the service refused the token in RUNCOMFY_API_TOKEN" in done.stderr
    assert done.stdout == ""
    assert stats(url)["submits"] == 0


def test_a_network_error_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    from ideogram_widgets.api import _client as client_module
    from ideogram_widgets.api._retry import RetryPolicy

    monkeypatch.setattr(client_module, "RetryPolicy", lambda: RetryPolicy(attempts=2, base_delay=0.01))
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out, err = io.StringIO(), io.StringIO()
    assert main(["--base-url", f"http://127.0.0.1:{port}/v1", "--json"], stdout=out, stderr=err) == 2
    assert "error: network error: could not connect" in err.getvalue()
    assert json.loads(out.getvalue())["status"] == "error"
    assert TOKEN not in out.getvalue() + err.getvalue()


def test_no_token_explains_and_points_to_the_sandbox() -> None:
    done = run_cli(token=None)
    assert done.returncode == 2
    assert "needs your RunComfy API token: set RUNCOMFY_API_TOKEN" in done.stderr
    assert "shell history" in done.stderr
    assert "--sandbox" in done.stderr


def test_help_says_why_there_is_no_token_option() -> None:
    done = run_cli("--help", token=None)
    assert done.returncode == 0
    assert "shell history" in done.stdout
    assert "--token-env" in done.stdout
    assert "--yes" in done.stdout
    assert "--token " not in done.stdout


def test_token_env_names_another_variable(
    sandbox_server: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = sandbox_server(config(token=TOKEN))
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    monkeypatch.setenv("MY_TOKEN", TOKEN)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--base-url", f"{url}/v1", "--token-env", "MY_TOKEN"], stdout=out, stderr=err) == 0
    assert TOKEN not in out.getvalue() + err.getvalue()
    args = ["--base-url", f"{url}/v1", "--token-env", "NOT_SET_ANYWHERE"]
    assert main(args, stdout=out, stderr=err) == 2
    assert "NOT_SET_ANYWHERE is not set" in err.getvalue()


def test_the_cli_constants_are_the_apis() -> None:
    from ideogram_widgets.api import DEFAULT_BASE_URL, TOKEN_ENV, MaskPolarity
    from ideogram_widgets.check import _cli as cli

    assert (cli.TOKEN_ENV, cli.DEFAULT_BASE_URL) == (TOKEN_ENV, DEFAULT_BASE_URL)
    assert tuple(m.value for m in MaskPolarity) == cli.POLARITIES


# In-process runs of main(): the --sandbox demo and the confirmation prompt.


class Terminal(io.StringIO):
    """A stdin that claims to be a terminal."""

    def isatty(self) -> bool:
        return True


def test_sandbox_mode_needs_no_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    out, err = io.StringIO(), io.StringIO()
    saved = tmp_path / "result.png"
    code = main(["--sandbox", "--save-result", str(saved)], stdin=Terminal(""), stdout=out, stderr=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert "local sandbox (classical inpainting, not Ideogram)" in err.getvalue()
    assert "[y/N]" not in err.getvalue()  # the sandbox costs nothing: no question
    assert "everything matches" in out.getvalue()
    assert saved.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(("answer", "submits", "code"), [("n\n", 0, 1), ("", 0, 1), ("y\n", 1, 0)])
def test_a_terminal_is_asked_before_the_paid_edit(
    sandbox_server: Callable[..., str], monkeypatch: pytest.MonkeyPatch, answer: str, submits: int, code: int
) -> None:
    url = sandbox_server(config(token=TOKEN))
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--base-url", f"{url}/v1"], stdin=Terminal(answer), stdout=out, stderr=err) == code
    assert "Send it? [y/N]" in err.getvalue()
    assert stats(url)["submits"] == submits
    if not submits:
        assert "skipped: you chose not to send the edit" in out.getvalue()
    assert TOKEN not in out.getvalue() + err.getvalue()


def test_yes_skips_the_question(sandbox_server: Callable[..., str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = sandbox_server(config(token=TOKEN))
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    out, err = io.StringIO(), io.StringIO()
    assert main(["--base-url", f"{url}/v1", "--yes"], stdin=Terminal(""), stdout=out, stderr=err) == 0
    assert "[y/N]" not in err.getvalue()
    assert stats(url)["submits"] == 1
