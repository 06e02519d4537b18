"""Jobs: how soon a finished job is noticed, at what cost in requests, the event-loop lag while many jobs
poll, and a 500-job batch against the ideal.

Everything runs against sandboxes served over real HTTP from their own processes (jobs of known duration:
TURBO/BALANCED/QUALITY = 1/2/4 s × ``speed_scale``). Server-side times come from ``/_sandbox/jobs``.

1. Detection delay (server ``finished_at`` → the Job shows ``completed``, result answer included) and
   status+result requests per job, for the adaptive poller and for fixed-interval polling at 0.1 s and 0.5 s,
   side by side in the same run (same sandboxes, same moments). Each duration class runs in waves, so the
   adaptive poller starts cold and then uses what it learned.
2. Event-loop lag (a 10 ms ticker) while 200 jobs poll.
3. Wall time of a 500-job batch at concurrency 32 against the ideal ``ceil(500 / 32) × duration``, for
   2 s (BALANCED) and 1 s (TURBO) jobs. (A real Ideogram job takes several seconds; 1 s jobs make any
   per-job overhead stand out.)

"Requests per job" counts status *and* result requests: near a learned end the adaptive poller asks for
the result itself (it answers the current state while the job runs), so it often needs no separate one.
Every figure depends on the machine: the load average is printed with them.

Goals (issue 4): median detection ≤ 300 ms for jobs under 10 s and ≤ 5 % of the duration beyond; fewer
requests per job than 0.5 s fixed polling; loop lag p99 ≤ 20 ms; batch within 1.15× of the ideal.

Repetitions: detection runs in 5 waves (a figure's samples are its jobs, 30 per class and strategy; the
ratios are per wave), the loop-lag measure and each batch run 5 times. ``main()`` returns the figures.

Run: ``python -m benchmarks jobs`` (about eight minutes).
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from benchmarks._figures import Figure, print_figures
from ideogram_widgets.api import AsyncClient, EditInput
from ideogram_widgets.api._wire import TERMINAL_STATES
from ideogram_widgets.jobs import JobManager, Journal, run_batch
from ideogram_widgets.jobs._manager import DURATIONS
from ideogram_widgets.sandbox import SandboxConfig, serve_in_process

ROOT = Path(__file__).resolve().parents[1]
SPEEDS = {"TURBO": 1.0, "BALANCED": 2.0, "QUALITY": 4.0}


@contextmanager
def sandbox(**options: Any) -> Iterator[str]:
    """A sandbox in its own process (its own CPU, as a real service would be); yields its base URL."""
    with serve_in_process(SandboxConfig(**options)) as running:
        yield running.url


class Counting(httpx.AsyncBaseTransport):
    """Counts status and result requests per request id."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.per_id: dict[str, int] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        m = re.search(r"/requests/([^/]+)/(status|result)$", request.url.path)
        if m:
            self.per_id[m.group(1)] = self.per_id.get(m.group(1), 0) + 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def server_jobs(url: str) -> list[dict[str, Any]]:
    """``/_sandbox/jobs``: every job the sandbox ran, with its server-side times."""
    async with httpx.AsyncClient() as raw:
        answer: list[dict[str, Any]] = (await raw.get(f"{url}/_sandbox/jobs")).json()
    return answer


def client_for(url: str) -> tuple[AsyncClient, Counting]:
    transport = Counting()
    return AsyncClient(None, base_url=f"{url}/v1", transport=transport), transport


def edit_input(tag: str, speed: str) -> EditInput:
    img = Image.new("RGB", (48, 40), "white")
    mask = np.zeros((40, 48), bool)
    mask[:, :24] = True
    return EditInput(img, mask, tag, rendering_speed=speed)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


@dataclasses.dataclass
class Seen:
    strategy: str
    duration: float
    tag: str = ""
    request_id: str = ""
    noticed_at: float = 0.0
    requests: int = 0


# ----------------------------------------------------------------------------- 1. detection


async def adaptive_one(manager: JobManager, tag: str, speed: str, duration: float, out: list[Seen]) -> None:
    job = manager.submit(edit_input(tag, speed))
    seen = Seen("adaptive", duration, tag)

    def noticed(change: dict[str, Any]) -> None:
        if change["new"] == "completed":
            seen.noticed_at = time.time()

    job.observe(noticed, "state")
    await job
    seen.request_id = job.request_id
    out.append(seen)


