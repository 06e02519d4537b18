"""SandboxConfig ⇄ command-line flags, and job-duration jitter."""

from __future__ import annotations

import statistics

import httpx
import pytest

from ideogram_widgets.sandbox import SandboxConfig, serve_in_thread
from ideogram_widgets.sandbox.__main__ import config_from_args

from .helpers import box_mask, data_uri, edit_body, scene


@pytest.mark.parametrize(
    "config",
    [
        SandboxConfig(),
        SandboxConfig(
            token="t",
            workers=7,
            speed_scale=0.25,
            duration_jitter=0.3,
            fault_rate=0.5,
            faults=("429", "drop"),
            slow_seconds=0.2,
            fail_rate=0.1,
            result_ttl=9.0,
            seed=3,
            mask_polarity="white_is_edit",
            accept_data_uris=False,
            result_not_ready="400005",
            submit_status=202,
        ),
    ],
)
def test_to_args_is_the_inverse_of_the_command_line(config):
    parsed, _ = config_from_args(["--port", "0", *config.to_args()])
    assert parsed == config


def test_duration_jitter_must_be_a_fraction():
    with pytest.raises(ValueError, match="duration_jitter"):
        SandboxConfig(duration_jitter=1.5)


def run_durations(jitter: float) -> list[float]:
    """The durations the sandbox gave 12 submitted jobs (as ``/_sandbox/jobs`` lists them: what the
    jobs run for by the clock, without the render time a loaded machine adds)."""
    img = scene(32, 24)
    image, mask = data_uri(img), data_uri(box_mask(img.size, (4, 4, 16, 16)))
    with (
        serve_in_thread(
            SandboxConfig(workers=16, speed_scale=0.2, duration_jitter=jitter, seed=1)
        ) as running,
        httpx.Client(base_url=running.url) as client,
    ):
        for i in range(12):
            body = edit_body(image, mask, prompt=f"p{i}")
            client.post("/v1/models/ideogram/ideogram-v3/edit", json=body).raise_for_status()
        jobs = client.get("/_sandbox/jobs").json()
    return [j["duration"] for j in jobs]


def test_jitter_spreads_durations_and_zero_keeps_them_exact():
    exact = run_durations(0.0)
    spread = run_durations(0.5)
    assert exact == [0.2 * 2.0] * 12  # BALANCED 2 s × 0.2, every one
    assert statistics.pstdev(spread) > 0.05
    assert all(0.5 * 0.4 <= d <= 1.5 * 0.4 for d in spread)  # at most 50 % shorter or longer
    assert run_durations(0.5) == spread  # seeded: the same spread again
