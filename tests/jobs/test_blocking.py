"""Blocking calls inside a running event loop (a kernel's cell) are refused by one helper, one message."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from ideogram_widgets.api import AsyncClient, BlockingCallError, Client
from ideogram_widgets.check import check
from ideogram_widgets.jobs import Job

ONE_MESSAGE = re.compile(
    r"^(?P<what>\S+) would block the running event loop \(a Jupyter kernel runs one\), freezing the kernel "
    r"and every widget: use `(?P<instead>[^`]+)` instead$"
)


def refusal(call: Callable[[], Any]) -> re.Match[str]:
    with pytest.raises(BlockingCallError) as caught:
        call()
    found = ONE_MESSAGE.match(str(caught.value))
    assert found is not None, str(caught.value)
    return found


async def test_client_jobs_and_check_refuse_alike_inside_a_running_loop() -> None:
    client = Client(base_url="http://127.0.0.1:9/v1")  # never reached: refused before anything is sent
    job = Job(state="in_queue")
    aio = AsyncClient(base_url="http://127.0.0.1:9/v1")
    try:
        said = {
            "client": refusal(lambda: client.status("r-1")).groupdict(),
            "job": refusal(job.wait).groupdict(),
            "check": refusal(lambda: check(aio)).groupdict(),
        }
    finally:
        await aio.aclose()
        await client.aio.aclose()
    assert said == {
        "client": {"what": "Client.status()", "instead": "await AsyncClient(...).status(...)"},
        "job": {"what": "job.wait()", "instead": "await job"},
        "check": {"what": "check()", "instead": "await run_check(client)"},
    }
    assert client._loop is None  # no private loop was made inside the kernel's
