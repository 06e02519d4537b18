"""The journal at scale: ``history(limit=10)`` and a ``resume()`` with nothing to resume, at 1,000, 10,000
and 100,000 past jobs.

Each size is a journal folder filled once with finished entries shaped like real ones (settings, input
and result references, an error on every tenth), written through the store's bulk insert. Each run then
times, with ``time.perf_counter``, a fresh ``history(limit=10)`` and a fresh ``resume(client=…)`` (a new
:class:`Journal` object each time, as a new kernel would have) on every size in turn, so the sizes share
the machine's state; growth is the ratio of the 100k time to the 1k time within the same run.

Goals (issue 10, item 5): with 100,000 past jobs ``history(limit=10)`` ≤ 50 ms and ``resume()`` ≤ 250 ms.
0.1's one-file-per-job journal read every entry: 92 ms at 1,000 jobs, 1.5 s at 10,000, 8.5 s at 50,000.
Run: ``python -m benchmarks journal`` (about a minute, most of it filling the 100k journal).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._figures import Figure, print_figures, quick, ratio

BENCHMARK = "journal"
RUNS = 9
SIZES = (1_000, 10_000, 100_000)
HISTORY_GOAL_MS = 50.0
RESUME_GOAL_MS = 250.0


def fill(folder: Path, n: int) -> None:
    """A journal of ``n`` finished jobs."""
    from ideogram_widgets.jobs import Journal

    journal = Journal(folder)
    journal.home.mkdir(parents=True, exist_ok=True)
    start = time.time() - n * 60.0
    entries = []
    for i in range(n):
        failed = i % 10 == 0
        image = {"path": f"inputs/{i:064d}.png", "sha256": "0" * 64, "width": 1024, "height": 768}
        mask = {**image, "path": f"inputs/{i + 1:064d}.png", "meaning": "white = edit"}
        result = {"path": f"results/{i:064d}.png", "sha256": "2" * 64, "bytes": 1}
        entries.append(
            {
                "id": f"{Journal.new_id(start + i * 60.0)}-{i:06d}",
                "request_id": f"req-{i:06d}",
                "model_id": "ideogram/ideogram-v3/edit",
                "backend": "local sandbox",
                "label": "local sandbox",
                "base_url": "http://sandbox.localhost/v1",
                "state": "failed" if failed else "completed",
                "params": {"prompt": f"a red door, take {i}", "rendering_speed": "TURBO", "seed": i},
                "inputs": {"image": image, "mask": mask},
                "created_at": start + i * 60.0,
                "updated_at": start + i * 60.0 + 9.0,
                "finished_at": start + i * 60.0 + 9.0,
                "files": [] if failed else [result],
                "downloaded": not failed,
                "error": {"type": "JobFailedError", "message": "the job failed"} if failed else None,
            }
        )
    journal.store.put_many(entries)


def one_history(folder: Path) -> float:
    from ideogram_widgets.jobs import Journal, history

    started = time.perf_counter()
    found = history(journal=Journal(folder), limit=10)
    elapsed = time.perf_counter() - started
    assert len(found) == 10
    return elapsed * 1000


def one_resume(folder: Path) -> float:
    from ideogram_widgets.api import AsyncClient
    from ideogram_widgets.jobs import Journal, resume

    client = AsyncClient(None, base_url="http://127.0.0.1:9/v1")  # never called: nothing to resume
    started = time.perf_counter()
    report = resume(client=client, journal=Journal(folder))
    elapsed = time.perf_counter() - started
    assert report == []
    return elapsed * 1000


def run(runs: int, sizes: tuple[int, ...]) -> list[Figure]:
    root = Path(tempfile.mkdtemp(prefix="bench-journal-"))
    try:
        folders = {}
        for n in sizes:
            folders[n] = root / f"n{n}"
            started = time.perf_counter()
            fill(folders[n], n)
            print(f"  filled a journal of {n:,} jobs in {time.perf_counter() - started:.1f} s", flush=True)
        history_ms: dict[int, list[float]] = {n: [] for n in sizes}
        resume_ms: dict[int, list[float]] = {n: [] for n in sizes}
        for n in sizes:  # one untimed pass: the files in the OS cache, as in a working session
            one_history(folders[n])
            one_resume(folders[n])
        for _ in range(runs):
            for n in sizes:
                history_ms[n].append(one_history(folders[n]))
                resume_ms[n].append(one_resume(folders[n]))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    figures: list[Figure] = []
    largest, smallest = sizes[-1], sizes[0]
    for what, samples, goal in (
        ("history(limit=10)", history_ms, HISTORY_GOAL_MS),
        ("resume() with nothing to resume", resume_ms, RESUME_GOAL_MS),
    ):
        by_size = {}
        for n in sizes:
            at_goal = n == 100_000
            figure = Figure(
                BENCHMARK,
                f"{what} at {n:,} jobs",
                "ms",
                samples[n],
                goal=f"≤ {goal:.0f} ms" if at_goal else None,
                chart="journal: history and resume",
            )
            if at_goal:
                figure.met = figure.median <= goal
            by_size[n] = figure
            figures.append(figure)
        figures.append(
            ratio(
                BENCHMARK,
                by_size[largest],
                by_size[smallest],
                name=f"{what}: growth {largest:,} ÷ {smallest:,} jobs",
                note="1.0 = independent of the journal's size",
            )
        )
    return figures


def main() -> list[Figure]:
    runs, sizes = (3, SIZES[:2]) if quick() else (RUNS, SIZES)
    figures = run(runs, sizes)
    print(f"{runs} runs over journals of {', '.join(f'{n:,}' for n in sizes)} jobs ({sys.executable})")
    print_figures(figures)
    return figures


if __name__ == "__main__":
    main()
