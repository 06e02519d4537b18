"""Malformed and hostile service answers, fed to the client by property-based tests.

Every call must end, within a bounded time, in either a value of the right type or a typed error (an
``IdeogramWidgetsError`` subclass with a short human message) — never another exception type, never a hang,
never an unbounded read. Retries are instant (``client.sleep`` is a no-op), so a retried call costs no time.

The answers come from the scripted app of ``tests/api/scripted_server.py`` (wrong types, missing fields,
huge strings, deep nesting, HTML, binary, odd status codes and headers, broken Content-Encoding), and for
bodies that never end from :class:`~tests.faults.conftest.StreamingTransport`. Downloads get random bytes,
truncated and corrupted images, decompression bombs, oversized bodies and redirect chains (loops, https →
http, other schemes, invalid URLs).
"""

from __future__ import annotations

import asyncio
import io
import math
import shutil
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ideogram_widgets.api import (
    AsyncClient,
    CancelOutcome,
    DownloadError,
    EditInput,
    IdeogramWidgetsError,
    JobResult,
    JobStatus,
    RetryPolicy,
    ServerError,
    Submission,
    SubmitUncertainError,
    WaitTimeoutError,
)
from ideogram_widgets.api._errors import error_from_response
from ideogram_widgets.api._media import decode_image
from ideogram_widgets.api._retry import parse_retry_after
from ideogram_widgets.jobs import FINAL_STATES, Job, JobManager, Journal, Output, PollPolicy, stop_all
from ideogram_widgets.jobs._records import needs_resume
from ideogram_widgets.jobs._schedule import DurationModel

from ..api.scripted_server import Answer, Script
from .conftest import (
    API,
    TOKEN,
    BodyGuardError,
    EndlessBody,
    InstantSleep,
    RecordingTransport,
    StreamingTransport,
    png_bomb,
    png_bytes,
    scripted_client,
)

T = TypeVar("T")

# Reproducible in CI: the same examples every run, no example database on disk, no per-example deadline.
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
CALL_LIMIT = 15.0
"""Seconds any single client call may take before it counts as a hang."""

MODEL = "ideogram/ideogram-v3/edit"
SUBMIT = f"/v1/models/{MODEL}"
STATUS = "/v1/requests/r-1/status"
RESULT = "/v1/requests/r-1/result"
CANCEL = "/v1/requests/r-1/cancel"
MODEL_INFO = f"/v1/models/{MODEL}"
FILE_HOST = "https://cdn.test"


# -------------------------------------------------------------------------------- running


def check_error(exc: BaseException) -> None:
    """A typed error with a short human message that never holds the token."""
    assert isinstance(exc, IdeogramWidgetsError), f"{type(exc).__name__} is not a typed error: {exc!r}"
    text = str(exc)
    assert text.strip(), f"{type(exc).__name__} has no message"
    assert len(text) < 2000, f"{type(exc).__name__}'s message is {len(text)} characters long"
    assert "Traceback" not in text
    assert TOKEN not in text
    assert TOKEN not in repr(exc)


def run_call(
    make: Callable[[AsyncClient], Awaitable[T]],
    client_factory: Callable[[], AsyncClient],
    expected: type | tuple[type, ...],
) -> T | IdeogramWidgetsError:
    """Run ``make(client)`` on a fresh loop under a time limit; return its value (checked to be
    ``expected``) or its typed error. Anything else fails the test."""

    async def scenario() -> T:
        client = client_factory()
        try:
            return await asyncio.wait_for(make(client), CALL_LIMIT)
        finally:
            await client.aclose()

    started = time.monotonic()
    try:
        value = asyncio.run(scenario())
    except IdeogramWidgetsError as exc:  # before TimeoutError: WaitTimeoutError is both
        check_error(exc)
        return exc
    except asyncio.TimeoutError:
        pytest.fail(f"the call hung for {CALL_LIMIT} s")
    except BodyGuardError as exc:
        pytest.fail(f"unbounded read: {exc}")
    assert isinstance(value, expected), f"{type(value).__name__} is not {expected}"
    assert time.monotonic() - started < CALL_LIMIT
    return value


# -------------------------------------------------------------------------------- answers

