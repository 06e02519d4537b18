"""A Job's life against the real sandbox app (in-process): submit once, follow, download, errors, cancel."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image
from starlette.applications import Starlette

from ideogram_widgets.api import (
    APIError,
    AsyncClient,
    BlockingCallError,
    EditInput,
    InputError,
    JobCancelledError,
    JobFailedError,
    PayloadLimits,
    SubmitUncertainError,
)
from ideogram_widgets.jobs import Job, JobManager, Journal, JournalError, Output, PollPolicy
from ideogram_widgets.jobs._records import needs_resume
from ideogram_widgets.sandbox import SandboxConfig
from tests._sandbox_clock import finish, finish_blocking, running
from tests._timing import FakeClock, wait_until

from .helpers import (
    FAST_RETRY,
    CountingTransport,
    Inproc,
    counts,
    edit,
    file_bytes,
    image,
    mask,
    read,
    reframe,
    until,
)


async def _stats(app: Starlette) -> dict[str, Any]:
    return app.state.sandbox.stats()


async def test_submit_returns_at_once_and_await_gives_the_result(inproc: Inproc, home: Path) -> None:
    clock = FakeClock()  # the sandbox's time: the job runs until the test ends it
    client, app = inproc(SandboxConfig(speed_scale=0.4, clock=clock))
    manager = JobManager(client)
    job = manager.submit(edit("a red door"))
    # submit() returned without waiting in the running loop: nothing has reached the sandbox yet
    assert counts(client)["submit"] == 0, "submit() must not wait in a running loop"
    assert job.state == "submitting"
    assert not job.done
    assert job.request_id == ""
    seen: list[str] = []
    job.observe(lambda change: seen.append(change["new"]), "state")
    await until(lambda: job.state == "in_progress", what="a poll to see the job running")
    await finish(app, clock, job)

    output = await job

    assert isinstance(output, Output)
    assert job.result is output
    assert job.state == "completed"
    assert job.done
    assert job.error == ""
    assert job.exception is None
    assert seen[0] == "submitted"
    assert seen[-1] == "completed"
    assert "in_progress" in seen
    assert output.image.size == (48, 40)
    assert isinstance(output.image, Image.Image)
    assert output.path.is_file()
    assert output.path.is_relative_to(home / "results")
    assert job.files == [str(output.path)]
    assert job.urls == list(output.urls)
    assert job.urls
    assert job.params["prompt"] == "a red door"
    assert job.params["rendering_speed"] == "TURBO"
    assert job.model_id == "ideogram/ideogram-v3/edit"
    assert job.backend == "sandbox"
    assert job.created_at <= job.submitted_at <= job.finished_at
    assert job.elapsed >= 0
    assert job.images == [output.image] or len(job.images) == 1

    entry = read(manager, job)
    assert entry is not None
    assert entry["state"] == "completed"
    assert entry["downloaded"] is True
    assert entry["request_id"] == job.request_id
    assert not needs_resume(entry)
    assert (home / entry["inputs"]["image"]["path"]).is_file()
    assert (home / entry["inputs"]["mask"]["path"]).is_file()
    assert "data:" not in json.dumps(entry)
    stats = await _stats(app)
    assert stats["submits"] == 1 == counts(client)["submit"]


async def test_reframe_job_and_repr(inproc: Inproc) -> None:
    client, _ = inproc()
    job = JobManager(client).submit(reframe())
    assert "reframe" in repr(job)
    assert "submitting" in repr(job)
    output = await job
    assert output.image.size == (512, 1536)
    assert "completed" in repr(job)
    assert job.request_id in repr(job)


async def test_failed_job_raises_its_typed_error(inproc: Inproc) -> None:
    client, _ = inproc(SandboxConfig(speed_scale=0.02, fail_rate=1.0))
    manager = JobManager(client)
    job = manager.submit(edit())
    with pytest.raises(JobFailedError, match="failed on purpose"):
        await job
    assert job.state == "failed"
    assert job.done
    assert "failed on purpose" in job.error
    assert isinstance(job.exception, JobFailedError)
    assert job.result is None
    entry = read(manager, job)
    assert entry["state"] == "failed"
    assert entry["error"]["type"] == "JobFailedError"
    with pytest.raises(JobFailedError):  # awaiting again raises the same error
        await job


async def test_cancel_a_queued_job(inproc: Inproc) -> None:
    # the sandbox's clock never moves: the first job holds the only worker for as long as the test runs
    client, app = inproc(SandboxConfig(speed_scale=0.5, workers=1, clock=FakeClock()))
    manager = JobManager(client, policy=PollPolicy(min_interval=0.02))
    first = manager.submit(edit("first", speed="QUALITY"))
    await until(lambda: first.state == "in_progress")
    second = manager.submit(edit("second"))
    await until(lambda: second.state == "in_queue")
    assert second.state == "in_queue"
    assert second.queue_position == 0
    assert await second.cancel() is True
    assert second.cancel_outcome == "cancelled"
    with pytest.raises(JobCancelledError):
        await second
    assert second.state == "cancelled"
    # the running one cannot be cancelled: the service says so and the job goes on
    assert await first.cancel() is False
    assert first.cancel_outcome == "not_cancellable"
    assert not first.done
    first.stop()
    assert (await _stats(app))["jobs"]["cancelled"] == 1


async def test_blocking_wait_in_a_running_loop_says_to_await(inproc: Inproc) -> None:
    client, _ = inproc()
    job = JobManager(client).submit(edit())
    with pytest.raises(BlockingCallError, match="await job"):
        job.wait()
    await job
    assert job.wait() is job.result  # done: no blocking needed, so it is fine


async def test_an_observer_that_raises_does_not_stop_the_job(
    inproc: Inproc, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = inproc()
    job = JobManager(client).submit(edit())

    def broken(change: Any) -> None:
        raise RuntimeError("observer bug")

    job.observe(broken, "state")
    await job
    assert job.state == "completed"
    assert job.result is not None
    assert "observer" in caplog.text


async def test_done_callbacks_run_once(inproc: Inproc) -> None:
    client, _ = inproc()
    job = JobManager(client).submit(edit())
    calls: list[str] = []
    job.add_done_callback(lambda j: calls.append(j.state))
    await job
    job.add_done_callback(lambda j: calls.append("late"))
    assert calls == ["completed", "late"]


async def test_uncertain_submit_is_never_resent(inproc: Inproc) -> None:
    client, app = inproc(SandboxConfig(speed_scale=0.02, fault_rate=1.0, faults=("503",)))
    manager = JobManager(client)
    job = manager.submit(edit())
    with pytest.raises(SubmitUncertainError, match="not resent"):
        await job
    assert job.state == "failed"
    assert job.request_id == ""
    assert counts(client)["submit"] == 1 == (await _stats(app))["requests"]["submit"]
    entry = read(manager, job)
    assert entry["error"]["type"] == "SubmitUncertainError"
    assert not needs_resume(entry)


async def test_rate_limited_submit_is_retried_because_it_never_ran(inproc: Inproc) -> None:
    _, app = inproc(SandboxConfig(speed_scale=0.02, fault_rate=0.25, faults=("429",), seed=3))
    # which request draws which fault depends on how the jobs interleave: with 12 attempts a submit that
    # draws 429 every time (0.25 ** 12, about 6e-8) cannot fail this test, where 6 attempts (2e-4) could
    retry = dataclasses.replace(FAST_RETRY, attempts=12)
    transport = CountingTransport(httpx.ASGITransport(app=app))
    client = AsyncClient(base_url="http://sandbox/v1", transport=transport, retry=retry)
    manager = JobManager(client)
    jobs = [manager.submit(edit(f"p{i}")) for i in range(6)]
    await asyncio.gather(*jobs)
    stats = await _stats(app)
    assert stats["created"] == 6
    assert stats["submits"] == 6
    assert counts(client)["submit"] == stats["requests"]["submit"]
    await client.aclose()


async def test_input_too_large_fails_before_anything_is_sent(inproc: Inproc) -> None:
    client, app = inproc()
    tight = EditInput(image(), mask(), "x", limits=PayloadLimits(max_request_bytes=200))
    job = JobManager(client).submit(tight)
    with pytest.raises(InputError, match="too large"):
        await job
    assert job.state == "failed"
    assert counts(client)["submit"] == 0
    assert (await _stats(app))["requests"].get("submit", 0) == 0


async def test_journal_that_cannot_be_written_stops_the_submit(inproc: Inproc, tmp_path: Path) -> None:
    client, _ = inproc()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the journal folder should be")
    job = JobManager(client, journal=blocker).submit(edit())
    with pytest.raises(JournalError, match="nothing was sent"):
        await job
    assert counts(client)["submit"] == 0


async def test_transient_faults_are_ridden_out(inproc: Inproc) -> None:
    faults = ("429", "500", "502", "503", "error_200", "drop")
    client, app = inproc(SandboxConfig(speed_scale=0.02, fault_rate=0.25, faults=faults, seed=11))
    manager = JobManager(client)
    jobs = [manager.submit(edit(f"p{i}")) for i in range(12)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    stats = await _stats(app)
    completed = [job for job, result in zip(jobs, results, strict=True) if isinstance(result, Output)]
    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, Output):
            assert job.state == "completed"
            assert result.path.is_file()
        else:  # only a submit can fail for good: an answer that may hide a created job is never resent
            assert isinstance(result, APIError), repr(result)
            assert job.request_id == "", job
            assert job.state == "failed"
    # every job the sandbox created was followed to its result through the faults on polls and files
    assert len(completed) == stats["created"] == len({j.request_id for j in jobs if j.request_id})
    # a quarter of the requests fault, so a submit fails for good about 1 time in 6: 12 lost is ~1e-9
    assert completed, [repr(r) for r in results]
    assert sum(stats["faults"].values()) > 0


async def test_token_never_reaches_the_journal(inproc: Inproc, home: Path) -> None:
    secret = "tok-SECRET-1234567890"
    client, _ = inproc(SandboxConfig(speed_scale=0.02, token=secret), token=secret)
    job = JobManager(client).submit(edit())
    await job
    assert secret not in repr(job)
    assert secret not in repr(client)
    for path, data in file_bytes(home).items():
        assert secret.encode() not in data, path


async def test_stop_keeps_the_entry_open(inproc: Inproc) -> None:
    # the sandbox's clock never moves: the job runs there until the test is over
    client, _ = inproc(SandboxConfig(speed_scale=1.0, clock=FakeClock()))
    manager = JobManager(client)
    job = manager.submit(edit())
    await until(lambda: job.state in ("in_queue", "in_progress"))
    assert job.stop() is True
    assert job.state == "stopped"
    assert job.done
    assert "resume()" in job.error
    poller = job._follow.task if job._follow is not None else None
    assert poller is not None
    await until(poller.done, what="the stopped job's poller to end (it releases the entry)")
    entry = read(manager, job)
    assert needs_resume(entry)
    assert entry["state"] != "stopped"
    assert entry["error"] is None


async def test_keep_images_false_reads_from_disk(inproc: Inproc) -> None:
    client, _ = inproc()
    output = await JobManager(client, keep_images=False).submit(edit())
    assert output.kept is None
    assert output.image.size == (48, 40)


def test_plain_script_submit_and_wait(sandbox_app: Callable[..., Starlette], home: Path) -> None:
    """No running loop: submit() returns once the request id is recorded; wait() runs the loop."""
    import httpx

    from ideogram_widgets.api import AsyncClient

    clock = FakeClock()  # the sandbox's time: a job runs until the test ends it
    app = sandbox_app(SandboxConfig(speed_scale=0.05, clock=clock))
    client = AsyncClient(None, base_url="http://sandbox/v1", transport=httpx.ASGITransport(app=app))
    manager = JobManager(client, journal=Journal(home))
    job = manager.submit(edit())
    assert job.request_id
    assert job.state != "submitting"
    assert read(manager, job)["request_id"] == job.request_id
    finish_blocking(app, clock, job)
    output = job.wait(timeout=30)
    assert output.path.is_file()
    assert job.state == "completed"
    slow = manager.submit(edit("slow", speed="QUALITY"))  # never ends: the clock is not moved again
    from ideogram_widgets.api import WaitTimeoutError

    with pytest.raises(WaitTimeoutError, match="not cancelled"):
        slow.wait(timeout=0.05)
    wait_until(lambda: running(app, slow), what="the slow job to start in the sandbox")  # not cancellable
    task = slow.cancel()  # in a script the answer is there when cancel() returns
    assert task.done()
    assert task.result() is False
    slow.stop()
    from ideogram_widgets.jobs._runtime import current_loop

    current_loop().run_until_complete(client.aclose())


def test_jobs_import_does_not_import_ipywidgets() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ideogram_widgets.jobs, ideogram_widgets as iw; iw.submit; iw.run_batch; "
        "print('ipywidgets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_submit_refuses_other_things(home: Path) -> None:
    with pytest.raises(TypeError, match="EditInput"):
        JobManager(journal=home).submit("a red door")  # type: ignore[arg-type]


def test_job_is_awaitable_type() -> None:
    assert hasattr(Job, "__await__")


async def test_learned_run_times_save_requests(inproc: Inproc) -> None:
    """Once a job of a kind has run, the next one is asked for its result at the learned end instead of
    being polled for its status every so often: after it is seen running, its next request is the result.

    The sandbox runs by a fake clock, so the test decides when each job is done; the warm job's aimed
    wait (20 s, what the first job taught) is cut short with ``poll_soon`` once the job is done, so no
    load on the machine can make a poll early or late."""
    clock = FakeClock()
    client, app = inproc(SandboxConfig(speed_scale=1.0, workers=2, clock=clock))
    manager = JobManager(client)
    transport = client._http._transport
    assert isinstance(transport, CountingTransport)

    def asked(job: Job, endpoint: str) -> int:
        return transport.per_request[(job.request_id, endpoint)]

    async def finish_in_sandbox(job: Job) -> None:
        finished = await finish(app, clock, job, ran=20.0)  # by the sandbox's clock the job ran 20 s
        assert finished.state == "completed"

    cold = manager.submit(edit("cold"))  # a kind never seen: polled in the background while it runs
    await until(lambda: asked(cold, "status") >= 4 and cold.state == "in_progress", timeout=30)
    await finish_in_sandbox(cold)
    await cold
    learned = manager.durations.estimate(manager.kind(cold))
    assert learned is not None
    assert learned.mid == pytest.approx(20.0, abs=1.0)

    warm = manager.submit(edit("warm"))
    await until(lambda: warm.state == "in_progress", timeout=30)
    status_polls = asked(warm, "status")
    assert asked(warm, "result") == 0
    await finish_in_sandbox(warm)
    warm.poll_soon()  # ends the wait aimed at the learned end; a background poll would ask the status
    await warm
    assert warm.state == "completed"
    assert asked(warm, "status") == status_polls  # no status poll once it was seen running ...
    assert asked(warm, "result") == 1  # ... the result, asked for at the learned end, was the answer


async def test_elapsed_ticks_between_polls(inproc: Inproc) -> None:
    client, _ = inproc(SandboxConfig(speed_scale=2.0))  # TURBO: 2 s
    # the first poll is a minute away: only the clock can move ``elapsed`` during this test
    policy = PollPolicy(min_interval=60.0, floor=60.0, max_interval=60.0)
    job = JobManager(client, policy=policy).submit(edit())
    ticks: list[float] = []
    job.observe(lambda change: ticks.append(change["new"]), "elapsed")
    await until(lambda: job.elapsed >= 1.5, timeout=5)
    assert job.state in ("submitted", "submitting")  # no poll yet: the clock moved it
    assert ticks == sorted(ticks)
    job.stop()
