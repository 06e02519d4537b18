"""A batch's input generator runs off the event loop, in order, one item per free slot."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

from ideogram_widgets.api import EditInput
from ideogram_widgets.jobs import JobManager, run_batch

from .helpers import Inproc, edit, until


async def test_the_loop_stays_responsive_while_a_slow_generator_runs(inproc: Inproc) -> None:
    client, _ = inproc()
    loop_thread = threading.get_ident()
    inside, release = threading.Event(), threading.Event()
    threads: list[int] = []
    done_when_taken: list[int] = []

    def slow_inputs() -> Iterator[EditInput]:
        for i in range(3):
            threads.append(threading.get_ident())
            done_when_taken.append(batch.completed + batch.failed)
            if i == 0:
                inside.set()
                # blocks until the test, running on the loop, lets it go: a generator run on the loop
                # would hold the loop here, the test could not run, and this wait would time out
                assert release.wait(timeout=30), "the loop was blocked by the input generator"
            yield edit(f"p{i}")

    batch = run_batch(slow_inputs(), concurrency=1, manager=JobManager(client), progress=False)
    await until(inside.is_set, timeout=30)
    # while the generator is stuck inside next(), the loop runs a whole other job: submit, polls, download
    meanwhile = await asyncio.wait_for(JobManager(client).submit(edit("meanwhile"))._wait(), timeout=30)
    assert meanwhile.paths
    assert not release.is_set()
    assert batch.submitted == 0
    release.set()
    items = await batch
    assert [item.index for item in items] == [0, 1, 2]
    assert all(item.ok for item in items)
    assert loop_thread not in threads  # every next() ran on a thread
    assert done_when_taken == [0, 1, 2]  # back-pressure: with one slot, the next input after each result