ascii_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=16,
)
odd_strings = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "²",  # a digit to str.isdigit(), not to int()
        "٣",  # an Arabic-Indic three: int() reads it
        "1" * 5000,  # more digits than int() converts
        "-1",
        "1e309",
        "completed",
        "COMPLETED",
        "succeeded",
        "failed",
        "canceled",
        "in_queue",
        "in_progress",
        "warming up",
        "https://cdn.test/files/a.png",
        "http://cdn.test/files/a.png",
        "javascript:alert(1)",
        "<script>alert(1)</script>",
    ]
)
huge_string = st.integers(min_value=10_000, max_value=1_500_000).map(lambda n: "A" * n)
hostile_value = st.one_of(json_value, odd_strings, huge_string)
service_keys = st.sampled_from(
    [
        "request_id",
        "id",
        "status",
        "queue_position",
        "output",
        "error",
        "error_code",
        "error_message",
        "message",
        "detail",
        "outcome",
        "status_url",
        "result_url",
        "cancel_url",
        "created_at",
        "finished_at",
    ]
)
outputs = st.fixed_dictionaries(
    {},
    optional={
        "image": hostile_value,
        "images": st.lists(hostile_value, max_size=3) | hostile_value,
        "video": hostile_value,
    },
)
service_bodies = st.dictionaries(service_keys, hostile_value | outputs, max_size=8)
raw_bodies = st.one_of(
    st.just(b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"),
    st.binary(max_size=300),
    st.integers(min_value=1_000, max_value=300_000).map(lambda n: b"[" * n),  # nesting deeper than json
    st.integers(min_value=1_000, max_value=100_000).map(lambda n: b'{"a":' * n),
    st.just(b"1" * 5000),  # an integer literal too long for int()
    st.just(b'{"status": "completed", "output": {"images": ["https://cdn.test/a.png"'),  # cut short
    st.just(b'{"status": NaN, "queue_position": Infinity, "error_code": -Infinity}'),
    st.text(max_size=50).map(lambda s: ('{"status": "' + s + '"}').encode("utf-16")),
    st.integers(min_value=4 * 2**20 - 64, max_value=5 * 2**20).map(lambda n: b'{"x": "' + b"a" * n + b'"}'),
)
statuses = st.one_of(
    st.sampled_from([200, 201, 202, 204, 301, 302, 304, 400, 401, 402, 403, 404, 409, 410, 413, 418, 422]),
    st.sampled_from([429, 451, 500, 501, 502, 503, 504, 599]),
    st.integers(min_value=200, max_value=599),
)
retry_afters = st.one_of(
    ascii_text,
    st.sampled_from(
        [
            "0",
            "-5",
            "1e400",
            "NaN",
            "inf",
            "-inf",
            "99999999999999999999999",
            "Mon, 01 Jan 99999 00:00:00 GMT",
            "Tue, 31 Feb 2023 25:61:61 GMT",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ]
    ),
)
# Where a redirect points: ``{next}`` is the path of the chain's next step.
locations = st.sampled_from(
    [
        "{next}",
        "{next}?x=1",
        FILE_HOST + "{next}",
        "HTTPS://CDN.TEST{next}",
        "//cdn.test{next}",
        "http://cdn.test{next}",  # a downgrade to plain http: refused
        "/step0",  # a loop back to the start
        "",
        "ftp://cdn.test{next}",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "https://cdn.test:99999{next}",  # an impossible port
        "http://[::1",  # an unclosed IPv6 host
        "https://exa mple.test{next}",
        "https://h\u00ac.test{next}",  # not a valid IDNA host name
    ]
)
header_sets = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(
            ["application/json", "text/html; charset=utf-8", "application/octet-stream", "image/png", ""]
        ),
        "retry-after": retry_afters,
        "content-encoding": st.sampled_from(["gzip", "deflate", "identity", "br", "compress"]),
        "location": locations.map(lambda where: where.format(next=STATUS)),
    },
)


