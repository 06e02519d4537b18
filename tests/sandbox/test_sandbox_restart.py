"""The sandbox outlives its process: with a ``state_dir`` its queue, jobs and result files are on disk,
and its jobs go on by the wall clock while nobody serves them (issue 10, item 6).

The schedule is checked with a fake clock (deterministic: no test waits for a job's real duration);
the whole restart over real HTTP with a SIGKILLed sandbox process, against a reference run of the same
input and seed.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig, create_app, serve_in_process, serve_in_thread
from tests._timing import FakeClock

from .helpers import REFRAME, RawClient, data_uri, scene

BODY: dict[str, Any] = {"image": data_uri(scene(48, 32)), "resolution": "1024:1024 (1:1)", "seed": 7}
TURBO = dict(BODY, rendering_speed="TURBO")  # 1 s × speed_scale


class Served:
    """A sandbox on ``state_dir`` served over HTTP in a thread, with a RawClient on it."""

    def __init__(self, state_dir: Path, clock: FakeClock, workers: int = 1) -> None:
        config = SandboxConfig(workers=workers, speed_scale=1.0, state_dir=str(state_dir), clock=clock)
        self.running = serve_in_thread(config)
        self.sandbox = self.running.sandbox
        self.queue = self.sandbox.queue
        self.raw = RawClient(self.running.url)

    def close(self) -> None:
        self.raw.close()
        self.running.stop()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    opened: list[Served] = []

    def start(clock: FakeClock, workers: int = 1) -> Served:
        opened.append(Served(tmp_path / "state", clock, workers))
        return opened[-1]

    yield start
    for served in opened:
        served.close()


def test_a_job_that_came_due_while_down_is_completed_and_dated_when_it_came_due(serve: Any) -> None:
    clock = FakeClock(1_000_000.0)
    first = serve(clock)
    rid = first.raw.submit(REFRAME, TURBO)
    assert first.raw.wait(rid, until={"in_progress"}) == "in_progress"  # its 1 s never passes here
    first.close()  # the process goes away with the job running
    clock.now += 60
    second = serve(clock)
    assert second.raw.wait(rid, timeout=30) == "completed"
    answer = second.raw.result(rid)
    assert answer["finished_at"].startswith("1970-01-12T13:46:41")  # created + 1 s, not the restart
    png = second.raw.http.get(httpx.URL(answer["output"]["image"]).path)
    assert png.status_code == 200
    assert png.content.startswith(b"\x89PNG")


def test_the_queue_goes_on_by_a_virtual_schedule_across_the_restart(serve: Any) -> None:
    clock = FakeClock(1_000_000.0)
    first = serve(clock, workers=1)
    ids = [first.raw.submit(REFRAME, TURBO) for _ in range(3)]  # 1 s each, one worker
    first.raw.wait(ids[0], until={"in_progress"})
    assert [first.raw.status(r)["status"] for r in ids] == ["in_progress", "in_queue", "in_queue"]
    first.close()
    clock.now += 1.5  # by now: the first done (at +1), the second running since +1, the third waiting
    second = serve(clock, workers=1)
    assert second.raw.wait(ids[0], timeout=30) == "completed"
    assert second.raw.status(ids[1])["status"] == "in_progress"
    third = second.raw.status(ids[2])
    assert third["status"] == "in_queue"
    assert third["queue_position"] == 0
    clock.now += 0.5  # the second's due time
    second.queue.poke()
    assert second.raw.wait(ids[1], timeout=30) == "completed"
    second.raw.wait(ids[2], until={"in_progress"})  # started by the clock as it is now
    clock.now += 1.0
    second.queue.poke()
    assert second.raw.wait(ids[2], timeout=30) == "completed"


def test_results_are_served_again_until_they_expire(serve: Any) -> None:
    clock = FakeClock(1_000_000.0)
    first = serve(clock)
    rid = first.raw.submit(REFRAME, TURBO)
    first.raw.wait(rid, until={"in_progress"})  # started by the clock as it is now
    clock.now += 1
    first.queue.poke()
    assert first.raw.wait(rid, timeout=30) == "completed"
    url = httpx.URL(first.raw.result(rid)["output"]["image"]).path
    png = first.raw.http.get(url).content
    first.close()
    second = serve(clock)
    assert second.raw.http.get(url).content == png  # the same file, from the disk
    assert second.sandbox.stats()["jobs"]["completed"] == 1
    clock.now += 3600  # result_ttl
    third = serve(clock)
    assert third.raw.http.get(f"/v1/requests/{rid}/status").status_code == 404
    assert not list(third.sandbox.store.jobs.glob(f"{rid}*"))


def test_a_cancelled_job_stays_cancelled(serve: Any) -> None:
    clock = FakeClock(1_000_000.0)
    first = serve(clock, workers=1)
    running, queued = first.raw.submit(REFRAME, TURBO), first.raw.submit(REFRAME, TURBO)
    assert first.raw.cancel(queued)["outcome"] == "cancelled"
    first.close()
    clock.now += 10
    second = serve(clock, workers=1)
    assert second.raw.status(queued)["status"] == "cancelled"
    assert second.raw.wait(running, timeout=30) == "completed"


def test_an_unreadable_record_is_skipped_and_the_rest_restored(serve: Any, tmp_path: Path) -> None:
    clock = FakeClock(1_000_000.0)
    first = serve(clock)
    rid = first.raw.submit(REFRAME, TURBO)
    first.close()
    jobs = tmp_path / "state" / "jobs"
    (jobs / "broken.json").write_text('{"request_id": "broken", "created_at": "yesterday"}')
    (jobs / "worse.json").write_text("[" * 100_000)
    (jobs / "wrong-types.json").write_text(
        '{"request_id": "wrong-types", "created_at": 1, "state": "in_queue", "duration": "long"}'
    )
    clock.now += 5
    second = serve(clock)
    assert second.raw.wait(rid, timeout=30) == "completed"
    assert second.raw.http.get("/v1/requests/broken/status").status_code == 404


def test_without_a_state_dir_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = create_app(SandboxConfig(speed_scale=0.01))
    try:
        assert app.state.sandbox.store is None
    finally:
        app.state.sandbox.close()
    assert not list(tmp_path.iterdir())


# -------------------------------------------------------------------------------- a real process, killed


def test_a_killed_sandbox_process_finishes_its_job_after_a_restart(tmp_path: Path) -> None:
    state = str(tmp_path / "state")
    with serve_in_process(SandboxConfig(speed_scale=0.01)) as reference, RawClient(reference.url) as raw:
        expected = raw.download(raw.run(REFRAME, BODY)["output"]["image"])
    # BALANCED: 4 s, seconds more than a submit and a status take on a loaded machine, so the job is
    # unfinished when the process is killed (another process: no fake clock). The restart takes most of
    # those 4 s anyway: they cost ~2 s of the test's time.
    config = SandboxConfig(speed_scale=2.0, state_dir=state)
    first = serve_in_process(config)
    with RawClient(first.url) as raw:
        rid = raw.submit(REFRAME, BODY)
        assert raw.status(rid)["status"] in ("in_queue", "in_progress")
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait()
    first.stop()
    started = time.monotonic()
    with serve_in_process(config) as second, RawClient(second.url) as raw:
        ready = time.monotonic() - started
        assert raw.wait(rid, timeout=30) == "completed"
        done = time.monotonic() - started
        url = raw.result(rid)["output"]["image"]
        assert url.startswith(second.url)  # served by the new process, on its own port
        assert raw.download(url) == expected  # the same pixels as an uninterrupted run
    print(f"\nrestart: new process ready in {ready:.2f} s, job completed {done:.2f} s after the kill")


def test_two_sandboxes_on_one_folder_share_jobs_and_take_over_a_dead_ones(tmp_path: Path) -> None:
    """Two kernels on one home: each embedded sandbox shows the other's jobs as that one recorded them,
    runs none of them while their process lives, and takes them over once it is gone."""
    state = str(tmp_path / "state")
    # another process: no fake clock. QUALITY: 4 s, seconds more than a submit and a status take on a
    # loaded machine, so the other process still runs it when ours is asked; TURBO: 1 s for the orphan
    other = serve_in_process(SandboxConfig(speed_scale=1.0, state_dir=state))
    mine = serve_in_thread(SandboxConfig(speed_scale=1.0, state_dir=state))
    try:
        with RawClient(other.url) as theirs, RawClient(mine.url) as ours:
            shown = theirs.submit(REFRAME, dict(BODY, rendering_speed="QUALITY"))
            assert ours.status(shown)["status"] in ("in_queue", "in_progress")  # not 404: read from disk
            assert mine.sandbox.stats()["jobs"]["in_progress"] == 0  # shown, not run here
            assert theirs.wait(shown, timeout=30) == "completed"
            assert ours.wait(shown, timeout=30) == "completed"  # as the other process recorded it
            png = ours.download(ours.result(shown)["output"]["image"])  # its file, served here
            assert png == theirs.download(theirs.result(shown)["output"]["image"])
            orphan = theirs.submit(REFRAME, dict(BODY, rendering_speed="TURBO", seed=8))
            os.kill(other.process.pid, signal.SIGKILL)
            other.process.wait()
            assert ours.wait(orphan, timeout=30) == "completed"  # taken over: its process is gone
            assert ours.download(ours.result(orphan)["output"]["image"]).startswith(b"\x89PNG")
    finally:
        other.stop()
        mine.stop()
