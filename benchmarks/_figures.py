"""Figures: what every benchmark's ``main()`` returns, and the Markdown / JSON / chart writers for them.

A :class:`Figure` is one measured quantity with all its samples. A sample is either one repetition of
the benchmark (``per="run"``: the figure is the median of ≥ 5 runs) or one event inside a run
(``per="frame"``, ``"job"``, ``"tick"``…: the distribution of events is the figure, pooled over runs).
The median and the spread (p10–p90 and the interquartile range) are computed from the samples.

A comparison is its own figure: unit ``"×"``, ``ratio_to`` naming the figure it divides by, and samples
that are ratios of two things measured in the same run (paired per run), never a ratio of figures from
different runs.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "benchmarks" / "results"

QUICK_ENV = "IDEOGRAM_BENCH_QUICK"
"""Set to 1 for reduced repetition counts (used by the tests; figures from it are not published)."""


def quick() -> bool:
    """True when the benchmarks should run in their reduced mode (``IDEOGRAM_BENCH_QUICK=1``)."""
    return os.environ.get(QUICK_ENV, "") not in ("", "0")


@dataclass
class Figure:
    """One measured quantity of a benchmark, with every sample it was computed from."""

    benchmark: str
    """Short benchmark name, e.g. ``"painter"`` (the module is ``bench_<benchmark>.py``)."""
    name: str
    """What was measured, e.g. ``"pointer-up → mask in the kernel (MaskPainter)"``; unique per benchmark."""
    unit: str
    """``"ms"``, ``"s"``, ``"MiB"``, ``"×"`` (a ratio), ``"requests"``… (empty for counts)."""
    samples: list[float]
    goal: str | None = None
    """The goal as text, e.g. ``"≤ 300 ms"``; None when the figure is for information."""
    met: bool | None = None
    """Whether the goal was met (None: no goal, or not decidable)."""
    ratio_to: str | None = None
    """For a ratio (unit ``"×"``): the name of the figure it is divided by, measured in the same run."""
    per: str = "run"
    """What one sample is: ``"run"`` (a repetition) or an event such as ``"frame"``, ``"job"``, ``"tick"``."""
    chart: str | None = None
    """Title of the chart panel this figure's distribution is drawn in (None: not charted)."""
    note: str = ""

    def __post_init__(self) -> None:
        self.samples = [float(s) for s in self.samples]

    @property
    def finite(self) -> list[float]:
        return [s for s in self.samples if math.isfinite(s)]

    @property
    def n(self) -> int:
        return len(self.finite)

    def quantile(self, q: float) -> float:
        """The ``q`` quantile (0–1) of the finite samples, linear interpolation; NaN without samples."""
        values = self.finite
        if not values:
            return math.nan
        return float(np.quantile(np.asarray(values, dtype=float), q))

    @property
    def median(self) -> float:
        values = self.finite
        return float(statistics.median(values)) if values else math.nan

    @property
    def p10(self) -> float:
        return self.quantile(0.10)

    @property
    def p90(self) -> float:
        return self.quantile(0.90)

    @property
    def q1(self) -> float:
        return self.quantile(0.25)

    @property
    def q3(self) -> float:
        return self.quantile(0.75)

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def key(self) -> str:
        return f"{self.benchmark}: {self.name}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["samples"] = [_round(s) for s in self.samples]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figure:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def ratio(
    benchmark: str,
    numerator: Figure,
    denominator: Figure,
    *,
    name: str | None = None,
    goal: str | None = None,
    met: bool | None = None,
    chart: str | None = None,
    note: str = "",
) -> Figure:
    """``numerator ÷ denominator`` run by run: both must have one sample per run, in the same order."""
    if (
        numerator.per != "run"
        or denominator.per != "run"
        or len(numerator.samples) != len(denominator.samples)
    ):
        raise ValueError("a ratio pairs per-run samples of two figures measured in the same runs")
    samples = [a / b if b else math.nan for a, b in zip(numerator.samples, denominator.samples, strict=True)]
    return Figure(
        benchmark,
        name or f"{numerator.name} ÷ {denominator.name}",
        "×",
        samples,
        goal=goal,
        met=met,
        ratio_to=denominator.name,
        chart=chart,
        note=note,
    )


def _round(value: float) -> float | None:
    if not math.isfinite(value):
        return None
    return float(f"{value:.6g}")


# ----------------------------------------------------------------------------- formatting


