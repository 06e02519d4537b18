"""The polling policy and the duration model (pure logic, no I/O)."""

from __future__ import annotations

import itertools
import random

import pytest

from ideogram_widgets.api import RetryPolicy
from ideogram_widgets.jobs._schedule import DurationModel, Estimate, PollPolicy, Track

EXACT = PollPolicy(jitter=0.0)


def test_fast_after_submit_then_backs_off_to_a_cap() -> None:
    track = Track.start(0.0)
    delays = []
    now = 0.0
    for _ in range(60):
        delay = EXACT.next_delay(track, now)
        delays.append(delay)
        now += delay
    assert delays[0] == pytest.approx(0.1)
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(delays)), "never speeds up unprompted"
    assert max(delays) <= EXACT.max_interval
    # the wait never exceeds 10 % of the time already waited (or the floor)
    t = 0.0
    for delay in delays:
        assert delay <= max(EXACT.floor, EXACT.relative * t) + 1e-9
        t += delay


def test_a_change_of_state_makes_it_fast_again() -> None:
    track = Track.start(0.0)
    now = 0.0
    for _ in range(30):
        now += EXACT.next_delay(track, now)
    slow = EXACT.next_delay(track, now)
    assert slow > 0.5
    assert track.observe("in_progress", now, now + 0.01) is True
    assert EXACT.next_delay(track, now) == pytest.approx(EXACT.min_interval)


def test_queue_position_change_counts_as_a_change_but_keeps_the_backoff() -> None:
    track = Track.start(0.0)
    assert track.observe("in_queue", 0.1, 0.11, 3)
    assert track.observe("in_queue", 0.3, 0.31, 2)  # a change to show, same state
    assert not track.observe("in_queue", 0.5, 0.51, 2)


def test_a_learned_duration_aims_just_after_a_tight_end() -> None:
    track = Track.start(0.0)  # submitted at 0: it cannot have started before
    track.observe("in_progress", 0.1, 0.12)  # never queued: its run counts from the submit
    estimate = Estimate(lo=10.0, mid=10.1, hi=10.2, samples=10)
    fine = EXACT.fine(estimate)
    assert fine == pytest.approx(0.04 * 10.1)
    assert EXACT.next_delay(track, 0.12, estimate) == pytest.approx(10.2 - 0.12)
    assert track.aimed
    assert EXACT.next_delay(track, 10.3, estimate) == pytest.approx(fine)  # then fine steps
    # long overdue: the estimate did not hold; back off relative to the time waited
    late = EXACT.next_delay(track, 30.0, estimate)
    assert fine < late <= EXACT.relative * 30.0


def test_spread_out_run_times_aim_one_fine_step_after_the_earliest_end() -> None:
    track = Track.start(0.0)
    track.observe("in_progress", 0.1, 0.12)
    estimate = Estimate(lo=8.0, mid=10.0, hi=14.0, samples=10)
    assert EXACT.next_delay(track, 0.12, estimate) == pytest.approx(8.0 + EXACT.fine(estimate) - 0.12)


def test_a_queued_job_counts_its_run_from_the_seen_start() -> None:
    track = Track.start(0.0)
    track.observe("in_queue", 0.1, 0.12, 0)
    track.observe("in_queue", 3.0, 3.02, 0)
    track.observe("in_progress", 3.2, 3.22)
    assert track.start_estimate() == pytest.approx((3.0 + 3.22) / 2)
    estimate = Estimate(lo=2.0, mid=2.0, hi=2.0, samples=3)
    assert EXACT.next_delay(track, 3.22, estimate) == pytest.approx(3.11 + 2.0 - 3.22)


def test_aimed_sleep_is_capped_and_only_jittered_early() -> None:
    policy = PollPolicy(jitter=0.3, rng=random.Random(1))
    estimate = Estimate(lo=100.0, mid=100.0, hi=100.0, samples=3)
    for _ in range(50):
        track = Track.start(0.0)
        track.observe("in_progress", 0.1, 0.12)
        assert policy.next_delay(track, 0.12, estimate) <= policy.max_sleep
    estimate = Estimate(lo=5.0, mid=5.0, hi=5.0, samples=3)
    for _ in range(50):
        track = Track.start(0.0)
        track.observe("in_progress", 0.1, 0.12)
        assert 5.0 - 0.12 - 0.01 <= policy.next_delay(track, 0.12, estimate) <= 5.0 - 0.12 + 1e-9


