"""The API token never shows up in any output channel.

A distinctive token is used for real — through AsyncClient, Client, default_client (argument and
environment variable), EditWidget's token field, jobs with a journal folder, and a notebook run by nbclient
in a real kernel with ``RUNCOMFY_API_TOKEN`` set — against sandboxes that demand it (and one that rejects
it). Then every channel is searched: repr() and str() of every object touched, every exception raised
(message, repr, args, attributes and formatted traceback, chained causes included), every log record at
DEBUG (``ideogram_widgets``, ``httpx``, ``httpcore``: the root logger), every file under the journal
folders, the synced state of every widget in the tree, the copy-as-code text, and the saved notebook.

Besides the whole token, its distinctive middle and its base64 form are searched, so a truncated or
encoded leak counts too.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import socket
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from ideogram_widgets.api import (
    APIError,
    AsyncClient,
    AuthenticationError,
    Client,
    EditInput,
    IdeogramWidgetsError,
    JobFailedError,
    ReframeInput,
    RetryPolicy,
    SubmitUncertainError,
    TransportError,
)
from ideogram_widgets.backend import default_client
from ideogram_widgets.jobs import JobManager, Journal, history, run_batch, stop_all
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from ideogram_widgets.widgets import EditWidget, ReframeWidget

from ..api.scripted_server import Answer, Script
from .conftest import TOKEN, all_widgets, scripted_client, widget_texts

IMAGE = sample_image(96, 64)
MASK = np.zeros((64, 96), bool)
MASK[10:40, 20:70] = True
MODEL = "ideogram/ideogram-v3/edit"

NEEDLES = (
    TOKEN,
    TOKEN.split("-")[2],  # the distinctive middle: a truncated leak counts too
    base64.b64encode(TOKEN.encode()).decode(),
    base64.b64encode(f"Bearer {TOKEN}".encode()).decode(),
)


class Channels:
    """Everything a user or a log could ever see, gathered as (where, text) pairs."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def text(self, where: str, text: str) -> None:
        self.texts.append((where, text))

    def obj(self, where: str, value: Any) -> None:
        """repr() and str() of an object."""
        self.text(f"repr({where})", repr(value))
        self.text(f"str({where})", str(value))

    def error(self, where: str, exc: BaseException) -> None:
        """An exception: message, repr, args, attributes, and the formatted traceback with its causes."""
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            self.obj(where, current)
            self.text(f"{where}.args", repr(current.args))
            self.text(f"{where} attributes", repr(vars(current)))
            current = current.__cause__ or current.__context__
        self.text(f"{where} traceback", "".join(traceback.format_exception(exc)))

    def logs(self, where: str, records: list[logging.LogRecord]) -> None:
        handler = logging.Handler()
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        for record in records:
            self.text(f"{where}: {record.name}", handler.format(record))
            self.text(f"{where}: {record.name} args", repr(record.args))

    def files(self, where: str, folder: Path) -> int:
        count = 0
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                self.text(f"{where}/{path.relative_to(folder)}", path.read_bytes().decode("latin-1"))
                count += 1
        return count

    def widgets(self, where: str, root: Any) -> None:
        for n, text in enumerate(widget_texts(root)):
            self.text(f"{where} widget #{n} state", text)
        self.obj(where, root)

    def assert_clean(self) -> None:
        leaks = [(where, needle) for where, text in self.texts for needle in NEEDLES if needle in text]
        assert not leaks, f"the token leaked into: {leaks[:10]}"
        assert self.texts


def raised(channels: Channels, where: str, call: Callable[[], Any]) -> BaseException:
    """Run ``call`` (a sync call or an awaitable's result), expecting a typed error; record it."""
    try:
        call()
    except IdeogramWidgetsError as exc:
        channels.error(where, exc)
        return exc
    raise AssertionError(f"{where} did not raise")


async def araised(channels: Channels, where: str, coro: Any) -> BaseException:
    try:
        await coro
    except IdeogramWidgetsError as exc:
        channels.error(where, exc)
        return exc
    raise AssertionError(f"{where} did not raise")


# ---------------------------------------------------------------------------------------------- fixtures


