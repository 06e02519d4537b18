"""Every exchange has an overall deadline, not only a per-read timeout (issue 10, item 3).

A trickle proxy (``trickle_proxy.py``) on 127.0.0.1 sits in front of a sandbox served over real HTTP and
spoils one kind of answer: a status answer trickled one byte every 0.5 s (each read arrives well within
the per-read timeout), a result file that never ends, an answer that stalls after its headers. Each call
must end with a typed :class:`DeadlineExceededError` once its deadline has passed. The measured overruns
(how far past the deadline the error came) are figures, printed with ``-s``; the upper bound asserted
here is only a hang guard (deadline + 5 s), not a performance threshold.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from ideogram_widgets.api import (
    AsyncClient,
    Client,
    DeadlineExceededError,
    ReframeInput,
    RetryPolicy,
    SubmitUncertainError,
    TransportError,
)
from ideogram_widgets.samples import sample_image
from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread

from .trickle_proxy import TrickleProxy

DEADLINE = 2.0
HANG_GUARD = 5.0  # far above any overrun measured (tens of ms); only catches a call that never ends
PER_READ = httpx.Timeout(3.0)  # longer than the proxy's 0.5 s between bytes: per-read limits never fire
INPUT = ReframeInput(sample_image(64, 48), "1024x1024")


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    with serve_in_thread(SandboxConfig(speed_scale=0.01)) as running:
        yield running.url


def client_via(proxy: TrickleProxy, **options: object) -> AsyncClient:
    options.setdefault("deadline", DEADLINE)
    options.setdefault("download_deadline", DEADLINE)
    options.setdefault("timeout", PER_READ)
    return AsyncClient(
        base_url=proxy.url + "/v1",
        retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1),
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def completed(upstream: str) -> str:
    """A request id the sandbox has finished (submitted and waited for directly)."""
    with Client(base_url=upstream + "/v1") as direct:
        submission = direct.submit_input(INPUT)
        direct.wait(submission.request_id, timeout=30.0)
        return submission.request_id


async def _timed_failure(call: Callable[[], object]) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        await call()  # type: ignore[misc]
    return caught.value, time.monotonic() - started


async def test_a_trickled_status_answer_ends_at_the_deadline(upstream: str, completed: str) -> None:
    async with TrickleProxy(upstream, {"/status": "trickle"}) as proxy, client_via(proxy) as client:
        error, took = await _timed_failure(lambda: client.status(completed))
    assert isinstance(error, DeadlineExceededError)
    assert error.request_id == completed
    assert error.seconds == DEADLINE
    assert "deadline" in str(error)
    assert DEADLINE <= took < DEADLINE + HANG_GUARD
    assert 0 < proxy.sent["trickle"] < 20  # gave up mid-answer, one try: retries cannot outlive it
    assert [mode for mode, _ in proxy.requests] == ["trickle"]
    print(f"\nstatus() trickled: failed after {took:.3f} s, deadline {DEADLINE} s (+{took - DEADLINE:.3f})")


async def test_a_result_file_that_never_ends_ends_at_the_download_deadline(
    upstream: str, completed: str
) -> None:
    async with (
        TrickleProxy(upstream, {"/files/": "endless"}, interval=0.05) as proxy,
        client_via(proxy, deadline=None) as client,  # the result (setup) has no deadline to beat ...
    ):
        answer = client.finished(await client.result(completed))
        assert client.download_deadline == DEADLINE  # ... the download, the call under test, has one
        assert answer.image_urls[0].startswith(proxy.url)  # the file is fetched through the proxy
        error, took = await _timed_failure(lambda: client.download(answer.image_urls[0]))
    assert isinstance(error, DeadlineExceededError)
    assert "download" in str(error)
    assert DEADLINE <= took < DEADLINE + HANG_GUARD
    assert proxy.sent["endless"] > 0
    print(f"\ndownload() endless: failed after {took:.3f} s, deadline {DEADLINE} s (+{took - DEADLINE:.3f})")


async def test_an_answer_that_stalls_after_its_headers_ends_at_the_deadline(
    upstream: str, completed: str
) -> None:
    async with (
        TrickleProxy(upstream, {"/result": "stall"}) as proxy,
        client_via(proxy, timeout=httpx.Timeout(60.0)) as client,
    ):
        error, took = await _timed_failure(lambda: client.result(completed))
    assert isinstance(error, DeadlineExceededError)
    assert DEADLINE <= took < DEADLINE + HANG_GUARD


async def test_a_submit_past_its_deadline_is_uncertain_and_never_resent(upstream: str) -> None:
    async with TrickleProxy(upstream, {"/models/": "trickle"}) as proxy, client_via(proxy) as client:
        with pytest.raises(SubmitUncertainError, match=r"deadline.*not resent"):
            await client.submit_input(INPUT)
    assert len(proxy.requests) == 1  # sent once


async def test_no_deadline_means_only_per_read_limits(upstream: str, completed: str) -> None:
    async with TrickleProxy(upstream, {}) as proxy, client_via(proxy, deadline=None) as client:
        assert (await client.status(completed)).state == "completed"


def test_a_deadline_error_pickles_with_its_fields() -> None:
    error = DeadlineExceededError("status took too long", seconds=2.0, request_id="r1")
    back = pickle.loads(pickle.dumps(error))
    assert isinstance(back, DeadlineExceededError)
    assert isinstance(back, TimeoutError)
    assert (str(back), back.seconds, back.request_id) == (str(error), 2.0, "r1")


@pytest.mark.parametrize("bad", [0, -1.0, float("inf"), "10"])
def test_a_bad_deadline_is_refused_before_anything_is_sent(bad: object) -> None:
    from ideogram_widgets.api import InputError

    with pytest.raises(InputError, match="deadline"):
        AsyncClient(base_url="http://127.0.0.1:9/v1", deadline=bad)  # type: ignore[arg-type]
