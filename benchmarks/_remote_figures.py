"""bench_remote's figures from its samples: absolute figures per tool and round trip, and the ratios,
paired within each repetition (kept apart from the browser code so the tests need none of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks._figures import Figure, ratio

BENCH = "remote"
TOOLS = ("MaskPainter", "ipycanvas", "Gradio")
Sample = dict[str, dict[str, Any]]
"""tool → its measurements at one round trip in one repetition."""

MEASURES = (
    ("time until the first stroke can be drawn", "ready", None),
    ("pointer move → paint on screen", "latencies", "paint_median"),
    ("pointer-up → mask in Python", "up_to_python", None),
)
CHARTS = {
    "ready": "Remote: time until the first stroke can be drawn (ms)",
    "latencies": "Remote: pointer move → paint on screen (ms)",
    "up_to_python": "Remote: pointer-up → mask in Python (ms)",
}
NOTES = {
    "ipycanvas": "mask built in Python move by move; the figure is its mouse-up handler running",
    "Gradio": "the input callback starting with the brush layer as a numpy array",
}


def remote_figures(samples: list[dict[float, Sample]], rtts: tuple[float, ...]) -> list[Figure]:
    """Absolute figures per tool and round trip, then ratios paired within each repetition."""
    tools = {rtt: [t for t in TOOLS if all(t in s[rtt] for s in samples)] for rtt in rtts}

    def values(rtt: float, tool: str, key: str) -> list[float]:
        return [float(s[rtt][tool][key]) for s in samples]

    def name(measure: str, tool: str, rtt: float) -> str:
        return f"{measure}, {tool}, +{rtt:g} ms RTT"

    figures: list[Figure] = []
    for measure, key, per_run_key in MEASURES:
        for rtt in rtts:
            for tool in tools[rtt]:
                note = NOTES.get(tool, "") if key == "up_to_python" else ""
                if per_run_key:  # events pooled over the runs
                    data, per = [float(v) for s in samples for v in s[rtt][tool][key]], "move"
                else:
                    data, per = values(rtt, tool, key), "run"
                label = name(measure, tool, rtt)
                figures.append(Figure(BENCH, label, "ms", data, per=per, chart=CHARTS[key], note=note))
        figures += ratios(measure, per_run_key or key, tools, rtts, values, name)
    return figures


def ratios(
    measure: str,
    key: str,
    tools: dict[float, list[str]],
    rtts: tuple[float, ...],
    values: Callable[[float, str, str], list[float]],
    name: Callable[[str, str, float], str],
) -> list[Figure]:
    """MaskPainter ÷ each other tool at every round trip; each tool at the largest ÷ at no added RTT."""
    label = f"median {measure}" if key == "paint_median" else measure

    def per_run(tool: str, rtt: float) -> Figure:  # named after the figure a ratio is taken to
        return Figure(BENCH, name(measure, tool, rtt), "ms", values(rtt, tool, key))

    out = [
        ratio(
            BENCH,
            per_run("MaskPainter", rtt),
            per_run(other, rtt),
            name=f"{label}, MaskPainter ÷ {other}, +{rtt:g} ms RTT",
        )
        for rtt in rtts
        for other in tools[rtt][1:]
    ]
    low, high = min(rtts), max(rtts)
    out += [
        ratio(
            BENCH,
            per_run(tool, high),
            per_run(tool, low),
            name=f"{label}, {tool}, +{high:g} ÷ +{low:g} ms RTT",
        )
        for tool in tools[high]
        if tool in tools[low]
    ]
    return out