class Reply(Answer):
    """An Answer whose repr stays short (hypothesis prints failing examples; bodies can be megabytes)."""

    def __repr__(self) -> str:
        body = self.raw if self.raw is not None else self.body
        shown = repr(body)
        if len(shown) > 120:
            shown = f"{shown[:100]}…<{len(shown)} chars>"
        return f"Reply({self.status}, {shown}, headers={self.headers!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # how hypothesis prints examples
        printer.text(repr(self))


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    """One hostile answer: an odd status, a service-shaped body of wrong types or a raw non-JSON body,
    and odd headers."""
    status = draw(statuses)
    headers = draw(header_sets)
    if draw(st.booleans()):
        return Reply(status, draw(service_bodies | json_value), headers)
    return Reply(status, headers=headers, raw=draw(raw_bodies))


answer_lists = st.lists(answers(), min_size=1, max_size=3)


def on_script(routes: dict[str, list[Answer]], **options: Any) -> Callable[[], AsyncClient]:
    """A factory of clients whose every endpoint answers as ``routes`` says (the last answer repeats)."""

    def make() -> AsyncClient:
        script = Script()
        for path, queue in routes.items():
            script.on(path, *queue)
        client, _ = scripted_client(script, **options)
        client.script = script  # type: ignore[attr-defined]
        return client

    return make


# -------------------------------------------------------------------------------- properties


@PROPERTY
@given(answer_lists)
def test_status_answers_become_a_status_or_a_typed_error(queue: list[Answer]) -> None:
    run_call(lambda c: c.status("r-1"), on_script({STATUS: queue}), JobStatus)


@PROPERTY
@given(answer_lists, answer_lists)
def test_result_answers_become_a_result_or_a_typed_error(queue: list[Answer], status: list[Answer]) -> None:
    # a 400 with error_code 400005 ("not finished") falls back to the status endpoint
    run_call(lambda c: c.result("r-1"), on_script({RESULT: queue, STATUS: status}), JobResult)


@PROPERTY
@given(answer_lists)
def test_cancel_answers_become_an_outcome_or_a_typed_error(queue: list[Answer]) -> None:
    value = run_call(lambda c: c.cancel("r-1"), on_script({CANCEL: queue}), CancelOutcome)
    if isinstance(value, CancelOutcome) and value.cancelled:
        assert value.outcome in ("cancelled", "canceled") or value.state == "cancelled"


@PROPERTY
@given(answer_lists)
def test_model_info_answers_become_a_dict_or_a_typed_error(queue: list[Answer]) -> None:
    run_call(lambda c: c.model_info(MODEL), on_script({MODEL_INFO: queue}), dict)


@PROPERTY
@given(answer_lists)
def test_a_submit_is_resent_only_after_the_service_refused_it(queue: list[Answer]) -> None:
    """Whatever comes back, a submit is sent again only after a 429 (a refusal: no job was made)."""
    clients: list[AsyncClient] = []
    factory = on_script({SUBMIT: queue}, attempts=4)

    def make() -> AsyncClient:
        clients.append(factory())
        return clients[-1]

    value = run_call(lambda c: c.submit(MODEL, {"prompt": "x"}), make, Submission)
    script: Script = clients[0].script  # type: ignore[attr-defined]
    posts = script.count(SUBMIT)
    for n in range(posts - 1):  # every POST that was followed by another one got a 429
        assert queue[min(n, len(queue) - 1)].status == 429, (n, queue[min(n, len(queue) - 1)])
    if isinstance(value, Submission):
        assert value.request_id.strip(), "a blank request id cannot be followed"


@PROPERTY
@given(answer_lists, answer_lists)
def test_wait_ends_in_a_result_or_a_typed_error(status: list[Answer], result: list[Answer]) -> None:
    value = run_call(
        lambda c: c.wait("r-1", timeout=0.3, min_interval=0.0, max_interval=0.0),
        on_script({STATUS: status, RESULT: result}),
        JobResult,
    )
    if isinstance(value, JobResult):
        assert value.state == "completed"
        assert value.image_urls


@PROPERTY
@given(st.text(max_size=200) | retry_afters)
def test_any_retry_after_gives_a_bounded_wait(header: str) -> None:
    seconds = parse_retry_after(header)
    assert seconds is None or (seconds >= 0 and not math.isnan(seconds))
    policy = RetryPolicy()
    wait = policy.delay(0, seconds)
    assert 0 <= wait <= max(policy.max_retry_after, policy.max_delay)


