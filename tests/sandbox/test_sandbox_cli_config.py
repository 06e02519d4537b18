"""SandboxConfig ⇄ command-line flags, and job-duration jitter."""

from __future__ import annotations

import statistics
import time

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
        for _ in range(200):
            jobs = client.get("/_sandbox/jobs").json()
            jobs = jobs["jobs"] if isinstance(jobs, dict) else jobs
            if all(j["finished_at"] for j in jobs):
                break
            time.sleep(0.05)
    return [j["finished_at"] - j["started_at"] for j in jobs]


def test_jitter_spreads_durations_and_zero_keeps_them_exact():
    exact = run_durations(0.0)
    spread = run_durations(0.5)
    assert statistics.pstdev(exact) < 0.03  # only render time varies
    assert statistics.pstdev(spread) > 2 * statistics.pstdev(exact)
    assert min(spread) >= 0.5 * 0.2 * 2.0 * 0.9  # BALANCED 2 s × 0.2, at most 50 % shorter
