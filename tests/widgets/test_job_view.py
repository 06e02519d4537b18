"""The job view and the Studio frame without a browser: one submit per intent, results that stay on view,
rows without a dead Cancel, one spelling of resolutions, Save and Copy as code (run in a fresh kernel),
the backend banner, keyboard-reachable sections, and no hard-coded colours."""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jupyter_client.manager import start_new_kernel
from PIL import Image

from ideogram_widgets.api import AsyncClient
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from ideogram_widgets.widgets import EditWidget, ReframeWidget
from ideogram_widgets.widgets._job_row import resolution_label
from ideogram_widgets.widgets._studio import REPEAT_WINDOW_S, backend_banner
from tests._sandbox_clock import finish as run_out
from tests._timing import FakeClock, wait_until_async

ROOT = Path(__file__).resolve().parents[2]
IMAGE = sample_image(240, 160)
MASK = np.zeros((160, 240), bool)
MASK[10:60, 170:230] = True


async def _until(condition: Callable[[], object], what: str, timeout: float = 20.0) -> None:
    await wait_until_async(condition, timeout=timeout, what=what)


def _edit(make_widget: Callable[..., Any], **options: Any) -> EditWidget:
    widget = make_widget(EditWidget, IMAGE, prompt="a moon", **options)
    widget.mask = MASK
    return widget


async def test_a_double_click_or_repeated_enter_sends_one_job_and_a_later_click_another(make_widget):
    widget = _edit(make_widget)
    widget.clock = clock = FakeClock(100.0)
    for _ in range(3):  # a double click and an Enter held down: every click reaches the kernel
        widget.submit_button.click()
    assert len(widget.jobs) == 1
    assert widget.ignored_clicks == 2
    await _until(lambda: widget.jobs[0].request_id, "the first submit answered")
    assert not widget.submit_button.disabled  # sending is over: Submit is back
    assert not widget.takes_a_click  # but a click this soon is still the same intent
    clock.now += REPEAT_WINDOW_S + 0.1  # a click on purpose, later
    assert widget.takes_a_click
    widget.submit_button.click()
    assert len(widget.jobs) == 2
    await asyncio.gather(*widget.jobs)


async def test_submit_is_held_while_the_submit_is_being_sent(make_widget):
    widget = _edit(make_widget)
    widget.clock = clock = FakeClock(100.0)
    widget.submit_button.click()
    assert widget.jobs[0].state == "submitting"
    assert widget.submit_button.disabled
    assert "sending" in widget.reason.value
    clock.now += 10  # however late: still the same intent while the first has not left
    widget.submit_button.click()
    assert len(widget.jobs) == 1
    await widget.jobs[0]


async def test_an_edit_shows_the_composite_with_the_service_output_one_toggle_away(make_widget):
    widget = _edit(make_widget)
    job = widget.submit()
    await job
    await _until(lambda: widget.panel.result_box.layout.display == "flex", "the result on view")
    panel = widget.panel
    shown = panel.shown()
    assert shown is not None
    composite = getattr(job.result, "composite", None)
    if composite is None:  # the jobs layer has no composite yet: the output is what there is
        assert shown.version == "output"
        assert panel.version.layout.display == "none"
    else:
        assert shown.version == "composite"
        panel.version.value = "output"
        now = panel.shown()
        assert now is not None
        assert now.version == "output"
    now = panel.shown()
    assert now is not None
    # the toggle's picture is read and encoded on a thread, then set on the loop
    await _until(lambda: bytes(panel.view.after) == now.data, "the chosen version on view")
    assert panel.view.after_alt.startswith("after #1")
    assert panel.view.before_alt.startswith("before #1")
    assert Image.open(__import__("io").BytesIO(bytes(panel.view.after))).size == IMAGE.size