@pytest.fixture
def channels(caplog: pytest.LogCaptureFixture) -> Iterator[Channels]:
    """Collects the channels; every log record at DEBUG and above (any logger) is one of them."""
    caplog.set_level(logging.DEBUG)
    for name in ("ideogram_widgets", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    found = Channels()
    yield found
    records = caplog.get_records("setup") + caplog.get_records("call")  # caplog.records: this phase only
    assert records, "no log records were captured"
    found.logs("log", records)
    found.assert_clean()


@pytest.fixture
def sandboxes() -> Iterator[dict[str, str]]:
    """``{"ok": url of a sandbox that demands TOKEN, "wrong": url of one that demands another token}``."""
    ok = serve_in_thread(SandboxConfig(token=TOKEN, speed_scale=0.01, workers=2, fail_rate=0.3, seed=5))
    wrong = serve_in_thread(SandboxConfig(token="some-other-token", speed_scale=0.01))
    yield {"ok": ok.url, "wrong": wrong.url}
    stop_all()
    ok.stop()
    wrong.stop()


def fast(client: AsyncClient) -> AsyncClient:
    client.retry = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
    return client


# ---------------------------------------------------------------------------------------------- the client


async def test_async_client(channels: Channels, sandboxes: dict[str, str]) -> None:
    async with fast(AsyncClient(TOKEN, base_url=sandboxes["ok"] + "/v1")) as client:
        channels.obj("client", client)
        channels.text("vars(client)", repr(vars(client)))
        result = await client.edit(IMAGE, MASK, "a moon", rendering_speed="TURBO", seed=1)
        channels.obj("result", result)
        channels.obj("result.answer", result.answer)
        channels.obj("result.answer.raw", dict(result.answer.raw) if result.answer else None)
        framed = await client.reframe(IMAGE, "1024x1024", rendering_speed="TURBO", seed=2)
        channels.obj("reframe result", framed)
        job = EditInput(IMAGE, MASK, "a sun", rendering_speed="QUALITY")
        channels.obj("input", job)
        submission = await client.submit_input(job)
        channels.obj("submission", submission)
        channels.obj("submission.raw", dict(submission.raw))
        channels.obj("status", await client.status(submission.request_id))
        channels.obj("cancel", await client.cancel(submission.request_id))
        channels.obj("result answer", await client.result(submission.request_id))
        channels.obj("model info", await client.model_info(MODEL))
        await araised(channels, "not found", client.status("no-such-request"))
        # failed jobs (fail_rate=0.3): their errors
        failures = 0
        for seed in range(12):
            try:
                await client.edit(IMAGE, MASK, "x", rendering_speed="TURBO", seed=seed)
            except JobFailedError as exc:
                channels.error("job failed", exc)
                failures += 1
        assert failures
        await araised(channels, "bad download", client.download(sandboxes["ok"] + "/files/nope.png"))

    async with fast(AsyncClient(TOKEN, base_url=sandboxes["wrong"] + "/v1")) as rejected:
        error = await araised(channels, "rejected token", rejected.status("r-1"))
        assert isinstance(error, AuthenticationError)
        error = await araised(channels, "rejected submit", rejected.submit(MODEL, {"prompt": "x"}))
        assert isinstance(error, AuthenticationError)


async def test_uncertain_submits_and_transport_errors(channels: Channels) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        unused_port = probe.getsockname()[1]
    script = Script()
    script.on(f"/v1/models/{MODEL}", Answer(502, {"error_message": "bad gateway"}))
    script.on("/v1/requests/r-1/status", Answer(503, raw=b"<html>down</html>"))
    client, _ = scripted_client(script)
    error = await araised(channels, "uncertain submit", client.submit(MODEL, {"prompt": "x"}))
    assert isinstance(error, SubmitUncertainError)
    await araised(channels, "server error", client.status("r-1"))
    script.on("/v1/requests/r-2/status", Answer(200, {"status": "in_queue", "queue_position": 4}))
    await araised(channels, "wait timeout", client.wait("r-2", timeout=0.05, min_interval=0.0))
    assert all(headers["authorization"] == f"Bearer {TOKEN}" for _, _, headers, _ in script.requests)
    await client.aclose()
    async with fast(AsyncClient(TOKEN, base_url=f"http://127.0.0.1:{unused_port}/v1")) as closed:
        channels.obj("closed-port client", closed)
        error = await araised(channels, "closed port", closed.submit(MODEL, {"prompt": "x"}))
        assert isinstance(error, TransportError)


def test_sync_client(channels: Channels, sandboxes: dict[str, str]) -> None:
    with Client(
        TOKEN, base_url=sandboxes["ok"] + "/v1", retry=RetryPolicy(attempts=2, base_delay=0.01)
    ) as client:
        channels.obj("sync client", client)
        result = client.edit(IMAGE, MASK, "a moon", rendering_speed="TURBO", seed=3)
        channels.obj("sync result", result)
        sub = client.submit_input(ReframeInput(IMAGE, "1024x1024", rendering_speed="TURBO"))
        channels.obj("sync submission", sub)
        channels.obj("sync wait", client.wait(sub.request_id, timeout=30))
        raised(channels, "sync not found", lambda: client.status("no-such-request"))
    with Client(TOKEN, base_url=sandboxes["wrong"] + "/v1", retry=RetryPolicy(attempts=1)) as rejected:
        raised(channels, "sync rejected", lambda: rejected.model_info(MODEL))


async def test_default_client_by_argument_and_environment(
    channels: Channels, sandboxes: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    by_argument = default_client(token=TOKEN, base_url=sandboxes["ok"] + "/v1")
    channels.obj("default client (argument)", by_argument)
    channels.text("default client label", f"{by_argument.label} {by_argument.notice}")
    channels.obj("status", await by_argument.status((await by_argument.submit(MODEL, _payload())).request_id))
    await by_argument.aclose()

    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    monkeypatch.setenv("RUNCOMFY_API_BASE_URL", sandboxes["wrong"] + "/v1")
    by_environment = fast(default_client())
    assert by_environment.has_token
    channels.obj("default client (environment)", by_environment)
    await araised(channels, "environment token rejected", by_environment.status("r-1"))
    await by_environment.aclose()


def _payload() -> dict[str, Any]:
    return EditInput(IMAGE, MASK, "payload", rendering_speed="TURBO").to_payload()


# ---------------------------------------------------------------------------------------------- jobs


async def test_jobs_and_their_journal(channels: Channels, sandboxes: dict[str, str], tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    client = fast(AsyncClient(TOKEN, base_url=sandboxes["ok"] + "/v1"))
    manager = JobManager(client, journal)
    channels.obj("manager", manager)
    jobs = [manager.submit(EditInput(IMAGE, MASK, f"job {n}", rendering_speed="TURBO")) for n in range(6)]
    jobs.append(manager.submit(ReframeInput(IMAGE, "640x1536", rendering_speed="TURBO")))
    queued = manager.submit(EditInput(IMAGE, MASK, "to cancel", rendering_speed="QUALITY"))
    await asyncio.sleep(0)
    await queued.cancel()
    jobs.append(queued)
    outcomes = await asyncio.gather(*jobs, return_exceptions=True)
    for n, (job, outcome) in enumerate(zip(jobs, outcomes, strict=True)):
        channels.obj(f"job {n}", job)
        channels.text(f"job {n} traits", repr(job.trait_values()))
        channels.obj(f"job {n} outcome", outcome)
        if isinstance(outcome, BaseException):
            channels.error(f"job {n} error", outcome)
    assert any(isinstance(o, JobFailedError) for o in outcomes), outcomes

    # a submit left uncertain is recorded in the journal with its error
    script = Script()
    script.on(f"/v1/models/{MODEL}", Answer(500, {"error_message": "boom"}))
    uncertain_client, _ = scripted_client(script)
    uncertain = JobManager(uncertain_client, journal).submit(EditInput(IMAGE, MASK, "uncertain"))
    await araised(channels, "uncertain job", uncertain._wait())
    channels.obj("uncertain job", uncertain)

    batch = run_batch(
        [EditInput(IMAGE, MASK, f"batch {n}", rendering_speed="TURBO") for n in range(4)],
        client=client,
        journal=journal,
        progress=False,
        out_dir=tmp_path / "out",
    )
    for item in await batch:
        channels.obj(f"batch item {item.index}", item)
    channels.obj("batch", batch)
    for record in history(journal=journal):
        channels.obj(f"history {record.job_id}", record)
    await client.aclose()
    await uncertain_client.aclose()

    assert channels.files("journal", journal) > 10
    assert channels.files("out", tmp_path / "out") >= 4
    # the journal is one SQLite file now (its bytes were searched above with every other file)
    assert any(e.get("error") for e in Journal(journal).entries())


# ---------------------------------------------------------------------------------------------- widgets


async def test_edit_widget_token_field(
    channels: Channels, sandboxes: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    monkeypatch.setenv("RUNCOMFY_API_BASE_URL", sandboxes["ok"] + "/v1")
    journal = tmp_path / "journal"
    widget = EditWidget(IMAGE, "a crescent moon", mask=MASK, journal=journal, rendering_speed="TURBO")
    assert not widget.manager.client.has_token
    widget.token._receive(widget.token, {"type": "set_token", "token": f"  {TOKEN}  "}, [])
    assert widget.manager.client.has_token
    fast(widget.manager.client)
    job = widget.submit()
    channels.obj("widget job", await job)
    channels.obj("widget job (done)", job)
    channels.text("copy as code", widget.panel.show_code() or "")
    widget.panel.save(tmp_path / "saved.png")
    widget.panel.use_as_input()
    widget.mask = MASK
    widget.controls.prompt.value = "again"
    second = widget.submit()
    await second
    channels.text("copy as code 2", widget.panel.show_code() or "")

    reframe = ReframeWidget(IMAGE, "1024x1024", journal=journal, rendering_speed="TURBO")
    reframe.token._receive(reframe.token, {"type": "set_token", "token": TOKEN}, [])
    fast(reframe.manager.client)
    await reframe.submit()
    channels.text("reframe copy as code", reframe.panel.show_code() or "")

    # a token the service rejects: the error shows on the job, in the widget
    monkeypatch.setenv("RUNCOMFY_API_BASE_URL", sandboxes["wrong"] + "/v1")
    rejected = EditWidget(IMAGE, "x", mask=MASK, journal=journal, rendering_speed="TURBO")
    rejected.token._receive(rejected.token, {"type": "set_token", "token": TOKEN}, [])
    fast(rejected.manager.client)
    bad_job = rejected.submit()
    await araised(channels, "rejected widget job", bad_job._wait())
    assert isinstance(bad_job.exception, APIError)
    rejected.token._receive(rejected.token, {"type": "clear_token"}, [])

    for name, root in (("edit", widget), ("reframe", reframe), ("rejected", rejected)):
        channels.widgets(name, root)
        assert len(all_widgets(root)) > 20
    channels.obj("widget client", widget.manager.client)
    channels.obj("token field", widget.token)
    channels.text("token field state", json.dumps(widget.token.get_state()))
    assert channels.files("journal", journal) > 5
    assert "failed" in json.dumps(rejected.panel.rows.children[0].status.get_state())


# ---------------------------------------------------------------------------------------------- a notebook

NOTEBOOK_CELLS = [
    """\
import os, logging
import numpy as np
import ideogram_widgets as iw
from ideogram_widgets.samples import sample_image
logging.basicConfig(level=logging.DEBUG)  # every library's debug log goes to the cell's output
assert os.environ["RUNCOMFY_API_TOKEN"]
image = sample_image(96, 64)
mask = np.zeros((64, 96), bool)
mask[10:40, 20:70] = True""",
    """\
widget = iw.EditWidget(image, "a crescent moon", mask=mask, rendering_speed="TURBO")
widget""",
    """\
job = widget.submit()
output = await job
print(job, output, widget.manager.client)
output.image.size""",
    """\
print(widget.panel.show_code())
widget.panel""",
    """\
reframe = iw.ReframeWidget(image, "1024x1024", rendering_speed="TURBO")
await reframe.submit()
reframe""",
    """\
client = iw.default_client()
print(repr(client), client.label, client.notice)
try:
    await client.status("no-such-request")
except iw.IdeogramWidgetsError as err:
    print(type(err).__name__, err, repr(err))
client""",
    """\
import httpx
rejected = iw.AsyncClient(base_url=os.environ["WRONG_SANDBOX"] + "/v1")
await rejected.status("no-such-request")  # raises: the traceback is saved in the notebook""",
    """\
iw.history(limit=5)""",
    """\
os.environ.get("RUNCOMFY_API_TOKEN") is not None, iw.default_client().has_token""",
]


def test_a_saved_notebook(
    channels: Channels, sandboxes: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK_CELLS]
    home = tmp_path / "home"
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", TOKEN)
    monkeypatch.setenv("RUNCOMFY_API_BASE_URL", sandboxes["ok"] + "/v1")
    monkeypatch.setenv("WRONG_SANDBOX", sandboxes["wrong"])
    monkeypatch.setenv("IDEOGRAM_WIDGETS_HOME", str(home))
    runner = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=True,
        store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    runner.execute()
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)

    outputs = [o for cell in nb.cells for o in cell.get("outputs", [])]
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert [e["ename"] for e in errors] == ["AuthenticationError"], [
        (e["ename"], e["evalue"]) for e in errors
    ]
    text = saved.read_text()
    assert "application/vnd.jupyter.widget-state+json" in text  # widget state was saved, and is searched
    assert "DEBUG" in text  # so were debug logs
    assert "(True, True)" in text  # the kernel did use the token
    channels.text("saved notebook", text)
    assert channels.files("notebook journal", home) > 5