@PROPERTY
@given(retry_afters)
def test_an_absurd_retry_after_is_capped_by_the_client(header: str) -> None:
    sleepers: list[InstantSleep] = []

    def make() -> AsyncClient:
        script = Script()
        script.on(STATUS, Answer(429, {"error_message": "slow down"}, {"retry-after": header}))
        script.on(STATUS, Answer(200, {"status": "in_queue"}))
        client, sleeper = scripted_client(script, retry=RetryPolicy(attempts=2, max_retry_after=5.0))
        sleepers.append(sleeper)
        return client

    run_call(lambda c: c.status("r-1"), make, JobStatus)
    waits = sleepers[0].waits
    assert len(waits) == 1, waits
    assert 0 <= waits[0] <= 5.0, waits


@PROPERTY
@given(st.integers(min_value=100, max_value=999), service_bodies | json_value | hostile_value)
def test_any_error_answer_maps_to_a_typed_error(status: int, body: Any) -> None:
    error = error_from_response(status, body, request_id="r-1")
    check_error(error)


@PROPERTY
@given(service_bodies)
def test_answer_parsers_accept_any_object(body: dict[str, Any]) -> None:
    assert isinstance(JobStatus.parse(body, "r-1"), JobStatus)
    assert isinstance(JobResult.parse(body, "r-1"), JobResult)
    assert isinstance(CancelOutcome.parse(body, "r-1"), CancelOutcome)
    submission = Submission.parse(body)
    assert submission is None or submission.request_id.strip()


# -------------------------------------------------------------------------------- downloads


@cache
def sample_files() -> dict[str, bytes]:
    """Images and non-images a file host might serve (bombs built once: ~1 s)."""
    photo = Image.effect_noise((40, 32), 60).convert("RGB")
    files: dict[str, bytes] = {}
    for fmt in ("PNG", "JPEG", "GIF", "WEBP"):
        buf = io.BytesIO()
        photo.save(buf, fmt)
        files[fmt.lower()] = buf.getvalue()
    files["html"] = b"<!DOCTYPE html><html><body>Sign in to continue</body></html>"
    files["json"] = b'{"error_code": 404001, "error_message": "expired"}'
    files["empty"] = b""
    files["png header only"] = files["png"][:33]
    files["bomb 20000x20000"] = png_bomb(20_000, 20_000)  # 400 MP: past Pillow's own limit
    files["bomb 10000x10000"] = png_bomb(10_000, 10_000)  # 100 MP: Pillow only warns
    files["bomb 6000x6000"] = png_bomb(6_000, 6_000)  # 36 MP: past this package's 32 MP
    return files


MAX_DOWNLOAD = 256 * 1024


@st.composite
def file_bodies(draw: st.DrawFn) -> bytes:
    """What a file host might send: an image, a truncated or corrupted one, random bytes, a bomb, or a
    body over the size limit."""
    files = sample_files()
    kind = draw(st.sampled_from(["file", "truncated", "corrupted", "random", "oversized"]))
    if kind == "random":
        return draw(st.binary(max_size=2000))
    if kind == "oversized":
        return b"\x89PNG\r\n\x1a\n" + b"\0" * draw(st.integers(MAX_DOWNLOAD - 7, 2 * MAX_DOWNLOAD))
    name = draw(st.sampled_from(sorted(files)))
    data = bytearray(files[name])
    if kind == "truncated" and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif kind == "corrupted" and data:
        for _ in range(draw(st.integers(1, 8))):
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data)


file_answers = st.one_of(
    st.builds(lambda body: Reply(200, raw=body, headers={"content-type": "image/png"}), file_bodies()),
    st.builds(
        lambda status, body: Reply(status, raw=body, headers={"content-type": "text/html"}),
        st.sampled_from([403, 404, 410, 429, 500, 502, 503]),
        st.sampled_from([b"", b"<html>denied</html>", b'{"error_code": 404001}']),
    ),
    st.just(Reply(200, raw=b"not gzip at all", headers={"content-encoding": "gzip"})),
)
redirect_steps = st.tuples(st.sampled_from([301, 302, 303, 307, 308]), locations)


