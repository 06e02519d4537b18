"""The sandbox's parts on their own: the job queue under concurrency, the server handle, doctests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from ideogram_widgets.sandbox._jobqueue import Job, JobQueue
from ideogram_widgets.sandbox._models import EDIT, REFRAME, check_input
from tests._timing import FakeClock, wait_until


def _queue(workers: int = 2, clock: Callable[[], float] = time.time) -> tuple[JobQueue, list[str]]:
    stored: list[str] = []

    def store(data: bytes, ttl: float) -> str:
        stored.append(data.decode())
        return f"{len(stored)}.png"

    return JobQueue(workers=workers, result_ttl=60.0, store_result=store, clock=clock), stored


def test_cancel_races_with_workers():
    queue, stored = _queue(workers=2)
    ids = [f"job-{i}" for i in range(300)]
    for request_id in ids:
        queue.submit(Job(request_id=request_id, model=EDIT, duration=0.0, work=request_id.encode))
    outcomes: dict[str, bool] = {}

    def cancel_some(part: list[str]) -> None:
        for request_id in part:
            result = queue.cancel(request_id)
            assert result is not None
            outcomes[request_id] = result[1]

    threads = [threading.Thread(target=cancel_some, args=(ids[i::3],)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        for request_id in ids:
            job = queue.wait_finished(request_id, timeout=10.0)
            assert job is not None
            if outcomes[request_id]:
                assert job.state == "cancelled"
                assert job.started_at is None
            else:
                assert job.state == "completed"
                assert job.started_at is not None
        # every job that was not cancelled ran exactly once
        assert sorted(stored) == sorted(r for r in ids if not outcomes[r])
        counts = queue.counts()
        assert counts["created"] == 300
        assert counts["jobs"]["completed"] + counts["jobs"]["cancelled"] == 300
    finally:
        queue.close()


def test_close_stops_workers_and_refuses_submits():
    # the clock stands still: the job is never due, so only close() can end its worker's wait
    queue, _ = _queue(workers=3, clock=FakeClock())
    queue.submit(Job(request_id="a", model=EDIT, duration=30.0, work=lambda: b"x"))
    wait_until(lambda: getattr(queue.get("a"), "state", "") == "in_progress", what="a worker to take the job")
    queue.close()
    assert not any(t.is_alive() for t in queue._threads)  # a running job does not hold close() up
    with pytest.raises(RuntimeError):
        queue.submit(Job(request_id="b", model=EDIT, duration=0.0))


def test_a_crashing_render_fails_the_job():
    queue, _ = _queue(workers=1)

    def boom() -> bytes:
        raise ValueError("broken pixels")

    queue.submit(Job(request_id="x", model=REFRAME, duration=0.0, work=boom))
    try:
        job = queue.wait_finished("x", timeout=5.0)
        assert job is not None
        assert job.state == "failed"
        assert job.error is not None
        assert "broken pixels" in job.error["message"]
    finally:
        queue.close()


def test_server_handle():
    with serve_in_thread(SandboxConfig(speed_scale=0.01)) as running:
        assert httpx.get(running.url + "/").status_code == 200
        queue = running.sandbox.queue
        queue.submit(Job(request_id="r", model=EDIT, duration=0.0, work=lambda: b"png"))
        assert queue.wait_finished("r", timeout=5.0) is not None
        threads = list(queue._threads)
        assert threads
    running.stop()  # again: harmless
    assert not running.thread.is_alive()
    assert not any(t.is_alive() for t in threads)
    with pytest.raises(httpx.TransportError):
        httpx.get(running.url + "/", timeout=2.0)


def test_schema_check_and_resolutions():
    assert check_input(EDIT, {"image": "a", "mask": "b", "prompt": ""}) == []
    assert check_input(EDIT, {"image": "a", "mask": "b", "prompt": "", "seed": 4.0}) == []
    assert check_input(REFRAME, {"image": "a", "resolution": "512:1536 (1:3)"}) == []
