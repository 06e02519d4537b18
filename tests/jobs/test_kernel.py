"""Jobs in a real Jupyter kernel (ipykernel, driven by jupyter_client): a job advances while the kernel is
idle between cells, the kernel answers new cells while 100 jobs poll, and a blocking wait in a
cell says to ``await``."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel

from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from tests._kernel import run_cell
from tests._sandbox_clock import finish_blocking
from tests._timing import FakeClock, wait_until

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import json, time, asyncio
from ideogram_widgets.api import AsyncClient
from ideogram_widgets.jobs import JobManager, stop_all
from tests.jobs.helpers import edit
manager = JobManager(AsyncClient(None, base_url={url!r} + "/v1"))
"""


class Kernel:
    """A started ipykernel and a blocking client on it."""

    def __init__(self, client: BlockingKernelClient) -> None:
        self.client = client

    def run(self, code: str, timeout: float = 30.0) -> dict[str, Any]:
        """Execute a cell; return its reply content, with ``stdout`` collected."""
        content, text = run_cell(self.client, code, timeout)
        content["stdout"] = text
        return content

    def until(self, expression: str, timeout: float = 60.0) -> None:
        """Wait until ``expression`` is true in the kernel; each look is a tiny cell, the kernel is idle
        in between (the background tasks run there)."""
        look = f"print(json.dumps(bool({expression})))"
        wait_until(lambda: self.json(look), timeout=timeout, interval=0.2, what=f"{expression} in the kernel")

    def json(self, code: str) -> Any:
        """Execute a cell that prints one JSON document; return it."""
        reply = self.run(code)
        assert reply["status"] == "ok", reply
        return json.loads(reply["stdout"].strip().splitlines()[-1])


@pytest.fixture
def kernel(tmp_path: Path) -> Iterator[Kernel]:
    env = dict(os.environ)
    env["IDEOGRAM_WIDGETS_HOME"] = str(tmp_path / "journal")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    manager, client = start_new_kernel(kernel_name="python3", env=env, cwd=str(ROOT))
    try:
        yield Kernel(client)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.slow
def test_a_job_advances_while_the_kernel_is_idle(kernel: Kernel) -> None:
    # The sandbox runs in a thread of this process (the kernel talks to it over HTTP) on a clock that stands
    # still: the job stays in progress until this test has seen the kernel show it so, then ends.
    clock = FakeClock()
    with serve_in_thread(SandboxConfig(workers=2, speed_scale=1.5, clock=clock)) as running:
        queue = running.sandbox.queue

        def end(request_id: str) -> None:
            """End a job the kernel submitted, once a worker started it by the clock."""
            finish_blocking(queue, clock, request_id)

        assert kernel.run(SETUP.format(url=running.url))["status"] == "ok"
        submitted = kernel.run(
            "job = manager.submit(edit('in the background'))\n"
            "seen = []\n"
            "job.observe(lambda c: seen.append((c['new'], time.time())), 'state')\n"
            "cell_ended = time.time()\n"
            "print(job.state)"
        )
        assert submitted["stdout"].strip() == "submitting"  # the cell did not wait for anything

        # the kernel is idle between the looks: no cell drives the job
        kernel.until("job.state == 'in_progress'")
        end(kernel.json("print(json.dumps(job.request_id))"))
        kernel.until("job.done")
        looked_at = time.time()

        state = kernel.json(
            "print(json.dumps({'seen': seen, 'cell_ended': cell_ended, 'state': job.state, 'done': job.done,"
            " 'files': job.files}))"
        )
        names = [name for name, _ in state["seen"]]
        assert names[0] == "submitted"
        assert "in_progress" in names
        assert names[-1] == "completed"
        assert state["done"] is True
        assert all(state["cell_ended"] <= at <= looked_at for _, at in state["seen"])
        assert Path(state["files"][0]).is_file()

        # a blocking wait on an unfinished job is refused with a clear message; `await` works
        blocked = kernel.run("second = manager.submit(edit('second'))\nsecond.wait()")
        assert blocked["status"] == "error"
        assert blocked["ename"] == "BlockingCallError"
        assert "await job" in blocked["evalue"]
        kernel.until("second.request_id")
        end(kernel.json("print(json.dumps(second.request_id))"))
        awaited = kernel.run("out = await second\nprint(out.image.size, job.wait().image.size)", timeout=60.0)
        assert awaited["stdout"].strip() == "(48, 40) (48, 40)"  # a finished job's wait() needs no blocking


@pytest.mark.slow
def test_the_kernel_answers_every_cell_while_100_jobs_poll(kernel: Kernel) -> None:
    # the sandbox in a thread of this process, on a clock that never moves: no job ends, all 100 poll for
    # as long as the test takes (60 of them queued behind 40 workers)
    with serve_in_thread(SandboxConfig(workers=40, speed_scale=5.0, clock=FakeClock())) as running:
        _answers_every_cell(kernel, running.url)


def _answers_every_cell(kernel: Kernel, url: str) -> None:
    assert kernel.run(SETUP.format(url=url))["status"] == "ok"
    assert (
        kernel.run(
            "lags = []\n"
            "async def _ticker():\n"
            "    while True:\n"
            "        t = time.perf_counter()\n"
            "        await asyncio.sleep(0.01)\n"
            "        lags.append(time.perf_counter() - t - 0.01)\n"
            "ticker = asyncio.get_running_loop().create_task(_ticker())\n"
            "jobs = [manager.submit(edit(f'k{i}', speed='QUALITY')) for i in range(100)]"
        )["status"]
        == "ok"
    )
    kernel.until("all(j.request_id for j in jobs)")  # every submit answered; from now on 100 jobs poll
    assert kernel.run("lags.clear()")["status"] == "ok"  # the lag of the submitting cell itself is not ours

    def polls() -> int:
        return int(httpx.get(f"{url}/_sandbox/stats").json()["requests"].get("status", 0))

    def more_polls_than(seen: int) -> Callable[[], bool]:
        return lambda: polls() > seen

    # How promptly it answers is bench_jobs' figure (event-loop lag p99 while 200 jobs poll); here each
    # cell must be answered at all (60 s is a hang guard, not a threshold), interleaved with the polls.
    for n in range(20):
        wait_until(more_polls_than(polls()), what="the jobs to poll again")
        reply = kernel.run(f"{n} + 1", timeout=60.0)
        assert reply["status"] == "ok", reply

    state = kernel.json(
        "from collections import Counter\n"
        "ticks = len(lags); ticker.cancel()\n"
        "print(json.dumps({'states': Counter(j.state for j in jobs), 'submitted': sum(bool(j.request_id)"
        " for j in jobs), 'ticks': ticks, 'stopped': stop_all()}))"
    )
    assert state["submitted"] == 100
    waiting = state["states"].get("submitted", 0) + state["states"].get("in_queue", 0)
    assert waiting + state["states"].get("in_progress", 0) == 100, state
    assert state["ticks"] > 0, state  # the loop kept running its own tasks between the cells
    assert state["stopped"] >= 100