async def fixed_one(
    client: AsyncClient, interval: float, tag: str, speed: str, duration: float, out: list[Seen]
) -> None:
    seen = Seen(f"fixed {interval:g} s", duration, tag)
    submission = await client.submit_input(edit_input(tag, speed))
    seen.request_id = submission.request_id
    while True:
        await asyncio.sleep(interval)
        status = await client.status(submission.request_id)
        if status.state in TERMINAL_STATES:
            await client.result(submission.request_id)
            seen.noticed_at = time.time()
            break
    out.append(seen)


async def detection(urls: dict[float, str], waves: int, per_wave: int) -> list[dict[str, Any]]:
    out: list[Seen] = []
    rng = random.Random(4)
    journal = Journal(tempfile.mkdtemp(prefix="bench-jobs-"), fsync=True)
    clients = {scale: client_for(url) for scale, url in urls.items()}
    fixed_clients = {(scale, iv): client_for(url) for scale, url in urls.items() for iv in (0.1, 0.5)}

    async def one_class(scale: float, speed: str) -> None:
        duration = SPEEDS[speed] * scale
        manager = JobManager(clients[scale][0], journal, keep_images=False)
        for wave in range(waves):
            runs = []
            for i in range(per_wave):
                delay = rng.uniform(0.0, 1.0)
                tag = f"{scale}-{speed}-{wave}-{i}"

                async def later(coro: Any, delay: float = delay) -> None:
                    await asyncio.sleep(delay)
                    await coro

                runs.append(later(adaptive_one(manager, tag, speed, duration, out)))
                for iv in (0.1, 0.5):
                    client = fixed_clients[(scale, iv)][0]
                    runs.append(later(fixed_one(client, iv, tag + f"-{iv}", speed, duration, out)))
            await asyncio.gather(*runs)

    await asyncio.gather(*(one_class(scale, speed) for scale in urls for speed in SPEEDS))
    finished: dict[str, float] = {}
    for url in urls.values():
        for job in await server_jobs(url):
            finished[job["request_id"]] = job["finished_at"]
    counters = [t for _, t in clients.values()] + [t for _, t in fixed_clients.values()]
    rows = []
    for seen in out:
        seen.requests = sum(c.per_id.get(seen.request_id, 0) for c in counters)
        rows.append(
            {
                "strategy": seen.strategy,
                "duration": seen.duration,
                "delay": seen.noticed_at - finished[seen.request_id],
                "requests": seen.requests,
                "wave": int(seen.tag.split("-")[2]),  # tag: scale-speed-wave-i
            }
        )
    for client, _ in list(clients.values()) + list(fixed_clients.values()):
        await client.aclose()
    return rows


def detection_table(rows: list[dict[str, Any]]) -> list[str]:
    head = f"{'job':>6} {'strategy':>12} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'median %':>9}"
    lines = [head + f" {'req/job':>8}"]
    for duration in sorted({r["duration"] for r in rows}):
        for strategy in ("adaptive", "fixed 0.1 s", "fixed 0.5 s"):
            sel = [r for r in rows if r["duration"] == duration and r["strategy"] == strategy]
            delays = [r["delay"] for r in sel]
            median = statistics.median(delays)
            lines.append(
                f"{duration:>5g}s {strategy:>12} {len(sel):>4} {median * 1000:>10.0f} "
                f"{pct(delays, 0.95) * 1000:>8.0f} {100 * median / duration:>8.1f}% "
                f"{statistics.mean(r['requests'] for r in sel):>8.2f}"
            )
    return lines


# ----------------------------------------------------------------------------- 2. loop lag


async def _submitted(job: Any) -> None:
    """Until the job has its request id (or ended)."""
    answered = asyncio.Event()

    def check(_: Any = None) -> None:
        if job.request_id or job.done:
            answered.set()

    job.observe(check, names=["request_id", "done"])
    check()
    await answered.wait()


async def loop_lag(url: str, jobs: int, seconds: float) -> dict[str, Any]:
    client, counter = client_for(url)
    manager = JobManager(client, Journal(tempfile.mkdtemp(prefix="bench-jobs-")), keep_images=False)
    inputs = [edit_input(f"lag-{i}", "QUALITY") for i in range(jobs)]
    running = [manager.submit(inp) for inp in inputs]
    await asyncio.gather(*(_submitted(job) for job in running))
    await asyncio.sleep(1.0)
    before = sum(counter.per_id.values())
    lags: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        lags.append(time.perf_counter() - started - 0.01)
    polls = sum(counter.per_id.values()) - before
    polling = sum(1 for j in running if j.state in ("in_queue", "in_progress"))
    for job in running:
        job.stop()
    await client.aclose()
    return {
        "p50": statistics.median(lags),
        "p99": pct(lags, 0.99),
        "max": max(lags),
        "polling": polling,
        "polls_per_s": polls / seconds,
        "load": os.getloadavg()[0],
        "lags": lags,
    }


