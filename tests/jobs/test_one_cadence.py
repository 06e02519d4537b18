"""AsyncClient.wait and the jobs poller poll by one rule (``PollCadence``, api/_retry.py), on real answers."""

from __future__ import annotations

import asyncio
import math

import pytest

from ideogram_widgets.api._wire import JobStatus
from ideogram_widgets.jobs._schedule import PollPolicy, Track
from ideogram_widgets.sandbox import SandboxConfig
from tests._sandbox_clock import finish, running
from tests._timing import FakeClock

from .helpers import Inproc, edit, until


async def test_wait_and_the_poller_space_their_polls_alike(inproc: Inproc) -> None:
    """The sandbox runs by a fake clock that the waits themselves move: three answers in the queue, three
    running, then completed, however slowly the machine answers (no real time is waited)."""
    clock = FakeClock()
    client, app = inproc(SandboxConfig(speed_scale=0.1, workers=1, clock=clock))
    waits: list[float] = []
    seen: list[str] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:  # the first one ends: the second starts, the next answer says in_progress
            await finish(app, clock, first)
            await until(lambda: running(app, second), what="the second job to start in the sandbox")
        elif len(waits) == 6:  # the second one ends: the next answer says completed
            await finish(app, clock, second)
        await asyncio.sleep(0)

    def heard(status: JobStatus) -> None:
        seen.append(status.state)

    client.sleep = sleep
    first = await client.submit_input(edit("first", speed="QUALITY"))  # 0.4 s by the sandbox's clock
    second = await client.submit_input(edit("second", speed="BALANCED"))  # 0.2 s, queued behind the first
    answer = await client.wait(second.request_id, min_interval=0.01, max_interval=0.08, on_status=heard)
    assert answer.state == "completed"
    await client.wait(first.request_id)
    assert seen == ["in_queue"] * 3 + ["in_progress"] * 3 + ["completed"], seen  # two changes of state
    assert len(waits) == len(seen) - 1

    # the poller's background waits with the same parameters (no learned run times, no jitter, no cap
    # relative to the time waited) for the same answers
    policy = PollPolicy(min_interval=0.01, max_interval=0.08, floor=0.08, growth=1.5, jitter=0.0)
    track = Track.start(0.0)
    replayed = []
    for state in seen[:-1]:
        track.observe(state, 0.0, 0.0)
        replayed.append(policy.next_delay(track, now=1.0))
    assert waits == pytest.approx(replayed)
    # and the rule itself: from 0.01 after every change, ×1.5 while nothing changes, up to 0.08
    for before, state, wait, previous in zip(seen, seen[1:], waits[1:], waits, strict=False):
        expected = 0.01 if state != before else min(0.08, previous * 1.5)
        assert math.isclose(wait, expected), (seen, waits)
