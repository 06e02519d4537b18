"""Typed errors from the service's answers, and the retry schedule."""

from __future__ import annotations

import random

import pytest

from ideogram_widgets.api import (
    AuthenticationError,
    InsufficientBalanceError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    ServiceValidationError,
    UnknownModelError,
)
from ideogram_widgets.api._errors import error_from_response
from ideogram_widgets.api._retry import parse_retry_after


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"error_code": 400001, "error_message": "unknown model"}, UnknownModelError),
        (402, {"error_code": 400002, "message": "no balance"}, InsufficientBalanceError),
        (401, {"error_code": 400004, "error_message": "token expired"}, AuthenticationError),
        (401, {}, AuthenticationError),
        (403, {"error_code": 403001}, PermissionDeniedError),
        (404, {"error_code": 404001, "detail": "expired"}, NotFoundError),
        (422, {"detail": [{"loc": ["seed"]}]}, ServiceValidationError),
        (429, {"message": "slow down"}, RateLimitError),
        (500, "<html>oops</html>", ServerError),
        (503, None, ServerError),
        (200, {"error_code": 400004, "error_message": "inactive"}, AuthenticationError),
        (200, {"error_code": 500123}, ServerError),
        (418, {"error_code": "999"}, ServiceValidationError),
    ],
)
def test_answers_map_to_typed_errors(status, body, cls):
    err = error_from_response(status, body, request_id="r-1")
    assert type(err) is cls
    assert err.status == status
    assert err.request_id == "r-1"
    assert f"HTTP {status}" in str(err)


def test_error_keeps_code_message_and_detail():
    err = error_from_response(404, {"error_code": 404001, "error_message": "gone", "detail": {"x": 1}})
    assert (err.error_code, err.message, err.detail) == (404001, "gone", {"x": 1})
    assert str(err) == "gone (HTTP 404, error_code 404001)"


def test_huge_html_bodies_are_shortened():
    err = error_from_response(502, "<html>" + "x" * 10_000)
    assert len(err.message) <= 300


def test_backoff_doubles_up_to_the_cap_with_jitter_below_it():
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.5)
    rng = random.Random(1)
    for n, ceiling in enumerate([1, 2, 4, 5, 5]):
        delay = policy.delay(n, rng=rng)
        assert ceiling * 0.5 <= delay <= ceiling


def test_retry_after_is_honoured_up_to_a_cap():
    policy = RetryPolicy(max_retry_after=10.0)
    assert policy.delay(3, retry_after=2.0) == 2.0
    assert policy.delay(0, retry_after=3600.0) == 10.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), ("0", 0.0), ("-4", 0.0), ("", None), (None, None), ("soon", None), ("nan", None)],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header) == seconds


def test_parse_retry_after_http_date():
    from datetime import datetime, timezone

    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now=now) == 30.0
