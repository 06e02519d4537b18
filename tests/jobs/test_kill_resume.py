"""A process that submitted jobs is killed with SIGKILL; a new process's resume() recovers every job and
result, and submits nothing again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from ideogram_widgets.jobs import Journal
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from tests._timing import FakeClock, wait_until

ROOT = Path(__file__).resolve().parents[2]

# Submits N jobs, prints each request id as it is recorded, then "ALL" once every job has one; then waits.
SUBMITTER = """
import asyncio, sys
from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager
from tests.jobs.helpers import edit

async def main(url, home, n):
    manager = JobManager(AsyncClient(None, base_url=url + "/v1"), journal=home)
    jobs = [manager.submit(edit(f"kill-{i:02d}")) for i in range(n)]
    printed = set()
    while len(printed) < n:
        for job in jobs:
            if job.request_id and job.job_id not in printed:
                printed.add(job.job_id)
                print("SUBMITTED", job.request_id, flush=True)
        await asyncio.sleep(0.001)
    print("ALL", flush=True)
    await asyncio.Event().wait()  # until the test kills this process

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""

# A plain script: resume(), then a blocking wait() on every job; prints what became of each.
RESUMER = """
import json, sys
from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager, resume

manager = JobManager(AsyncClient(None, base_url=sys.argv[1] + "/v1"), journal=sys.argv[2])
jobs = resume(manager=manager)
report = [{"state": "not_sent", "prompt": r.prompt, "request_id": ""} for r in jobs.not_sent]
for job in jobs:
    try:
        files = [str(p) for p in job.wait(timeout=60).paths]
    except Exception as exc:
        files = []
    report.append({"request_id": job.request_id, "state": job.state, "files": files,
                   "prompt": job.params.get("prompt"),
                   "error": type(job.exception).__name__ if job.exception else None})
print(json.dumps(report))
"""


def _stats(url: str) -> dict[str, Any]:
    return httpx.get(f"{url}/_sandbox/stats").json()


def _server_jobs(url: str) -> list[dict[str, Any]]:
    return httpx.get(f"{url}/_sandbox/jobs").json()


def _submit_then_kill(url: str, home: Path, n: int, kill_after: int | None) -> list[str]:
    """Run the submitter; SIGKILL it after ``kill_after`` recorded submits (None: after all)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SUBMITTER, url, str(home), str(n)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        for line in proc.stdout:
            if line.startswith("SUBMITTED"):
                seen.append(line.split()[1])
                if kill_after is not None and len(seen) >= kill_after:
                    break
            elif line.startswith("ALL"):
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(10)  # reaped: its pid is gone, as after a kernel restart
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    return seen


def _resume(url: str, home: Path) -> list[dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-c", RESUMER, url, str(home)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_killed_after_submitting_everything(tmp_path: Path) -> None:
    # The sandbox runs in a thread of this process (the submitter and the resumer talk to it over HTTP) on
    # a clock that stands still: every job is in progress at once (20 workers) and none can complete
    # before the kill, however slow the machine; the clock moves only once the submitter is gone.
    clock = FakeClock()
    home = tmp_path / "journal"
    with serve_in_thread(SandboxConfig(workers=20, speed_scale=0.5, clock=clock)) as running:
        url, queue = running.url, running.sandbox.queue
        recorded = _submit_then_kill(url, home, 20, kill_after=None)
        assert len(recorded) == 20
        before = _stats(url)
        assert before["created"] == 20
        assert before["jobs"]["completed"] == 0  # killed while every job was still running
        wait_until(lambda: _stats(url)["jobs"]["in_progress"] == 20, what="every job started by the clock")
        clock.now += 10.0  # past their 0.5 s: they completed while no process followed them
        queue.poke()

        report = _resume(url, home)

        assert sorted(r["request_id"] for r in report) == sorted(recorded)
        assert all(r["state"] == "completed" for r in report), report
        for r in report:
            assert len(r["files"]) == 1
            assert Path(r["files"][0]).is_file()
        after = _stats(url)
        assert after["requests"]["submit"] == before["requests"]["submit"] == 20  # nothing submitted again
        assert after["created"] == 20
        entries = Journal(home).entries()
        assert all(e["state"] == "completed" and e["downloaded"] for e in entries)


@pytest.mark.slow
def test_killed_in_the_middle_of_submitting(sandbox_and_journal: Callable[..., tuple[str, Path]]) -> None:
    url, home = sandbox_and_journal(workers=4, speed_scale=0.3)
    _submit_then_kill(url, home, 30, kill_after=6)
    server_ids = {j["request_id"] for j in _server_jobs(url)}
    entries = Journal(home).entries()
    recorded = {e["request_id"] for e in entries if e.get("request_id")}
    mid_submit = [e for e in entries if not e.get("request_id")]
    # every job the service created is in the journal, or was caught between its answer and the write
    assert recorded <= server_ids
    assert len(server_ids - recorded) <= len(mid_submit)
    submits_before = _stats(url)["requests"]["submit"]

    report = _resume(url, home)

    by_state: dict[str, list[dict[str, Any]]] = {}
    for r in report:
        by_state.setdefault(r["state"], []).append(r)
    assert {r["request_id"] for r in by_state.get("completed", [])} == recorded
    assert all(r["files"] for r in by_state.get("completed", []))
    uncertain = by_state.get("failed", [])
    not_sent = by_state.get("not_sent", [])
    assert len(uncertain) + len(not_sent) == len(mid_submit)
    assert all(r["error"] == "SubmitUncertainError" for r in uncertain)
    server_prompts = {j["prompt"] for j in _server_jobs(url)}
    assert not {r["prompt"] for r in not_sent} & server_prompts  # "not sent" is never wrong
    assert set(by_state) <= {"completed", "failed", "not_sent"}
    assert _stats(url)["requests"]["submit"] == submits_before  # nothing submitted again
    assert _resume(url, home) == []  # and nothing is left to resume