@st.composite
def download_scripts(draw: st.DrawFn) -> list[tuple[str, Answer]]:
    """A chain of up to 7 redirects, then the file host's final answer."""
    steps = draw(st.lists(redirect_steps, max_size=7))
    chain: list[tuple[str, Answer]] = []
    for n, (status, location) in enumerate(steps):
        target = location.format(next=f"/step{n + 1}")
        chain.append((f"/step{n}", Reply(status, headers={"location": target})))
    chain.append((f"/step{len(steps)}", draw(file_answers)))
    return chain


def download_client(chain: list[tuple[str, Answer]], seen: list[RecordingTransport]) -> AsyncClient:
    script = Script()
    for path, answer in chain:
        script.on(path, answer)
    transport = RecordingTransport(script.transport())
    seen.append(transport)
    client, _ = scripted_client(transport, attempts=3, max_download_bytes=MAX_DOWNLOAD)
    return client


def check_file_requests(transport: RecordingTransport) -> None:
    for method, url, headers in transport.seen:
        assert method == "GET"
        assert url.startswith("https://"), f"fetched {url} after starting on https"
        assert "authorization" not in {k.lower() for k in headers}, "the token was sent to the file host"


@PROPERTY
@given(download_scripts())
def test_downloads_end_in_image_bytes_or_a_typed_error(chain: list[tuple[str, Answer]]) -> None:
    seen: list[RecordingTransport] = []
    value = run_call(
        lambda c: c.download(FILE_HOST + "/step0", request_id="r-1"),
        lambda: download_client(chain, seen),
        bytes,
    )
    check_file_requests(seen[0])
    if isinstance(value, bytes):
        assert len(value) <= MAX_DOWNLOAD
        decode_image(value)  # what the client returns is a usable image
    else:
        assert len(seen[0].seen) <= 3 * 6, "retries and redirects are bounded"


urls = st.one_of(
    st.text(max_size=60).map(lambda s: FILE_HOST + "/" + s),
    st.text(max_size=60),
    odd_strings,
)


@PROPERTY
@given(st.lists(urls, min_size=1, max_size=3))
def test_result_urls_of_any_shape_end_in_a_result_or_a_typed_error(image_urls: list[str]) -> None:
    png = png_bytes()

    def make() -> AsyncClient:
        script = Script()
        script.on("/files/a.png", Answer(200, raw=png))
        client, _ = scripted_client(script)
        return client

    answer = JobResult("r-1", "completed", tuple(image_urls))
    run_call(lambda c: c.fetch_result(answer, MODEL), make, object)


# -------------------------------------------------------------------------------- endless bodies

GUARD = 24 * 2**20  # read this much of an endless body and the client has no limit


def endless(status: int, content_type: str = "application/json") -> Callable[[httpx.Request], httpx.Response]:
    return lambda _request: httpx.Response(
        status, headers={"content-type": content_type}, stream=EndlessBody(GUARD)
    )


@pytest.mark.parametrize("status", [200, 404, 429, 500])
@pytest.mark.parametrize("call", ["status", "result", "cancel", "submit"])
def test_an_endless_api_answer_is_cut_off(call: str, status: int) -> None:
    routes = {STATUS: endless(status), RESULT: endless(status), CANCEL: endless(status)}
    routes[SUBMIT] = endless(status)
    calls: dict[str, Callable[[AsyncClient], Awaitable[Any]]] = {
        "status": lambda c: c.status("r-1"),
        "result": lambda c: c.result("r-1"),
        "cancel": lambda c: c.cancel("r-1"),
        "submit": lambda c: c.submit(MODEL, {"prompt": "x"}),
    }
    value = run_call(
        calls[call], lambda: scripted_client(StreamingTransport(routes), attempts=2)[0], IdeogramWidgetsError
    )
    if call == "submit" and status != 429:
        assert isinstance(value, SubmitUncertainError)


@pytest.mark.parametrize("status", [200, 403, 404, 410, 500, 503])
def test_an_endless_file_is_cut_off(status: int) -> None:
    """The file host sends a body that never ends: the client stops reading at its cap, whatever the
    status (an error page is read only as far as its message needs)."""
    routes = {"/files/a.png": endless(status, "text/html")}
    value = run_call(
        lambda c: c.download(FILE_HOST + "/files/a.png"),
        lambda: scripted_client(StreamingTransport(routes), max_download_bytes=MAX_DOWNLOAD)[0],
        IdeogramWidgetsError,
    )
    assert isinstance(value, IdeogramWidgetsError)


