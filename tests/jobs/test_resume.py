"""resume() and history(): re-attach after a restart, never submit again."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ideogram_widgets.api import NotFoundError, SubmitUncertainError
from ideogram_widgets.jobs import JobManager, Output, PollingStoppedError, history, resume, stop_all
from ideogram_widgets.sandbox import SandboxConfig
from tests._sandbox_clock import finish
from tests._timing import FakeClock, GateClock

from .helpers import Inproc, counts, edit, until


async def test_stopped_jobs_are_resumed_without_a_new_submit(inproc: Inproc, home: Path) -> None:
    clock = GateClock()  # the sandbox's time stands still until every job is stopped here: none ends before
    client, app = inproc(SandboxConfig(speed_scale=0.5, workers=2, clock=clock))
    manager = JobManager(client)
    jobs = [manager.submit(edit(f"p{i}")) for i in range(5)]
    await until(lambda: all(j.request_id for j in jobs))
    assert stop_all() >= 5
    for job in jobs:
        with pytest.raises(PollingStoppedError, match="resume"):
            await job
    assert [j.state for j in jobs] == ["stopped"] * 5
    clock.release()  # from here the jobs run their 0.5 s each, while nobody follows them
    app.state.sandbox.queue.poke()

    again = resume(manager=JobManager(client))  # as a fresh kernel would, with the same journal
    assert sorted(j.request_id for j in again) == sorted(j.request_id for j in jobs)
    outputs = await asyncio.gather(*again)
    assert all(isinstance(o, Output) and o.path.is_file() for o in outputs)
    assert counts(client)["submit"] == 5
    assert app.state.sandbox.stats()["created"] == 5
    assert resume(manager=JobManager(client)) == []  # nothing left to do
    records = history()
    assert [r.request_id for r in records] == [j.request_id for j in reversed(again)]
    assert all(r.state == "completed" and r.downloaded and r.finished for r in records)
    assert records[0].images[0].size == (48, 40)


async def test_resume_downloads_what_completed_while_nobody_watched(inproc: Inproc) -> None:
    clock = FakeClock()  # the job cannot end before it is stopped here, however late the stop comes
    client, app = inproc(SandboxConfig(speed_scale=0.05, clock=clock))
    manager = JobManager(client)
    job = manager.submit(edit())
    await until(lambda: bool(job.request_id))
    job.stop()
    finished = await finish(app, clock, job)  # it runs its own length by the sandbox's clock
    assert finished.state == "completed"
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    assert entry["state"] != "completed"
    (again,) = resume(manager=JobManager(client))
    output = await again
    assert output.path.is_file()
    assert again.state == "completed"
    assert counts(client)["submit"] == 1


async def test_a_completed_but_undownloaded_entry_gets_fresh_urls(inproc: Inproc) -> None:
    client, _ = inproc()
    manager = JobManager(client)
    job = manager.submit(edit())
    await job
    entry = manager.journal.read(job.job_id)
    assert entry is not None
    less_final = {**entry, "downloaded": False, "files": [], "urls": ["http://sandbox/files/old.png"]}
    assert not manager.journal.write(less_final)  # never less final than what is recorded...
    manager.journal.remove([job.job_id])
    assert manager.journal.write(less_final)  # ...unless the entry is replaced on purpose
    (again,) = resume(manager=JobManager(client))
    output = await again
    assert output.path.is_file()
    assert counts(client)["result"] == 2  # asked again for the (fresh) URLs


EDIT_MODEL = "ideogram/ideogram-v3/edit"


def _sent(job_id: str, request_id: str, base_url: str, state: str, **fields: Any) -> dict[str, Any]:
    """A journal entry of a job the service took (it has a request id) on ``base_url``."""
    entry = {"id": job_id, "request_id": request_id, "base_url": base_url, "state": state, "created_at": 1.0}
    return {**entry, **fields}


async def test_an_unknown_request_ends_expired(inproc: Inproc) -> None:
    client, _ = inproc()
    manager = JobManager(client)
    manager.journal.write(
        _sent("20250101T000000-gone", "no-such-request", client.base_url, "in_progress", model_id=EDIT_MODEL)
    )
    (job,) = resume(manager=manager)
    with pytest.raises(NotFoundError):
        await job
    assert job.state == "expired"
    assert manager.journal.read(job.job_id)["state"] == "expired"  # type: ignore[index]
    assert resume(manager=manager) == []


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def test_mid_submit_entries_of_dead_processes_are_closed_not_resent(inproc: Inproc) -> None:
    client, _ = inproc()
    manager = JobManager(client)
    host = socket.gethostname()
    common = {"model_id": "ideogram/ideogram-v3/edit", "base_url": client.base_url, "label": "sandbox"}
    dead = {"pid": _dead_pid(), "host": host}
    manager.journal.write({"id": "a-dead", "created_at": 1.0, "owner": dead, "state": "sent", **common})
    manager.journal.write(
        {
            "id": "b-alive",
            "created_at": 2.0,
            "owner": {"pid": 1, "host": host},
            "state": "submitting",
            **common,
        }
    )
    manager.journal.write({"id": "c-dead", "created_at": 3.0, "owner": dead, "state": "sending", **common})
    report = resume(manager=manager)
    assert [j.job_id for j in report] == ["a-dead"]  # its bytes may have reached the service
    with pytest.raises(SubmitUncertainError, match="not resent") as raised:
        await report[0]
    assert "sandbox" in str(raised.value)
    assert "RunComfy" not in str(raised.value)
    assert [r.job_id for r in report.not_sent] == ["c-dead"]  # certainly never left: nothing paid
    assert [(r.job_id, why) for r, why in report.left if r.job_id == "b-alive"] == [
        ("b-alive", f"followed by process 1 on {host}")
    ]
    assert "not sent" in repr(report)
    assert "followed by" in repr(report)
    assert counts(client)["submit"] == 0
    assert manager.journal.read("a-dead")["state"] == "failed"  # type: ignore[index]
    assert manager.journal.read("b-alive")["state"] == "submitting"  # type: ignore[index]
    assert manager.journal.read("c-dead")["state"] == "not_sent"  # type: ignore[index]
    assert manager.journal.read("c-dead")["error"]["type"] == "JobNotSentError"  # type: ignore[index]
    assert resume(manager=manager) == []


async def test_entries_of_another_backend_are_left_alone(inproc: Inproc) -> None:
    client, _ = inproc()
    manager = JobManager(client)
    manager.journal.write(_sent("x", "r", "https://elsewhere/v1", "in_queue"))
    report = resume(manager=manager)
    assert report == []
    assert [(r.job_id, why.split("):")[0]) for r, why in report.left] == [
        ("x", "another backend (https://elsewhere/v1")
    ]
    assert [r.job_id for r in history(unfinished=True)] == ["x"]


async def test_resume_leaves_jobs_this_process_follows(inproc: Inproc) -> None:
    clock = FakeClock()  # the job is still running when resume() looks (a finished one proves nothing)
    client, app = inproc(SandboxConfig(speed_scale=0.3, clock=clock))
    manager = JobManager(client)
    job = manager.submit(edit())
    await until(lambda: bool(job.request_id))
    assert resume(manager=manager) == []
    assert not job.done
    await finish(app, clock, job)
    await asyncio.wait_for(job, 60)  # a hang guard


def test_history_limit_and_repr(home: Path) -> None:
    from ideogram_widgets.jobs import Journal

    journal = Journal(home)
    for i in range(3):
        journal.write(
            {
                "id": f"j{i}",
                "created_at": float(i),
                "state": "failed",
                "model_id": "ideogram/ideogram-v3/edit",
                "params": {"prompt": f"p{i}"},
                "error": {"type": "JobFailedError", "message": "nope"},
            }
        )
    records = history(limit=2)
    assert [r.job_id for r in records] == ["j2", "j1"]
    assert "nope" in repr(records[0])
    assert records[0].error_type == "JobFailedError"
    assert records[0].prompt == "p2"


async def test_a_job_that_expired_while_nobody_watched_ends_expired(inproc: Inproc) -> None:
    clock = FakeClock()  # the sandbox's time: the job's duration and the result's expiry
    client, app = inproc(SandboxConfig(speed_scale=0.02, result_ttl=0.3, clock=clock))
    manager = JobManager(client)
    job = manager.submit(edit())
    await until(lambda: bool(job.request_id))
    job.stop()
    # it finished, and its result expired, while no one followed it
    finished = await finish(app, clock, job)  # it runs its own length by the sandbox's clock
    assert finished.state == "completed"
    clock.now += 1.0  # past the 0.3 s the result is kept
    (again,) = resume(manager=JobManager(client))
    with pytest.raises(NotFoundError, match="expired"):
        await again
    assert again.state == "expired"
    assert resume(manager=JobManager(client)) == []