def fmt(value: float, unit: str = "") -> str:
    """A number with sensible precision (3 significant digits, at least the units digit)."""
    if value is None or not math.isfinite(value):
        return "–"
    magnitude = abs(value)
    if magnitude >= 1000 or (unit in ("", "B") and value.is_integer()):  # large, or a count
        text = f"{value:,.0f}"
    elif magnitude >= 100:
        text = f"{value:.0f}"
    elif magnitude >= 10:
        text = f"{value:.1f}"
    elif magnitude >= 1:
        text = f"{value:.2f}"
    elif magnitude == 0:
        text = "0"
    else:
        text = f"{value:.3f}"
    if unit == "×":
        return f"{text}×"
    return f"{text} {unit}".rstrip()


def spread_text(figure: Figure) -> str:
    """``p10–p90 a–b · IQR c–d · n=N runs`` (only the range for fewer than 5 samples)."""
    n = figure.n
    per = figure.per if n == 1 else f"{figure.per}s"
    if n == 0:
        return "no samples"
    if n == 1:
        return f"n=1 {per}"
    unit = figure.unit
    if n < 5:
        return f"min–max {fmt(min(figure.finite), unit)}–{fmt(max(figure.finite), unit)} · n={n} {per}"
    return (
        f"p10–p90 {fmt(figure.p10, unit)}–{fmt(figure.p90, unit)} · "
        f"IQR {fmt(figure.q1, unit)}–{fmt(figure.q3, unit)} · n={n} {per}"
    )


def met_text(figure: Figure) -> str:
    if figure.met is None:
        return ""
    return "✓" if figure.met else "✗"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(figures: Sequence[Figure]) -> str:
    """The figures as one Markdown table: benchmark, figure, median, spread, goal, met."""
    lines = [
        "| benchmark | figure | median | spread | goal | met |",
        "| --- | --- | ---: | --- | --- | :---: |",
    ]
    for f in figures:
        name = f.name if not f.note else f"{f.name} ({f.note})"
        lines.append(
            "| "
            + " | ".join(
                _cell(c)
                for c in (f.benchmark, name, fmt(f.median, f.unit), spread_text(f), f.goal or "", met_text(f))
            )
            + " |"
        )
    return "\n".join(lines)


def print_figures(figures: Iterable[Figure]) -> None:
    """A plain-text summary (what ``python -m benchmarks`` prints after each benchmark)."""
    for f in figures:
        goal = f"  goal {f.goal} {met_text(f)}" if f.goal else ""
        print(f"  {f.name}: {fmt(f.median, f.unit)}  [{spread_text(f)}]{goal}", flush=True)


# ----------------------------------------------------------------------------- run facts


@dataclass
class RunInfo:
    """When, where and on what a benchmark ran."""

    benchmark: str
    date: str
    commit: str
    dirty: bool
    cpus: int
    load_at_start: float
    wall_s: float = 0.0
    quick: bool = False

    @classmethod
    def now(cls, benchmark: str) -> RunInfo:
        commit, dirty = git_state()
        return cls(
            benchmark=benchmark,
            date=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            commit=commit,
            dirty=dirty,
            cpus=os.cpu_count() or 0,
            load_at_start=round(os.getloadavg()[0], 2),
            quick=quick(),
        )