# -------------------------------------------------------------------------------- named cases


@pytest.mark.parametrize("name", ["bomb 20000x20000", "bomb 10000x10000", "bomb 6000x6000"])
def test_a_decompression_bomb_is_refused_quickly(name: str) -> None:
    data = sample_files()[name]
    assert len(data) < 100_000  # small on the wire

    def make() -> AsyncClient:
        script = Script()
        script.on("/files/a.png", Answer(200, raw=data, headers={"content-type": "image/png"}))
        return scripted_client(script)[0]

    # refused before decoding (Pillow's pixel limit), so it cannot take long: run_call's CALL_LIMIT is
    # the hang guard, not a wall-clock threshold
    value = run_call(lambda c: c.download(FILE_HOST + "/files/a.png"), make, bytes)
    assert isinstance(value, DownloadError), value
    assert "not a usable image" in str(value)


def test_a_redirect_to_plain_http_is_refused_and_never_fetched() -> None:
    seen: list[RecordingTransport] = []
    chain = [
        ("/step0", Answer(302, headers={"location": FILE_HOST + "/step1"})),
        ("/step1", Answer(301, headers={"location": "http://cdn.test/step2"})),
        ("/step2", Answer(200, raw=png_bytes())),
    ]
    value = run_call(lambda c: c.download(FILE_HOST + "/step0"), lambda: download_client(chain, seen), bytes)
    assert isinstance(value, DownloadError)
    assert "plain http" in str(value)
    check_file_requests(seen[0])
    assert [url for _, url, _ in seen[0].seen] == [FILE_HOST + "/step0", FILE_HOST + "/step1"]


def test_a_redirect_loop_ends() -> None:
    seen: list[RecordingTransport] = []
    chain = [("/step0", Answer(302, headers={"location": "/step0"}))]
    value = run_call(lambda c: c.download(FILE_HOST + "/step0"), lambda: download_client(chain, seen), bytes)
    assert isinstance(value, DownloadError)
    assert "too many redirects" in str(value)


def test_html_instead_of_json_on_every_endpoint() -> None:
    html = Answer(200, raw=b"<html><body>Maintenance</body></html>", headers={"content-type": "text/html"})
    routes = {STATUS: [html], RESULT: [html], CANCEL: [html], SUBMIT: [html]}
    for call, expected in [
        (lambda c: c.status("r-1"), ServerError),
        (lambda c: c.result("r-1"), ServerError),
        (lambda c: c.cancel("r-1"), ServerError),
        (lambda c: c.submit(MODEL, {}), SubmitUncertainError),
    ]:
        value = run_call(call, on_script(routes), object)
        assert isinstance(value, expected), value
        assert "text/html" in str(value)


def test_a_state_that_never_ends_is_a_wait_timeout() -> None:
    routes = {STATUS: [Answer(200, {"status": "warming_up"})]}
    value = run_call(
        lambda c: c.wait("r-1", timeout=0.2, min_interval=0.0, max_interval=0.0), on_script(routes), object
    )
    assert isinstance(value, WaitTimeoutError)
    assert "not cancelled" in str(value)


def test_scripted_clients_talk_to_the_scripted_host() -> None:
    client, _ = scripted_client(Script())
    assert client.base_url == API
    assert "set" in repr(client)
    assert TOKEN not in repr(client)
    asyncio.run(client.aclose())


# One named case per bug the properties above found (each crashed with a non-typed exception, or read
# without limit, before the fix in the package):
NAMED_CASES: dict[str, tuple[str, Answer]] = {
    "json nested deeper than the parser goes (RecursionError)": (STATUS, Answer(200, raw=b"[" * 100_000)),
    "a queue position of '²' (ValueError from int())": (STATUS, Answer(200, {"queue_position": "²"})),
    "a queue position of 5000 digits (ValueError from int())": (
        STATUS,
        Answer(200, {"status": "in_queue", "queue_position": "7" * 5000}),
    ),
    "an error_code of '²' (ValueError from int())": (STATUS, Answer(400, {"error_code": "²"})),
    "a broken gzip Content-Encoding (httpx.DecodingError)": (
        STATUS,
        Answer(200, raw=b"not gzip", headers={"content-encoding": "gzip"}),
    ),
    "a redirect to javascript: (httpx.InvalidURL)": (
        STATUS,
        Answer(302, headers={"location": "javascript:alert(1)"}),
    ),
}