# ----------------------------------------------------------------------------- 3. batch


async def batch(url: str, n: int, concurrency: int, speed: str, scale: float) -> dict[str, float]:
    client, _ = client_for(url)
    manager = JobManager(client, Journal(tempfile.mkdtemp(prefix="bench-jobs-")))
    duration = SPEEDS[speed] * scale
    inputs = [edit_input(f"batch-{i}", speed) for i in range(n)]
    started = time.monotonic()
    items = await run_batch(inputs, concurrency=concurrency, manager=manager, progress=False)
    wall = time.monotonic() - started
    await client.aclose()
    server = await server_jobs(url)
    runs = [j["finished_at"] - j["started_at"] for j in server]
    waves = math.ceil(n / concurrency)
    return {
        "wall": wall,
        "ideal": waves * duration,
        "ideal_server": waves * statistics.median(runs),
        "ok": sum(i.ok for i in items),
        "load": os.getloadavg()[0],
    }


# ----------------------------------------------------------------------------- main

BENCHMARK = "jobs"
WAVES = 5
LAG_RUNS = 5
BATCH_RUNS = 5
STRATEGIES = ("adaptive", "fixed 0.1 s", "fixed 0.5 s")
DELAY_CHART = "Jobs: completion detection delay, jobs of 1–5 s (ms)"
LONG_CHART = "Jobs: completion detection delay, jobs of 10–20 s (% of the job's duration)"
LAG_CHART = "Jobs: event-loop lag while 200 jobs poll (ms per 10 ms tick)"


def detection_figures(rows: list[dict[str, Any]]) -> list[Figure]:
    figures = []
    for strategy in STRATEGIES:
        mine = [r for r in rows if r["strategy"] == strategy]
        short = Figure(
            BENCHMARK,
            f"detection delay, jobs < 10 s, {strategy}",
            "ms",
            [r["delay"] * 1000 for r in mine if r["duration"] < 10],
            per="job",
            chart=DELAY_CHART,
        )
        long = Figure(
            BENCHMARK,
            f"detection delay, jobs ≥ 10 s, {strategy}",
            "%",
            [100 * r["delay"] / r["duration"] for r in mine if r["duration"] >= 10],
            per="job",
            chart=LONG_CHART,
        )
        if strategy == "adaptive":
            short.goal, short.met = "≤ 300 ms", short.median <= 300
            long.goal, long.met = "≤ 5 % of the duration", long.median <= 5
        figures += [short, long]
    for strategy in STRATEGIES:
        figures.append(
            Figure(
                BENCHMARK,
                f"requests per job (status + result), {strategy}",
                "",
                [r["requests"] for r in rows if r["strategy"] == strategy],
                per="job",
                note="jobs of 1–20 s",
            )
        )
    waves = sorted({r["wave"] for r in rows})

    def per_wave(strategy: str, wave: int) -> list[dict[str, Any]]:
        return [r for r in rows if r["strategy"] == strategy and r["wave"] == wave]

    for fixed in STRATEGIES[1:]:
        requests = [
            statistics.mean(r["requests"] for r in per_wave("adaptive", w))
            / statistics.mean(r["requests"] for r in per_wave(fixed, w))
            for w in waves
        ]
        figure = Figure(
            BENCHMARK,
            f"requests per job, adaptive ÷ {fixed}",
            "×",
            requests,
            ratio_to=f"requests per job (status + result), {fixed}",
            per="wave",
            note="mean per job in each wave; the first wave starts cold",
        )
        if fixed == "fixed 0.5 s":
            figure.goal, figure.met = "< 1× (fewer than 0.5 s polling)", figure.median < 1
        delays = [
            statistics.median(r["delay"] for r in per_wave("adaptive", w) if r["duration"] < 10)
            / statistics.median(r["delay"] for r in per_wave(fixed, w) if r["duration"] < 10)
            for w in waves
        ]
        figures += [
            figure,
            Figure(
                BENCHMARK,
                f"median detection delay, jobs < 10 s, adaptive ÷ {fixed}",
                "×",
                delays,
                ratio_to=f"detection delay, jobs < 10 s, {fixed}",
                per="wave",
            ),
        ]
    return figures


