"""Reading timestamps: one function for the journal's numbers and the service's ISO 8601 texts."""

from __future__ import annotations

import math

import pytest

from ideogram_widgets.api._wire import JobResult
from ideogram_widgets.jobs._poller import _server_total
from ideogram_widgets.jobs._rows import instant

NOON = 1735732800.0  # 2025-01-01T12:00:00Z


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (NOON, NOON),
        (int(NOON), NOON),
        ("2025-01-01T12:00:00Z", NOON),
        ("2025-01-01T12:00:00z", NOON),
        (" 2025-01-01T12:00:00.250Z ", NOON + 0.25),
        ("2025-01-01T13:00:00+01:00", NOON),
        ("2025-01-01T12:00:00", NOON),  # no zone: UTC, as the service means it
        ("yesterday", None),
        ("", None),
        (None, None),
        (True, None),
        (math.nan, None),
        ({"at": NOON}, None),
    ],
)
def test_instant_reads_numbers_and_iso_texts_and_nothing_else(value: object, seconds: float | None) -> None:
    assert instant(value) == seconds


def test_the_poller_learns_the_services_own_run_time_only_when_it_is_sane() -> None:
    def total(created: str | None, finished: str | None) -> float | None:
        answer = JobResult("r", "completed", created_at=created, finished_at=finished)
        return _server_total(answer)

    assert total("2025-01-01T12:00:00Z", "2025-01-01T12:00:02.5Z") == 2.5
    assert total("2025-01-01T12:00:02Z", "2025-01-01T12:00:00Z") is None  # backwards
    assert total("2025-01-01T12:00:00Z", "2025-01-03T12:00:00Z") is None  # two days: not a run time
    assert total("2025-01-01T12:00:00Z", "soon") is None
    assert total(None, "2025-01-01T12:00:00Z") is None