async def test_finished_results_stay_on_view_when_a_newer_job_is_cancelled(tmp_path):
    # one worker and a sandbox clock that stands still until the test moves it: a queue forms, and a
    # running job stays running for as long as the test needs
    clock = FakeClock()
    # (the fixture's speed: a job's run time as the client learns it is the same as in the other tests)
    slow = serve_in_thread(SandboxConfig(speed_scale=0.05, workers=1, clock=clock))
    queue = slow.sandbox.queue

    async def finish(job: Any) -> None:
        """Run ``job`` to its end by the sandbox's clock, then wait until the widget's job has it."""
        await run_out(queue, clock, job)
        await asyncio.wait_for(asyncio.ensure_future(job), 30)

    try:
        widget = EditWidget(
            IMAGE,
            "first",
            client=AsyncClient(base_url=slow.url + "/v1"),
            journal=tmp_path,
            rendering_speed="TURBO",
        )
        widget.mask = MASK
        first = widget.submit()
        await _until(lambda: first.request_id, "the first job accepted")
        await finish(first)
        await _until(lambda: widget.panel.result_box.layout.display == "flex", "the first result")
        shown_before = bytes(widget.panel.view.after)
        widget.prompt = "second"
        widget.controls.speed.value = "QUALITY"
        blocker = widget.submit()  # runs, until the test moves the clock
        # the second submit is sent only once the first is accepted: the sandbox queues in arrival order
        await _until(lambda: blocker.request_id, "the second job accepted")
        queued = widget.submit()  # waits behind it
        await _until(lambda: queued.request_id, "the third job accepted (it waits behind the second)")
        assert queued.state in ("submitted", "in_queue")
        row = widget.panel.rows.children[0]
        assert row.job is queued
        assert row.cancel.layout.display != "none"
        row.cancel.click()
        with pytest.raises(Exception, match="cancelled"):
            await asyncio.wait_for(asyncio.ensure_future(queued), 30)  # a cancel that failed: never ends
        assert widget.panel.result_box.layout.display == "flex"
        assert bytes(widget.panel.view.after) == shown_before  # still the first job's result
        assert row.cancel.layout.display == "none"  # a finished row has no Cancel
        assert blocker.state != "completed"  # the clock has not moved: it still runs
        await finish(blocker)
        done_row = widget.panel.rows.children[1]
        assert done_row.job is blocker
        assert done_row.cancel.layout.display == "none"
    finally:
        slow.stop()


def test_resolutions_are_written_one_way():
    assert resolution_label("768:1344 (4:7)") == "768×1344 (4:7)"
    assert resolution_label("768x1344") == "768×1344 (4:7)"
    assert resolution_label("not a size") == "not a size"


async def test_a_reframe_row_and_caption_use_the_same_spelling(make_widget):
    widget = make_widget(ReframeWidget, IMAGE, resolution="768x1344")
    job = widget.submit()
    await job
    await _until(lambda: widget.panel.result_box.layout.display == "flex", "the result")
    row = widget.panel.rows.children[0]
    assert "768×1344 (4:7)" in row.detail.value
    assert "768×1344 (4:7)" in widget.panel.result_caption.value
    assert "768×1344 (4:7)" in widget.preview.caption.value
    assert ":1344" not in widget.panel.result_caption.value + row.detail.value


async def test_save_result_writes_the_bytes_that_save_downloads(make_widget, tmp_path):
    widget = _edit(make_widget)
    await widget.submit()
    await _until(lambda: widget.panel.result_box.layout.display == "flex", "the result")
    path = widget.save_result(tmp_path / "mine.png")
    assert path is not None
    assert path.read_bytes() == bytes(widget.panel.view.after)
    assert widget.panel.view.filename.endswith(".png")
    assert widget.save_result(tmp_path / "no" / "such" / "dir.png") is None
    assert "could not save" in widget.panel.message.value


def test_the_banner_names_every_backend_that_is_not_the_hosted_service(monkeypatch):
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    assert "127.0.0.1:9" in backend_banner(AsyncClient(base_url="http://127.0.0.1:9/v1"))
    assert "on this machine" in backend_banner(AsyncClient(base_url="http://localhost:9/v1"))
    other = backend_banner(AsyncClient("t", base_url="https://proxy.example.org/v1"))
    assert "https://proxy.example.org/v1" in other
    assert "not the hosted RunComfy service" in other
    assert backend_banner(AsyncClient("t")) == ""


def test_an_external_sandbox_shows_the_banner(sandbox_url, tmp_path):
    widget = EditWidget(IMAGE, client=AsyncClient(base_url=sandbox_url + "/v1"), journal=tmp_path)
    assert widget.banner.layout.display == "block"
    assert sandbox_url in widget.banner.value


def test_style_and_palette_are_buttons_that_open_their_sections(make_widget):
    widget = _edit(make_widget)
    style, palette = widget.controls.sections
    assert not style.is_open
    assert style.body.layout.display == "none"
    style.toggle.value = True  # what Enter or Space on the focused button does
    assert style.body.layout.display == "flex"
    assert style.toggle.description.endswith("Style")
    assert palette.toggle.description.endswith("Colour palette")
    assert widget.controls.style.style_type.value == ""  # "none" shows, never a blank box
    assert widget.controls.style.value() is None


