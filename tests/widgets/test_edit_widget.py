"""EditWidget without a browser: validation that says why, background submits, results, errors."""

from __future__ import annotations

import asyncio
import io
import json

import numpy as np
import pytest
from PIL import Image

from ideogram_widgets.api import AsyncClient, InputError
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import RunningSandbox, SandboxConfig, serve_in_thread
from ideogram_widgets.widgets import EditWidget
from tests._sandbox_clock import finish
from tests._timing import FakeClock, wait_until_async

IMAGE = sample_image(240, 160)
MASK = np.zeros((160, 240), bool)
MASK[10:60, 170:230] = True


@pytest.fixture
def widget(make_widget):
    return make_widget(EditWidget, IMAGE)


def browser_mask(widget: EditWidget, mask: np.ndarray) -> None:
    """What the browser sends at the end of a stroke: the PNG (binary buffer) and a newer version."""
    buf = io.BytesIO()
    Image.fromarray(mask.astype(np.uint8) * 255, "L").save(buf, "PNG")
    state = {"mask_version": widget.painter.mask_version + 1, "coverage": float(mask.mean())}
    widget.painter._handle_msg(
        {
            "content": {
                "data": {
                    "method": "update",
                    "state": {**state, "mask_png": None},
                    "buffer_paths": [["mask_png"]],
                }
            },
            "buffers": [memoryview(buf.getvalue())],
        }
    )


def test_submit_is_disabled_and_says_why_until_the_input_is_valid(widget):
    assert widget.submit_button.disabled
    assert "mask" in widget.reason.value  # nothing painted yet
    browser_mask(widget, MASK)
    assert widget.submit_button.disabled
    assert "prompt is empty" in widget.reason.value
    widget.prompt = "a crescent moon"
    assert not widget.submit_button.disabled
    assert widget.reason.value == ""
    browser_mask(widget, np.ones_like(MASK))
    assert widget.submit_button.disabled
    assert "whole image" in widget.reason.value


def test_a_bad_submit_from_python_raises_and_shows_next_to_its_control(widget):
    widget.mask = MASK
    with pytest.raises(InputError, match="prompt"):
        widget.submit()
    assert "prompt is empty" in widget.controls.errors["prompt"].value
    widget.prompt = "x"
    widget.controls.style.style_type.value = "AUTO"
    widget.controls.style.codes.value = "0A1B2C3D"
    with pytest.raises(InputError, match="style_codes"):
        widget.submit()
    assert "style_codes" in widget.controls.errors["style"].value
    assert "Traceback" not in widget.controls.errors["style"].value


def test_a_mask_of_the_wrong_size_is_refused_with_both_sizes(widget):
    with pytest.raises(InputError):
        widget.mask = np.ones((10, 10), bool)
    assert "10×10" in widget.mask_error.value
    assert "240×160" in widget.mask_error.value


async def test_the_edit_changes_only_the_masked_pixels(widget):
    widget.mask = MASK
    widget.prompt = "a crescent moon"
    job = widget.submit()
    assert job.state == "submitting"
    await job
    result = np.asarray(widget.result.convert("RGB"))
    before = np.asarray(IMAGE)
    assert np.array_equal(result[~MASK], before[~MASK])
    assert (result[MASK] != before[MASK]).any()


async def test_submitting_again_while_earlier_jobs_run_and_cancelling_the_queued_one(tmp_path):
    # one worker, and a sandbox clock that stands still until the test moves it: the first job runs
    # (in_progress) for as long as the test needs, so the second surely waits queued behind it
    clock = FakeClock()
    # (the fixture's speed: a job's run time as the client learns it is the same as in the other tests)
    slow = serve_in_thread(SandboxConfig(speed_scale=0.05, workers=1, clock=clock))
    widget = EditWidget(
        IMAGE, client=AsyncClient(base_url=slow.url + "/v1"), journal=tmp_path, rendering_speed="TURBO"
    )
    try:
        await _two_jobs_cancel_the_second(widget, slow, clock)
    finally:
        slow.stop()


async def _two_jobs_cancel_the_second(widget: EditWidget, slow: RunningSandbox, clock: FakeClock) -> None:
    queue = slow.sandbox.queue
    widget.mask = MASK
    widget.prompt = "first"
    first = widget.submit()
    # the first reaches the service (a trait set by the background task)
    await wait_until_async(lambda: first.request_id, what="the first job's request id")
    widget.prompt = "second"
    second = widget.submit()  # the first is still running: nothing blocks
    await wait_until_async(lambda: second.request_id, what="the second job's request id")
    assert first.state != "completed"  # the sandbox's clock has not moved: the first cannot be done
    row = widget.panel.rows.children[0]
    assert row.job is second
    assert not row.cancel.disabled
    row.cancel.click()
    with pytest.raises(Exception, match="cancelled"):
        await asyncio.wait_for(asyncio.ensure_future(second), 30)  # a cancel that failed: never ends
    assert first.state != "completed"
    # now let the first one finish: the clock moves to its due time once the worker has started it
    await finish(queue, clock, first)
    await asyncio.wait_for(asyncio.ensure_future(first), 30)
    assert second.state == "cancelled"
    assert "cancelled" in row.status.value
    assert first.state == "completed"
    assert [j.params["prompt"] for j in widget.jobs] == ["first", "second"]


async def test_use_as_input_continues_from_the_result(widget):
    widget.mask = MASK
    widget.prompt = "x"
    await widget.submit()
    # None until the panel shows the result (its last update may follow the await by a tick)
    await wait_until_async(widget.panel.use_as_input, what="the result to use as input")
    assert np.array_equal(np.asarray(widget.painter.image), np.asarray(widget.result))
    assert widget.painter.coverage == 0.0  # a fresh mask for the next edit
    assert widget.submit_button.disabled


def test_a_token_never_reaches_widget_state(widget, monkeypatch, tmp_path):
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    own = EditWidget(IMAGE, journal=tmp_path)
    own.token._receive(own.token, {"type": "set_token", "token": "tok-SECRET-42"}, [])
    assert own.manager.client.has_token
    states = [json.dumps(child.get_state(), default=str) for child in _all_widgets(own)]
    assert not any("tok-SECRET-42" in s for s in states)


def _all_widgets(root):
    seen, stack = [], [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.append(node)
        stack.extend(getattr(node, "children", ()))
    return seen
