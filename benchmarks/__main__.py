"""Run the benchmarks and publish their figures: ``python -m benchmarks [name ...]``.

Every ``benchmarks/bench_*.py`` module has ``main() -> list[Figure]`` and prints its own text. This
runner collects the figures and writes, in ``benchmarks/results/``:

- ``figures.json``: every figure with all its samples, and the facts of each benchmark's run;
- ``RESULTS.md``: the table (benchmark, figure, median, spread, goal, met) and the machine facts;
- ``latency.png``: box plots of the latency distributions;

and replaces the text between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` in README.md.

With names (``python -m benchmarks import payload``; a name matches a module containing it) only those
benchmarks run; the figures of the others are kept from ``figures.json``, and the run table says when
and on which commit each benchmark last ran. ``--out DIR`` writes the three files to DIR instead and
leaves README.md alone (quick runs with ``IDEOGRAM_BENCH_QUICK=1`` always do).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
import traceback
from pathlib import Path

from benchmarks._figures import (
    RESULTS_DIR,
    ROOT,
    Figure,
    Results,
    RunInfo,
    quick,
    replace_between_markers,
    results_markdown,
    write_atomic,
    write_chart,
)

ORDER = ("painter", "remote", "jobs", "journal", "import", "payload")
"""Row order of the table (the order of the issue); any other benchmark follows alphabetically."""
README = ROOT / "README.md"
CHART = "latency.png"


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs{f' ({cpu})' if cpu else ''}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def results_file(results: Results, chart: str | None) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks`); do not edit. Each figure is the median of its "
        "samples with its spread (p10–p90 and the interquartile range); a sample is one repetition "
        "(*runs*, *waves*) or one event of all runs pooled (*frames*, *moves*, *jobs*, *ticks*). Ratios (×) "
        "are taken within the same run or wave. The machine is shared, so the load average at the start "
        "of each benchmark is given with it.",
        "",
        f"Machine: {machine()}.",
        "",
        *_comparison(results),
        results_markdown(results, ORDER, chart),
        "",
    ]
    return "\n".join(lines)


def readme_section(results: Results, chart_written: bool) -> str:
    body = results_markdown(results, ORDER, f"benchmarks/results/{CHART}" if chart_written else None)
    return (
        f"Figures from `make bench` on {machine()}; all samples in "
        "[benchmarks/results/](benchmarks/results/RESULTS.md).\n\n" + "\n".join([*_comparison(results), body])
    )


def _comparison(results: Results) -> list[str]:
    """bench_remote's comparison table and a blank line, or nothing when it has not run."""
    from benchmarks._comparison import comparison_markdown

    table = comparison_markdown(results)
    return [table, ""] if table else []


def run(names: list[str]) -> tuple[dict[str, tuple[RunInfo, list[Figure]]], list[str]]:
    """Run the ``bench_*`` modules whose names contain one of ``names`` (all without names)."""
    import benchmarks

    modules = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_"))
    wanted = [n for n in modules if not names or any(a in n for a in names)]
    if names and not wanted:
        raise SystemExit(f"no benchmark matches {names}; there are {', '.join(modules)}")
    done: dict[str, tuple[RunInfo, list[Figure]]] = {}
    failed: list[str] = []
    for module in wanted:
        bench = module.removeprefix("bench_")
        print(f"\n=== {module} ===", flush=True)
        info = RunInfo.now(bench)
        started = time.perf_counter()
        try:
            figures = importlib.import_module(f"benchmarks.{module}").main() or []
        except Exception:
            traceback.print_exc()
            print(f"({module} FAILED after {time.perf_counter() - started:.1f} s; its old figures are kept)")
            failed.append(bench)
            continue
        info.wall_s = round(time.perf_counter() - started, 1)
        print(f"({module} took {info.wall_s:.1f} s)", flush=True)
        done[bench] = (info, figures)
    return done, failed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description="Run the benchmarks.")
    parser.add_argument("names", nargs="*", help="only benchmarks whose module name contains one of these")
    parser.add_argument("--out", type=Path, default=None, help=f"results folder (default {RESULTS_DIR})")
    args = parser.parse_args(argv)
    out: Path = args.out or RESULTS_DIR
    publish = args.out is None and not quick()
    if quick() and args.out is None:
        raise SystemExit("IDEOGRAM_BENCH_QUICK is set: pass --out DIR (quick figures are not published)")

    started = time.perf_counter()
    done, failed = run(args.names)
    results = Results.load(out / "figures.json")
    for info, figures in done.values():
        results.update(info, figures)
    results.save(out / "figures.json")
    chart_written = write_chart(results.all_figures(ORDER), out / CHART)
    write_atomic(out / "RESULTS.md", results_file(results, CHART if chart_written else None))
    print(f"\nwrote {out / 'RESULTS.md'}" + (f" and {out / CHART}" if chart_written else ""))
    if publish:
        text = README.read_text(encoding="utf-8")  # read just before writing: others edit it too
        write_atomic(README, replace_between_markers(text, readme_section(results, chart_written)))
        print(f"updated the benchmark section of {README}")
    print(f"benchmarks took {time.perf_counter() - started:.0f} s in all", flush=True)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