def test_no_widget_text_carries_a_hard_coded_colour(make_widget):
    widget = _edit(make_widget)
    html = [
        str(getattr(c, "value", ""))
        for c in _all_widgets(widget)
        if isinstance(getattr(c, "value", None), str)
    ]
    assert not [h for h in html if re.search(r"(?<!background:)(?<![-\w])color:\s*#", h)]


async def test_copy_as_code_runs_by_itself_in_a_fresh_kernel_naming_the_users_file(sandbox_url, tmp_path):
    source = tmp_path / "my photo.png"
    IMAGE.save(source)
    widget = EditWidget(
        str(source), "a moon", client=AsyncClient(base_url=sandbox_url + "/v1"), journal=tmp_path / "j"
    )
    widget.mask = MASK
    await widget.submit()
    await _until(lambda: widget.panel.view.code, "the code")
    code = widget.panel.view.code
    assert repr(str(source.resolve())) in code  # the user's own file, not a hashed journal copy
    assert "the mask: the copy kept in the journal" in code
    env = dict(os.environ)
    env.pop("RUNCOMFY_API_TOKEN", None)
    env["IDEOGRAM_WIDGETS_HOME"] = str(tmp_path / "fresh-home")
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(tmp_path))
    try:
        errors: list[str] = []
        reply = client.execute_interactive(
            code + "\nprint(output.image.size)",
            timeout=120,
            output_hook=lambda m: (
                errors.append(m["content"].get("evalue", "")) if m["msg_type"] == "error" else None
            ),
        )
        assert reply["content"]["status"] == "ok", errors
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _all_widgets(root):
    seen: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if any(node is s for s in seen):
            continue
        seen.append(node)
        stack.extend(getattr(node, "children", ()))
    return seen


async def test_the_job_views_observers_leave_file_reading_and_encoding_to_a_thread(make_widget, monkeypatch):
    """The poller fires the view's observers on the kernel's loop: they must return at once. The result's
    file reading is held on a gate here; if it ran in an observer it would hold the loop, which is
    counted (not timed) while it waits."""
    from ideogram_widgets.widgets import _compare as compare
    from ideogram_widgets.widgets import _job_view as job_view

    loop_thread = threading.current_thread()
    gate = threading.Event()
    on_loop: list[str] = []
    off_loop: list[str] = []

    def watched(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is loop_thread:
                on_loop.append(name)
            else:
                off_loop.append(name)
                assert gate.wait(30), "the test never opened the gate"
            return real(*args, **kwargs)

        return run

    real_init = job_view.ShownResult.__init__
    monkeypatch.setattr(job_view.ShownResult, "__init__", watched("read the result", real_init))
    monkeypatch.setattr(job_view, "encode_png", watched("encode a thumbnail", vars(job_view)["encode_png"]))
    monkeypatch.setattr(compare, "encode_png", watched("encode the before", vars(compare)["encode_png"]))
    widget = _edit(make_widget)
    job = widget.submit()
    await job  # the poller set done/result: the observers have run
    ticks = 0

    def tick() -> bool:
        nonlocal ticks
        ticks += 1
        return bool(off_loop)

    await _until(tick, "the result being read on a thread")
    ticks_while_held = ticks
    await _until(lambda: tick() and ticks > ticks_while_held + 3, "the loop to go on while it is held")
    assert widget.panel.view.after == b""  # nothing on view yet: the thread holds it
    assert widget.panel.result_box.layout.display == "none"
    gate.set()
    await _until(lambda: widget.panel.result_box.layout.display == "flex", "the result on view")
    await _until(lambda: widget.panel.strip.children, "the thumbnail in the history strip")
    assert on_loop == []
    assert {"read the result", "encode the before", "encode a thumbnail"} <= set(off_loop)


async def test_the_job_states_from_the_poller_never_recheck_the_input(make_widget, monkeypatch):
    """Checking the input means checking the mask (about 100 ms on a 12 MP photo): a job's states,
    set by the poller on the kernel's loop, only bring "sending…" up to date; they never re-check."""
    widget = _edit(make_widget)
    built: list[bool] = []
    real = widget.build_input

    def counted(*, new_seed: bool) -> Any:
        built.append(new_seed)
        return real(new_seed=new_seed)

    monkeypatch.setattr(widget, "build_input", counted)
    widget.submit_button.click()
    (job,) = widget.jobs
    assert widget.submit_button.disabled  # sending…
    states: list[str] = []
    job.observe(lambda change: states.append(change.new), "state")
    await job
    assert len(states) >= 2  # the poller did move the job through its states
    assert built == [True]  # the submit's own input; no re-check since
    assert not widget.submit_button.disabled
    assert "sending" not in widget.reason.value
