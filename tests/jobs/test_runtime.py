"""Where job tasks run when no kernel does: a loop in another thread, a closed loop, the exit of a script."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from ideogram_widgets.api import AsyncClient, WaitTimeoutError
from ideogram_widgets.jobs import Job, JobManager, Journal
from ideogram_widgets.jobs import _runtime as runtime
from ideogram_widgets.sandbox import SandboxConfig
from tests._sandbox_clock import finish_blocking
from tests._timing import FakeClock

from .helpers import FAST_RETRY, edit, read


@pytest.fixture
def loop_in_a_thread() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop run by a worker thread (as an app that keeps asyncio off its main thread)."""
    loop = asyncio.new_event_loop()
    worker = threading.Thread(target=loop.run_forever, name="app-loop", daemon=True)
    worker.start()
    yield loop
    asyncio.run_coroutine_threadsafe(asyncio.sleep(0), loop).result(10)  # let stopped jobs settle
    loop.call_soon_threadsafe(loop.stop)
    worker.join(10)
    loop.close()


def test_a_job_on_a_loop_in_another_thread_is_waited_for_from_this_one(
    sandbox_app: Callable[..., Starlette], home: Path, loop_in_a_thread: asyncio.AbstractEventLoop
) -> None:
    clock = FakeClock()  # the sandbox's time: a job runs until the test ends it
    app = sandbox_app(SandboxConfig(speed_scale=0.05, workers=2, clock=clock))

    async def start(prompt: str, speed: str) -> tuple[JobManager, Job]:
        client = AsyncClient(
            None, base_url="http://sandbox/v1", transport=httpx.ASGITransport(app=app), retry=FAST_RETRY
        )
        manager = JobManager(client, journal=Journal(home))
        return manager, manager.submit(edit(prompt, speed=speed))

    manager, job = asyncio.run_coroutine_threadsafe(start("quick", "TURBO"), loop_in_a_thread).result(30)
    finish_blocking(app, clock, job)
    output = job.wait(timeout=30)  # this thread waits; the app's thread runs the job
    assert output.path.is_file()
    assert job.state == "completed"
    assert read(manager, job)["downloaded"] is True

    _, slow = asyncio.run_coroutine_threadsafe(start("slow", "QUALITY"), loop_in_a_thread).result(30)
    with pytest.raises(WaitTimeoutError, match="not cancelled"):
        slow.wait(timeout=0.01)  # it cannot end: the sandbox's clock stands still
    finish_blocking(app, clock, slow)
    assert slow.wait(timeout=30).path.is_file()  # the job went on meanwhile
    asyncio.run_coroutine_threadsafe(manager.client.aclose(), loop_in_a_thread).result(10)


def test_waiting_on_a_closed_loop_says_so() -> None:
    loop = asyncio.new_event_loop()
    job = Job(loop=loop, state="in_queue")
    loop.close()
    with pytest.raises(RuntimeError, match=r"job\.wait\(\): the event loop this work belongs to is closed"):
        job.wait()


def test_at_exit_a_scripts_unfinished_tasks_are_stopped_cleanly() -> None:
    cleaned: list[str] = []
    errors: list[BaseException] = []

    def script() -> None:  # a thread of its own: a fresh private loop, as in a script's main thread
        try:
            loop = runtime.current_loop()

            async def follow_forever() -> None:
                try:
                    await asyncio.Event().wait()
                finally:
                    cleaned.append("finally ran")

            task = runtime.spawn(follow_forever(), loop=loop, name="unfinished job")
            loop.run_until_complete(asyncio.sleep(0))  # started, then the script "ends"
            runtime._wind_down()  # what atexit calls
            assert task.cancelled()
            loop.close()
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)

    worker = threading.Thread(target=script)
    worker.start()
    worker.join(30)
    assert not errors, errors
    assert cleaned == ["finally ran"]