def test_next_in_line_is_watched_closely_when_the_run_time_is_known() -> None:
    track = Track.start(0.0)
    now = 0.0
    for _ in range(40):
        track.observe("in_queue", now, now, 5)
        now += EXACT.next_delay(track, now, Estimate(2.0, 2.0, 2.0, 5))
    far = EXACT.next_delay(track, now, Estimate(2.0, 2.0, 2.0, 5))
    track.observe("in_queue", now, now, 0)
    near = EXACT.next_delay(track, now, Estimate(2.0, 2.0, 2.0, 5))
    assert near <= 0.5 < far


def test_jitter_stays_in_bounds() -> None:
    policy = PollPolicy(jitter=0.2, rng=random.Random(7))
    for _ in range(200):
        track = Track.start(0.0)
        assert 0.08 - 1e-9 <= policy.next_delay(track, 0.0) <= 0.12 + 1e-9


def test_errors_back_off_and_honour_retry_after() -> None:
    assert [EXACT.error_wait(n) for n in (1, 2, 3, 10)] == [1.0, 2.0, 4.0, 30.0]
    assert EXACT.error_wait(1, retry_after=7.0) == 7.0
    assert EXACT.error_wait(1, retry_after=10_000.0) == 60.0  # capped


def test_poll_errors_back_off_exactly_like_the_clients_retries() -> None:
    # one arithmetic (api.retry.backoff): the same draws give the same waits, jitter only shortens
    polls = PollPolicy(error_delay=0.5, max_error_delay=8.0, jitter=0.5, rng=random.Random(3))
    retries = RetryPolicy(base_delay=0.5, max_delay=8.0, jitter=0.5, max_retry_after=16.0)
    rng = random.Random(3)
    for n in range(12):
        wait = polls.error_wait(n + 1)
        assert wait == retries.delay(n, rng=rng)
        assert 0.5 * min(8.0, 0.5 * 2**n) <= wait <= min(8.0, 0.5 * 2**n)
    assert polls.error_wait(4, retry_after=0.2) == retries.delay(3, retry_after=0.2) == 0.2
    assert polls.error_wait(1, retry_after=99.0) == retries.delay(0, retry_after=99.0) == 16.0


def test_run_time_from_the_brackets() -> None:
    track = Track.start(10.0)
    track.observe("in_queue", 10.5, 10.6, 0)
    track.observe("in_progress", 11.0, 11.1)  # started between 10.5 and 11.1
    track.observe("in_progress", 13.0, 13.1)
    assert track.run_time(13.3) == pytest.approx((13.0 + 13.3) / 2 - (10.5 + 11.1) / 2)
    assert track.run_time(20.0) is None  # the end was not seen closely: nothing to learn
    unseen = Track.start(0.0, submitted=False, state="in_progress")
    assert unseen.run_time(5.0) is None


def test_run_time_from_the_services_own_times() -> None:
    never_queued = Track.start(0.0)
    never_queued.observe("in_progress", 0.1, 0.12)
    assert never_queued.run_time(9.0, server_total=2.5) == pytest.approx(2.5)
    queued = Track.start(0.0)
    queued.observe("in_queue", 0.1, 0.12, 1)
    queued.observe("in_queue", 1.8, 1.82, 0)
    queued.observe("in_progress", 1.9, 2.1)  # started between 1.8 and 2.1: waited about 1.95 s
    assert queued.run_time(9.0, server_total=5.0) == pytest.approx(5.0 - 1.95)


def test_duration_model_quantiles_and_window() -> None:
    model = DurationModel(window=5)
    assert model.estimate("k") is None
    for s in (1, 2, 3, 4, 5, 100, 101, 102, 103, 104):
        model.add("k", float(s))
    est = model.estimate("k")
    assert est is not None
    assert (est.lo, est.mid, est.hi, est.samples) == (100.0, 102.0, 104.0, 5)
    model.add("k", -1.0)  # nonsense is ignored
    assert model.estimate("k") == est
    model.clear()
    assert model.estimate("k") is None
