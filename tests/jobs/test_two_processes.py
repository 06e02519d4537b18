"""Two kernels sharing one journal folder submit and resume() at the same time, over real HTTP, while a
third one that was killed left jobs behind: nothing is lost, nothing is followed twice."""

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

ROOT = Path(__file__).resolve().parents[2]

# Submits n jobs, then calls resume() every 50 ms until no entry of the journal is unfinished; prints the
# request ids of its own jobs and of those its resume() took, and the outcome of each.
KERNEL = """
import asyncio, json, sys, time
from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager, history, resume
from tests.jobs.helpers import edit

async def main(url, home, name, n):
    manager = JobManager(AsyncClient(None, base_url=url + "/v1"), journal=home)
    own = [manager.submit(edit(f"{name}-{i}")) for i in range(n)]
    taken = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        taken += resume(manager=manager)
        if all(job.done for job in own + taken) and not history(journal=home, unfinished=True):
            break
        await asyncio.sleep(0.05)
    await asyncio.gather(*own, *taken, return_exceptions=True)
    print(json.dumps({
        "own": [j.request_id for j in own],
        "taken": [j.request_id for j in taken],
        "outcomes": {j.request_id: [j.state, len(j.files)] for j in own + taken},
    }))

asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
"""

# Submits n jobs, says so once every one has its request id, then waits to be killed.
VICTIM = """
import asyncio, sys
from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager
from tests.jobs.helpers import edit

async def main(url, home, n):
    manager = JobManager(AsyncClient(None, base_url=url + "/v1"), journal=home)
    jobs = [manager.submit(edit(f"victim-{i}", speed="QUALITY")) for i in range(n)]
    while not all(job.request_id for job in jobs):
        await asyncio.sleep(0.005)
    print("SUBMITTED", " ".join(job.request_id for job in jobs), flush=True)
    await asyncio.Event().wait()  # until the test kills this process

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


def _python(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )


@pytest.mark.slow
def test_two_kernels_share_a_journal_nothing_lost_nothing_followed_twice(
    sandbox_and_journal: Callable[..., tuple[str, Path]],
) -> None:
    url, journal = sandbox_and_journal(workers=6, speed_scale=0.3)
    home = str(journal)
    victim = _python(VICTIM, url, home, "8")
    assert victim.stdout is not None
    line = victim.stdout.readline()
    os.kill(victim.pid, signal.SIGKILL)  # jobs still queued or running, nobody follows them
    victim.wait(10)
    victim.stdout.close()
    orphans = line.split()[1:]
    assert line.startswith("SUBMITTED")
    assert len(orphans) == 8

    kernels = [_python(KERNEL, url, home, name, "6") for name in ("a", "b")]  # at the same time
    answers: list[dict[str, Any]] = []
    for kernel in kernels:
        out, _ = kernel.communicate(timeout=150)
        assert kernel.returncode == 0
        answers.append(json.loads(out.strip().splitlines()[-1]))
    a, b = answers

    # nothing followed twice: each kernel took none of the other's (live) jobs, and the dead kernel's
    # jobs went to exactly one of them
    assert not set(a["taken"]) & set(b["own"])
    assert not set(b["taken"]) & set(a["own"])
    assert not set(a["taken"]) & set(b["taken"])
    assert sorted(a["taken"] + b["taken"]) == sorted(orphans)
    # nothing lost: every job the service created is completed and downloaded in the journal
    server = {job["request_id"] for job in httpx.get(f"{url}/_sandbox/jobs").json()}
    assert server == set(orphans) | set(a["own"]) | set(b["own"])
    assert len(server) == 20
    for answer in answers:
        assert all(state == "completed" and files == 1 for state, files in answer["outcomes"].values())
    entries = Journal(home).entries()
    assert len(entries) == 20
    assert all(e["state"] == "completed" and e["downloaded"] for e in entries)
    assert all(Path(home, e["files"][0]["path"]).is_file() for e in entries)
    print(
        f"\ntwo kernels: a own {len(a['own'])} took {len(a['taken'])}, b own {len(b['own'])} took "
        f"{len(b['taken'])} of the killed kernel's {len(orphans)}; 0 followed twice, 0 lost"
    )
