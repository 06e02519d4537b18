"""The comparison table of bench_remote for RESULTS.md and the README: one row per figure and round trip,
one column per tool, then the ratios (medians of per-repetition ratios, never ratios of medians).
"""

from __future__ import annotations

from benchmarks._figures import Figure, Results, fmt
from benchmarks._remote_figures import BENCH, MEASURES, TOOLS


def comparison_markdown(results: Results) -> str:
    """The table, or "" when bench_remote has not run."""
    figures = {f.name: f for f in results.figures.get(BENCH, [])}
    if not figures:
        return ""
    tools = [t for t in TOOLS if any(f", {t}, " in name for name in figures)]
    others = tools[1:]
    rtts = sorted(
        {float(n.rsplit("+", 1)[1].split(" ms")[0]) for n in figures if n.endswith("RTT") and "÷" not in n}
    )
    head = ["figure", "added round trip", *tools, *(f"MaskPainter ÷ {t}" for t in others)]
    lines = ["| " + " | ".join(head) + " |", "| --- | ---: |" + " ---: |" * (len(tools) + len(others))]
    for measure, _key, per_run_key in MEASURES:
        label = f"median {measure}" if per_run_key == "paint_median" else measure
        for rtt in rtts:
            cells = [_median(figures.get(f"{measure}, {t}, +{rtt:g} ms RTT")) for t in tools]
            cells += [_median(figures.get(f"{label}, MaskPainter ÷ {t}, +{rtt:g} ms RTT")) for t in others]
            lines.append(f"| {measure} | +{rtt:g} ms | " + " | ".join(cells) + " |")
    run = results.runs.get(BENCH)
    when = f" ({run.date}, commit `{run.commit}`)" if run else ""
    intro = (
        f"**A remote kernel, and Gradio's ImageEditor**{when}: the same 4096² picture and stroke; every byte "
        "between browser and server delayed by the added round trip (a proxy that holds each chunk RTT/2 "
        "each way). Medians; the ratios pair the tools within each repetition. Definitions in "
        "`benchmarks/bench_remote.py`."
    )
    return intro + "\n\n" + "\n".join(lines)


def _median(figure: Figure | None) -> str:
    return fmt(figure.median, figure.unit) if figure else "–"
