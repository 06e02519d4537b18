"""500 jobs over real HTTP against a sandbox in its own process, with faults on.

Zero lost (every job the service created is known, followed to its end, and its result downloaded),
zero submitted twice (the client's count of submit requests equals the server's, and no prompt was created
twice), every job ends in a terminal state with a result or a clear typed error.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from ideogram_widgets.api import APIError, IdeogramWidgetsError, SubmitUncertainError
from ideogram_widgets.jobs import JobManager, Output
from ideogram_widgets.sandbox import FAULT_KINDS, SandboxConfig

from .helpers import assert_submits_seen_once, edit, http_client, transport_of

N = 500


@pytest.mark.slow
async def test_500_jobs_with_faults_none_lost_none_twice(
    sandbox_proc: Callable[[SandboxConfig], str],
) -> None:
    config = SandboxConfig(
        workers=48,
        speed_scale=0.1,
        fault_rate=0.05,
        faults=FAULT_KINDS,
        slow_seconds=0.3,
        fail_rate=0.05,
        seed=2024,
    )
    url = sandbox_proc(config)
    client = http_client(url)
    manager = JobManager(client, keep_images=False)
    speeds = ("TURBO", "BALANCED", "QUALITY")
    started = time.monotonic()
    jobs = [manager.submit(edit(f"job-{i:03d}", speed=speeds[i % 3])) for i in range(N)]
    outcomes = await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), timeout=150)
    took = time.monotonic() - started

    async with httpx.AsyncClient(base_url=url) as raw:
        stats = (await raw.get("/_sandbox/stats")).json()
        server_jobs = (await raw.get("/_sandbox/jobs")).json()
    await client.aclose()

    # every job is terminal, with a result or a clear typed error
    states = Counter(job.state for job in jobs)
    assert set(states) <= {"completed", "failed"}, states
    for job, outcome in zip(jobs, outcomes, strict=True):
        assert job.done
        if isinstance(outcome, Output):
            assert job.state == "completed"
            assert outcome.path.is_file()
        else:
            assert isinstance(outcome, IdeogramWidgetsError), repr(outcome)
            assert job.error
            assert job.exception is outcome

    # zero submitted twice: every submit request the client sent is one the server saw, and no input
    # became two jobs
    assert_submits_seen_once(transport_of(client), stats["requests"]["submit"])
    prompts = Counter(j["prompt"] for j in server_jobs)
    assert max(prompts.values()) == 1
    assert stats["created"] == len(server_jobs)

    # zero lost: the jobs the service created are exactly the ones the client holds a request id for,
    # and each ended here as it ended there (results downloaded)
    by_id = {job.request_id: job for job in jobs if job.request_id}
    assert {j["request_id"] for j in server_jobs} == set(by_id)
    for server_job in server_jobs:
        job = by_id[server_job["request_id"]]
        assert job.params["prompt"] == server_job["prompt"]
        assert job.state == server_job["state"]
        entry = manager.journal.read(job.job_id)
        assert entry is not None
        assert entry["state"] == server_job["state"]
        if server_job["state"] == "completed":
            assert entry["downloaded"] is True
            assert job.result is not None
    # the only jobs without a request id are submits that failed in a way that was never resent
    for job in jobs:
        if not job.request_id:
            assert job.state == "failed"
            assert isinstance(job.exception, SubmitUncertainError | APIError)
            assert job.error
    assert sum(stats["faults"].values()) > 0
    print(
        f"\n{N} jobs in {took:.1f} s: {dict(states)}; faults {stats['faults']}; requests {stats['requests']}"
    )  # how long it took is printed, not bounded: the 150 s wait_for above is the hang guard