def git_state() -> tuple[str, bool]:
    """The checked-out commit (short) and whether tracked files differ from it."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False
    return commit, dirty


# ----------------------------------------------------------------------------- results files


@dataclass
class Results:
    """Every figure of the last runs, keyed by benchmark, with the facts of each benchmark's run."""

    runs: dict[str, RunInfo] = field(default_factory=dict)
    figures: dict[str, list[Figure]] = field(default_factory=dict)

    def update(self, info: RunInfo, figures: list[Figure]) -> None:
        self.runs[info.benchmark] = info
        self.figures[info.benchmark] = list(figures)

    def all_figures(self, order: Sequence[str] = ()) -> list[Figure]:
        names = [b for b in order if b in self.figures] + sorted(b for b in self.figures if b not in order)
        return [f for b in names for f in self.figures[b]]

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": {b: asdict(r) for b, r in self.runs.items()},
            "figures": {b: [f.to_json() for f in fs] for b, fs in self.figures.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Results:
        runs = {b: RunInfo(**r) for b, r in data.get("runs", {}).items()}
        figures = {
            b: [
                Figure.from_json({**f, "samples": [math.nan if s is None else s for s in f["samples"]]})
                for f in fs
            ]
            for b, fs in data.get("figures", {}).items()
        }
        return cls(runs, figures)

    @classmethod
    def load(cls, path: Path) -> Results:
        if not path.is_file():
            return cls()
        return cls.from_json(json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        write_atomic(path, json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def runs_table(results: Results, order: Sequence[str] = ()) -> str:
    lines = [
        "| benchmark | date | commit | CPUs | load average at start | wall time |",
        "| --- | --- | --- | ---: | ---: | ---: |",
    ]
    names = [b for b in order if b in results.runs] + sorted(b for b in results.runs if b not in order)
    for b in names:
        r = results.runs[b]
        commit = r.commit + (" (+ local changes)" if r.dirty else "")
        mode = " (quick mode)" if r.quick else ""
        lines.append(
            f"| {b}{mode} | {r.date} | `{commit}` | {r.cpus} | {r.load_at_start:.2f} | {r.wall_s:.0f} s |"
        )
    return "\n".join(lines)


def results_markdown(results: Results, order: Sequence[str] = (), chart: str | None = None) -> str:
    """The body of RESULTS.md (and of the README's benchmark section): the table, the runs, the chart."""
    parts = [markdown_table(results.all_figures(order)), "", runs_table(results, order)]
    if chart:
        parts += ["", f"![latency distributions]({chart})"]
    return "\n".join(parts)


README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def replace_between_markers(text: str, body: str) -> str:
    """``text`` with everything between the bench markers replaced by ``body`` (markers must exist once)."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start or text.count(README_START) != 1 or text.count(README_END) != 1:
        raise ValueError(f"expected one {README_START} … {README_END} pair")
    return text[: start + len(README_START)] + "\n" + body.strip("\n") + "\n" + text[end:]


# ----------------------------------------------------------------------------- chart


def write_chart(figures: Sequence[Figure], path: Path) -> bool:
    """Box plots of every charted figure, one panel per ``chart`` title; False when none is charted."""
    panels: dict[str, list[Figure]] = {}
    for f in figures:
        if f.chart and f.n:
            panels.setdefault(f.chart, []).append(f)
    if not panels:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = len(panels)
    fig, axes = plt.subplots(
        rows, 1, figsize=(9, 1.0 + 1.55 * sum(max(2, len(v)) for v in panels.values()) / 2)
    )
    axes_list = [axes] if rows == 1 else list(axes)
    for ax, (title, members) in zip(axes_list, panels.items(), strict=True):
        data = [np.asarray(m.finite) for m in members]
        labels = _labels(members)
        ax.boxplot(
            data,
            orientation="horizontal",
            whis=(5, 95),
            showfliers=True,
            flierprops={"marker": ".", "markersize": 2, "alpha": 0.4},
            medianprops={"color": "#d62728", "linewidth": 1.8},
        )
        ax.set_yticks(range(1, len(members) + 1), labels, fontsize=8)
        ax.invert_yaxis()
        units = {m.unit for m in members}
        ax.set_xlabel(units.pop() if len(units) == 1 else "", fontsize=8)
        ax.set_title(title, fontsize=9, loc="left")
        for i, values in enumerate(data, start=1):
            if len(values) <= 30:  # few samples (runs): show each one
                ax.plot(values, np.full(len(values), i), "o", color="#1f77b4", markersize=3, alpha=0.7)
        values = np.concatenate(data)
        positive = values[values > 0]
        if len(positive) > 1:
            low, high = np.quantile(positive, 0.01), positive.max()
            if high / max(low, 1e-9) > 50:  # decades apart: log scale, from the 1st percentile
                ax.set_xscale("log")
                ax.set_xlim(left=low / 2)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(axis="x", labelsize=8)
    fig.suptitle("Latency distributions (box: IQR, whiskers: p5–p95, red: median)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return True


def _labels(members: Sequence[Figure]) -> list[str]:
    """Short labels for one panel: the names without the part they share (up to a ", "), wrapped."""
    names = [m.name for m in members]
    prefix = ""
    if len(names) > 1:
        first, last = min(names), max(names)
        length = next(
            (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b),
            min(len(first), len(last)),
        )
        prefix = first[:length]
    cut = prefix.rfind(", ") + 2 if ", " in prefix else 0
    return [
        textwrap.fill(name[cut:], 34) + f"\n(n={m.n} {m.per}s)"
        for name, m in zip(names, members, strict=True)
    ]