@pytest.mark.parametrize("case", sorted(NAMED_CASES))
def test_named_hostile_status_answers(case: str) -> None:
    path, answer = NAMED_CASES[case]
    run_call(lambda c: c.status("r-1"), on_script({path: [answer]}), JobStatus)


def test_a_submit_answered_with_a_blank_request_id_is_uncertain() -> None:
    value = run_call(
        lambda c: c.submit(MODEL, {}), on_script({SUBMIT: [Answer(200, {"request_id": "   "})]}), object
    )
    assert isinstance(value, SubmitUncertainError)


def test_an_endless_request_id_does_not_make_an_endless_message() -> None:
    body = {"error_code": 500000, "request_id": "r" * 100_000, "error_message": "boom"}
    value = run_call(lambda c: c.model_info(MODEL), on_script({MODEL_INFO: [Answer(500, body)]}), object)
    assert isinstance(value, ServerError)
    assert value.request_id == body["request_id"]  # kept whole on the error, shortened in its message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://cdn.test/files/a.png\n", "not valid"),
        ("https://cdn.test/\x00", "not valid"),
        ("https://h\u00ac\u00ac/files/a.png", ""),
    ],
)
def test_an_invalid_result_url_is_a_download_error(url: str, words: str) -> None:
    value = run_call(lambda c: c.download(url), on_script({}), object)
    assert isinstance(value, IdeogramWidgetsError)
    assert words in str(value)


def test_a_redirect_to_another_scheme_says_which() -> None:
    chain = [("/step0", Answer(302, headers={"location": "ftp://cdn.test/a.png"}))]
    value = run_call(lambda c: c.download(FILE_HOST + "/step0"), lambda: download_client(chain, []), object)
    assert isinstance(value, DownloadError)
    assert "ftp URL" in str(value)


# ---------------------------------------------------------------------------------------------- jobs

GOOD_RESULT = Answer(200, {"status": "completed", "output": {"images": [FILE_HOST + "/files/a.png"]}})


FINAL_STATUSES = [
    Answer(200, {"status": "completed"}),
    Answer(200, {"status": "failed", "error": {"message": "no"}}),
    Answer(200, {"status": "canceled"}),
    Answer(200, {"status": "warming_up"}),  # never ends: the job is stopped at its max_wait
    Answer(404, {"error_code": 404001}),
    Answer(401, {"error_code": 400004}),
]
FINAL_RESULTS = [
    GOOD_RESULT,
    Answer(200, {"status": "completed", "output": {"images": []}}),
    Answer(200, {"status": "failed", "error": "a" * 5000}),
    Answer(200, {"status": "completed", "output": {"image": "https://cdn.test/\x00bad"}}),
    Answer(200, {"status": "completed", "output": {"image": "ftp://cdn.test/files/a.png"}}),
]


@st.composite
def job_scripts(draw: st.DrawFn) -> dict[str, list[Answer]]:
    """A whole job's worth of answers: a submit, status polls, a result and a file. Hostile answers come
    first; each endpoint's last answer (which repeats) is one the service could give for good, so the
    hostility is transient (a service that never stops failing is followed until ``max_wait``: see
    test_a_job_stops_at_its_max_wait_while_the_service_keeps_failing)."""
    good_submit = Answer(200, {"request_id": "r-1"})
    submit = [good_submit] if draw(st.booleans()) else [*draw(answer_lists), good_submit]
    status = [*draw(st.lists(answers(), max_size=3)), draw(st.sampled_from(FINAL_STATUSES))]
    result = [*draw(st.lists(answers(), max_size=3)), draw(st.sampled_from(FINAL_RESULTS))]
    files = [draw(file_answers) if draw(st.booleans()) else Answer(200, raw=png_bytes((24, 16)))]
    return {SUBMIT: submit, STATUS: status, RESULT: result, "/files/a.png": files}


def job_policy(error_delay: float = 0.001) -> PollPolicy:
    return PollPolicy(
        min_interval=0.001,
        floor=0.001,
        max_interval=0.01,
        error_delay=error_delay,
        max_error_delay=2 * error_delay,
        max_rate=0,
    )


