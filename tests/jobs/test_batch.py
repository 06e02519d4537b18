"""Batches: bounded concurrency, input order, failures collected, results on disk, progress."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ideogram_widgets.api import EditInput, JobFailedError
from ideogram_widgets.jobs import JobManager, run_batch
from ideogram_widgets.jobs._progress import Counts, TextProgress, make_progress
from ideogram_widgets.sandbox import SandboxConfig
from tests._timing import FakeClock, GateClock

from .helpers import Inproc, counts, edit, until


async def test_results_in_input_order_with_bounded_concurrency(inproc: Inproc, tmp_path: Path) -> None:
    # the sandbox's time stands still until 3 jobs run at once (none can end before, however slowly the
    # batch's workers get to their submits), then runs as usual: the jobs end in their own durations
    clock = GateClock()
    client, app = inproc(SandboxConfig(speed_scale=0.05, workers=8, clock=clock))
    manager = JobManager(client)
    speeds = ["QUALITY", "TURBO", "BALANCED"] * 4  # finishing out of order
    peak = 0

    batch = run_batch(
        [edit(f"p{i}", speed=s) for i, s in enumerate(speeds)],
        concurrency=3,
        manager=manager,
        progress=False,
        out_dir=tmp_path / "out",
    )

    def watch(change: dict) -> None:
        nonlocal peak
        peak = max(peak, change["new"])

    batch.observe(watch, "running")
    await until(lambda: peak >= 3, what="3 items running at once")
    clock.release()
    app.state.sandbox.queue.poke()
    items = await batch
    assert peak == 3  # reached, and never more (with no bound, all 12 would be running by now)
    assert [i.index for i in items] == list(range(12))
    assert all(i.ok and i.state == "completed" for i in items)
    assert batch.completed == 12
    assert batch.failed == 0
    assert batch.done
    prompts = [app.state.sandbox.queue.get(i.request_id).prompt for i in items]
    assert prompts == [f"p{i}" for i in range(12)]
    assert [p.name for p in items[4].files] == ["00004.png"]
    manifest = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert sorted(m["index"] for m in manifest) == list(range(12))
    assert counts(client)["submit"] == 12
    assert batch.outputs[0] is not None
    assert batch.outputs[0].kept is None  # batches keep files, not images


async def test_failures_are_collected_and_the_batch_goes_on(inproc: Inproc) -> None:
    client, _ = inproc(SandboxConfig(speed_scale=0.02, fail_rate=0.4, seed=5, workers=4))
    batch = run_batch([edit(f"p{i}") for i in range(10)], concurrency=4, client=client, progress=False)
    items = await batch
    failed = batch.failures
    assert 0 < len(failed) < 10
    assert all(isinstance(i.error, JobFailedError) and i.state == "failed" for i in failed)
    assert batch.failed == len(failed)
    assert batch.completed == 10 - len(failed)
    assert [i.index for i in items] == list(range(10))


async def test_inputs_are_taken_lazily_and_bad_items_recorded(inproc: Inproc) -> None:
    client, _ = inproc()
    taken = 0

    def inputs() -> Iterator[EditInput | str]:
        nonlocal taken
        for i in range(6):
            taken += 1
            yield "not an input" if i == 2 else edit(f"p{i}")
        raise RuntimeError("the generator broke")

    batch = run_batch(inputs(), concurrency=2, client=client, progress=False)  # type: ignore[arg-type]
    assert taken == 0  # nothing read before the loop runs
    items = await batch
    assert len(items) == 7
    assert isinstance(items[2].error, TypeError)
    assert isinstance(items[6].error, RuntimeError)
    assert [i.ok for i in items] == [True, True, False, True, True, True, False]
    assert batch.total is None


async def test_stop_submits_nothing_more(inproc: Inproc) -> None:
    # a sandbox clock that never moves: no job can end, so no worker takes a third input before the stop
    client, _ = inproc(SandboxConfig(speed_scale=0.5, workers=2, clock=FakeClock()))
    batch = run_batch([edit(f"p{i}") for i in range(8)], concurrency=2, client=client, progress=False)

    # both submits on the wire (a job stopped before its task began would never send one)
    await until(lambda: batch.submitted == 2 and counts(client)["submit"] == 2)
    assert batch.stop()
    # a hang guard: a batch that went on submitting would wait for ever on jobs that cannot end
    items = await asyncio.wait_for(batch, 60)
    assert len(items) == 2
    assert counts(client)["submit"] == 2
    assert all(i.state == "stopped" for i in items)


def test_plain_script_batch_with_text_progress(sandbox_app, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from ideogram_widgets.api import AsyncClient

    app = sandbox_app(SandboxConfig(speed_scale=0.02, workers=4))
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=httpx.ASGITransport(app=app))
    batch = run_batch(
        (edit(f"p{i}") for i in range(5)), concurrency=2, client=client, progress="text", total=5
    )
    items = batch.wait(timeout=60)
    assert [i.ok for i in items] == [True] * 5, [(i.state, repr(i.error)) for i in items]
    assert "batch: 5/5 done, 0 running" in capsys.readouterr().err
    assert "5/5" in repr(batch)


def test_text_progress_throttles() -> None:
    out = io.StringIO()
    text = TextProgress(out, interval=60.0)
    text.update(Counts(3, 0, 0, 1, 0.0))
    text.update(Counts(3, 1, 0, 1, 0.1))  # throttled
    text.update(Counts(3, 3, 1, 0, 0.2), final=True)
    assert out.getvalue().splitlines() == [
        "batch: 0/3 done, 1 running, 0.0 s",
        "batch: 3/3 done (1 failed), 0 running, 0.2 s",
    ]


def test_make_progress_choices() -> None:
    assert type(make_progress(False, 3)).__name__ == "NoProgress"
    assert type(make_progress("auto", 3)).__name__ == "TextProgress"  # not in a kernel
    with pytest.raises(ValueError, match="progress"):
        make_progress("fancy", 3)
    with pytest.raises(ValueError, match="concurrency"):
        run_batch([], concurrency=0)
