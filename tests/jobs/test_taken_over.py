"""A job another process took over: this process adopts what the journal says and stops, losing nothing.

Process B is played here by a second Journal on the same folder with another owner (the SQL, the leases
and the job at the sandbox are real): it takes the job over once this process's lease counts as stale,
then records its outcome. This process's next write is refused and it shows B's outcome instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ideogram_widgets.api import JobFailedError
from ideogram_widgets.jobs import Job, JobManager, Journal, PollingStoppedError
from ideogram_widgets.jobs._owner import Owner
from ideogram_widgets.sandbox import SandboxConfig
from tests._timing import FakeClock

from .helpers import Inproc, counts, edit, read, until

OTHER = Owner("another-host", 4242, "1")


async def _running(inproc: Inproc, home: Path) -> tuple[JobManager, Job, Any, Callable[[], None]]:
    """A job seen in progress here; it stays so (the sandbox's clock stands still) until ``end()`` moves the
    clock past its 2 s, which the tests call once the other process has taken it over."""
    clock = FakeClock()
    client, app = inproc(SandboxConfig(speed_scale=0.5, workers=1, clock=clock))  # QUALITY: 2 s
    manager = JobManager(client, journal=Journal(home))
    job = manager.submit(edit("taken over", speed="QUALITY"))
    await until(lambda: job.state == "in_progress", timeout=30)  # so in progress at the sandbox too

    def end() -> None:
        clock.now += 10.0
        app.state.sandbox.queue.poke()

    return manager, job, client, end


def _take_over(home: Path, job: Job, **outcome: Any) -> dict[str, Any]:
    other = Journal(home, lease=0.0)  # counts this process's heartbeat as stale: takes the job at once
    assert other.claim(job.job_id, OTHER) == (True, "")
    entry = {**other.read(job.job_id), **outcome}  # type: ignore[dict-item]
    assert other.write(entry, owner=OTHER)
    return entry


async def test_a_result_another_process_downloaded_is_shown_not_fetched_again(
    inproc: Inproc, home: Path
) -> None:
    manager, job, client, end = await _running(inproc, home)
    picture = io.BytesIO()
    Image.new("RGB", (8, 6), "purple").save(picture, "PNG")
    ref = Journal(home).store_result(picture.getvalue())
    _take_over(home, job, state="completed", downloaded=True, files=[ref], urls=["https://b/1.png"])
    end()  # this process sees it completed and would download it, but the journal has B's word
    output = await job
    assert job.state == "completed"
    assert output.paths == (home / ref["path"],)
    assert output.image.size == (8, 6)  # B's file, not a download of this process
    assert counts(client)["files"] == 0
    entry = read(manager, job)
    assert entry["owner"]["pid"] == 4242  # the journal still says B has it, downloaded
    assert entry["downloaded"] is True


async def test_a_failure_another_process_recorded_is_adopted_typed(inproc: Inproc, home: Path) -> None:
    manager, job, _, end = await _running(inproc, home)
    error = {
        "type": "JobFailedError",
        "message": "the job failed: B saw it fail",
        "request_id": job.request_id,
    }
    _take_over(home, job, state="failed", error=error)
    end()
    with pytest.raises(JobFailedError, match="B saw it fail"):
        await job
    assert job.state == "failed"
    assert read(manager, job)["state"] == "failed"


async def test_a_job_another_process_follows_now_is_let_go_here(inproc: Inproc, home: Path) -> None:
    manager, job, _, end = await _running(inproc, home)
    _take_over(home, job, state="in_progress")  # B follows it now; the entry stays open
    end()
    with pytest.raises(PollingStoppedError, match="process 4242 on another-host follows this job now"):
        await job
    assert job.state == "stopped"
    entry = read(manager, job)
    assert entry["owner"]["pid"] == 4242
    assert entry["state"] == "in_progress"  # B's word, not overwritten by this process