def run_job(
    routes: dict[str, list[Answer]], folder: str, policy: PollPolicy, limit: float, max_wait: float = 0.3
) -> tuple[Job, Any]:
    """Submit one small edit through a JobManager on ``routes``; return the Job and its outcome.

    ``limit`` is a hang guard; ``max_wait`` (the manager's) stops a job the script never ends: a test
    whose job must end for another reason passes one far above ``limit``, so no load can stop it first."""
    image = Image.new("RGB", (24, 16), "white")
    mask = np.zeros((16, 24), bool)
    mask[:, :12] = True

    async def scenario() -> tuple[Job, Any]:
        client = on_script(routes)()
        manager = JobManager(
            client, Journal(folder, fsync=False), policy=policy, max_wait=max_wait, durations=DurationModel()
        )
        job = manager.submit(EditInput(image, mask, "hostile", rendering_speed="TURBO"))
        try:
            outcome: Any = await asyncio.wait_for(job._wait(), limit)
        except IdeogramWidgetsError as exc:
            outcome = exc
        except asyncio.TimeoutError:
            pytest.fail(
                f"the job did not end within {limit} s (state {job.state!r}, warning {job.warning!r})"
            )
        finally:
            stop_all()
            await client.aclose()
        return job, outcome

    return asyncio.run(scenario())


@settings(PROPERTY, max_examples=50)
@given(job_scripts())
def test_jobs_fed_hostile_answers_end_with_a_result_or_a_typed_error(routes: dict[str, list[Answer]]) -> None:
    """Through the jobs layer (journal, poller, download): a Job always ends — stopped at its ``max_wait``
    at the latest — with an Output or a typed error, and its journal entry is readable."""
    folder = tempfile.mkdtemp(prefix="iw-faults-")
    try:
        job, outcome = run_job(routes, folder, job_policy(), CALL_LIMIT)
        assert job.done
        assert job.state in FINAL_STATES, job.state
        if isinstance(outcome, Output):
            assert job.state == "completed"
            assert outcome.image.size == (24, 16)
        else:
            check_error(outcome)
            assert job.error
            assert "Traceback" not in job.error
        entry = Journal(folder).read(job.job_id)
        assert entry is not None
        assert entry["request_id"] in (None, "r-1")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_token_refused_while_polling_stops_the_job_but_keeps_it_resumable(tmp_path: Path) -> None:
    """Found by the property above in CI: an auth error on a status poll left the Job "submitted" and
    done. It is "stopped" with the service's error, and the journal still lets resume() try again."""
    routes = {
        SUBMIT: [Answer(200, {"request_id": "r-1"})],
        STATUS: [Answer(401, {"error_code": 400004})],
        RESULT: [
            Answer(200, {"status": "completed", "output": {"images": ["https://cdn.test/files/a.png"]}})
        ],
    }
    # the 401 ends the job: a max_wait beyond the hang guard can never stop it first, however slow the poll
    job, outcome = run_job(routes, str(tmp_path), job_policy(), CALL_LIMIT, max_wait=30.0)
    assert job.done
    assert job.state == "stopped"
    check_error(outcome)
    assert "400004" in job.error
    entry = Journal(str(tmp_path)).read(job.job_id)
    assert entry is not None
    assert needs_resume(entry)


def test_a_job_stops_at_its_max_wait_while_the_service_keeps_failing(tmp_path: Path) -> None:
    html = Answer(503, raw=b"<html>down for maintenance</html>", headers={"content-type": "text/html"})
    routes = {SUBMIT: [Answer(200, {"request_id": "r-1"})], STATUS: [html]}
    job, outcome = run_job(routes, str(tmp_path), job_policy(error_delay=0.02), CALL_LIMIT)
    assert job.state == "stopped"  # max_wait is 0.3 s
    check_error(outcome)


def test_a_very_long_outage_keeps_a_bounded_poll_wait() -> None:
    policy = PollPolicy()
    assert policy.error_wait(2000) <= 2 * policy.max_error_delay


def test_retry_waits_stay_bounded_for_any_attempt() -> None:
    policy = RetryPolicy(attempts=5000, jitter=0.0)
    assert policy.delay(4000) == policy.max_delay