def main() -> list[Figure]:
    DURATIONS.clear()
    report: list[str] = []
    figures: list[Figure] = []
    # real jobs vary in length: ±30 % jitter, so no fixed interval happens to line up with exact durations
    jitter = 0.3
    with (
        sandbox(workers=256, speed_scale=1.0, duration_jitter=jitter) as fast,
        sandbox(workers=256, speed_scale=5.0, duration_jitter=jitter) as slow,
    ):
        rows = asyncio.run(detection({1.0: fast, 5.0: slow}, waves=WAVES, per_wave=6))
    report += ["detection delay (server finished_at → Job completed) and status+result requests per job:"]
    report += ["  " + line for line in detection_table(rows)]
    adaptive = [r for r in rows if r["strategy"] == "adaptive"]
    short = [r["delay"] for r in adaptive if r["duration"] < 10]
    long = [r["delay"] / r["duration"] for r in adaptive if r["duration"] >= 10]
    req = {
        s: statistics.mean(r["requests"] for r in rows if r["strategy"] == s)
        for s in {r["strategy"] for r in rows}
    }
    report += [
        f"  adaptive, jobs < 10 s: median {statistics.median(short) * 1000:.0f} ms (goal ≤ 300 ms)",
        f"  adaptive, jobs ≥ 10 s: median {100 * statistics.median(long):.1f} % of the duration (goal ≤ 5 %)",
        f"  requests per job: adaptive {req['adaptive']:.2f}, fixed 0.5 s {req['fixed 0.5 s']:.2f}, "
        f"fixed 0.1 s {req['fixed 0.1 s']:.2f} (goal: adaptive < fixed 0.5 s)",
    ]
    figures += detection_figures(rows)
    ticks: list[float] = []
    p99s: list[float] = []
    for _ in range(LAG_RUNS):
        with sandbox(workers=64, speed_scale=5.0) as url:
            lag = asyncio.run(loop_lag(url, jobs=200, seconds=8.0))
        ticks += lag.pop("lags")
        p99s.append(lag["p99"] * 1000)
        report += [
            f"event-loop lag while {lag['polling']:.0f} jobs poll ({lag['polls_per_s']:.0f} polls/s): "
            f"p50 {lag['p50'] * 1000:.1f} ms, p99 {lag['p99'] * 1000:.1f} ms, max {lag['max'] * 1000:.1f} ms "
            f"(goal p99 ≤ 20 ms; load average {lag['load']:.1f} on {os.cpu_count()} CPUs)"
        ]
    p99 = Figure(BENCHMARK, "event-loop lag p99, 200 jobs polling", "ms", p99s, note="p99 of each 8 s run")
    p99.goal, p99.met = "≤ 20 ms", p99.median <= 20
    figures += [
        Figure(BENCHMARK, "event-loop lag, 200 jobs polling", "ms", [t * 1000 for t in ticks], per="tick",
               chart=LAG_CHART, note="every 10 ms tick of every run"),
        p99,
    ]  # fmt: skip
    batches: dict[str, list[dict[str, float]]] = {"BALANCED": [], "TURBO": []}
    for _ in range(BATCH_RUNS):
        for speed in ("BALANCED", "TURBO"):
            with sandbox(workers=32, speed_scale=1.0) as url:
                b = asyncio.run(batch(url, n=500, concurrency=32, speed=speed, scale=1.0))
            batches[speed].append(b)
            report += [
                f"batch of 500 {speed} ({SPEEDS[speed]:g} s) jobs at concurrency 32 ({b['ok']:.0f} ok): "
                f"{b['wall']:.1f} s, ideal {b['ideal']:.1f} s → {b['wall'] / b['ideal']:.3f}× "
                "(goal ≤ 1.15×); "
                f"against the server's own run times ({b['ideal_server']:.1f} s) "
                f"{b['wall'] / b['ideal_server']:.3f}×; load average {b['load']:.1f}"
            ]
    for speed, runs in batches.items():
        label = f"500 {speed} ({SPEEDS[speed]:g} s) jobs at concurrency 32"
        ideal = runs[0]["ideal"]
        wall = Figure(BENCHMARK, f"batch wall time, {label}", "s", [b["wall"] for b in runs])
        vs = Figure(
            BENCHMARK,
            f"batch wall time ÷ ideal, {label}",
            "×",
            [b["wall"] / b["ideal"] for b in runs],
            ratio_to=f"ideal ceil(500 / 32) × {SPEEDS[speed]:g} s = {ideal:g} s",
            note=f"{sum(500 - b['ok'] for b in runs):.0f} jobs failed"
            if any(b["ok"] < 500 for b in runs)
            else "",
        )
        vs.goal, vs.met = "≤ 1.15×", vs.median <= 1.15
        figures += [wall, vs]
    print("\n".join(report), flush=True)
    print_figures(figures)
    return figures


if __name__ == "__main__":
    main()
