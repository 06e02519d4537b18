"""Line and branch coverage per layer, from the JSON report ``make test`` writes.

Usage: ``python scripts/coverage_by_layer.py tests/artifacts/coverage.json --min api=90 --min jobs=90``

Prints one row per layer (``api``, ``jobs``, ``widgets``, ``sandbox``, ``check``, the top level) with its
statements, branches and the combined figure coverage.py reports (covered lines + branches over all lines
+ branches), and exits 1 when a layer named by ``--min`` is below its minimum.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any


def layer_of(path: str) -> str:
    """``ideogram_widgets/api/_media.py`` → ``api``; a top-level module → ``(top level)``."""
    parts = Path(path).parts
    index = parts.index("ideogram_widgets") if "ideogram_widgets" in parts else -1
    rest = parts[index + 1 :]
    return rest[0] if len(rest) > 1 else "(top level)"


def by_layer(report: dict[str, Any]) -> dict[str, dict[str, int]]:
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, data in report["files"].items():
        summary = data["summary"]
        row = totals[layer_of(path)]
        for key in ("num_statements", "covered_lines", "num_branches", "covered_branches"):
            row[key] += int(summary.get(key, 0))
    return totals


def percent(row: dict[str, int]) -> float:
    total = row["num_statements"] + row["num_branches"]
    return 100.0 * (row["covered_lines"] + row["covered_branches"]) / total if total else 100.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--min", action="append", default=[], metavar="LAYER=PERCENT")
    args = parser.parse_args(argv)
    totals = by_layer(json.loads(args.report.read_text()))
    print(f"{'layer':<12} {'lines':>13} {'branches':>13} {'line+branch':>12}")
    for name in sorted(totals):
        row = totals[name]
        lines = f"{row['covered_lines']}/{row['num_statements']}"
        branches = f"{row['covered_branches']}/{row['num_branches']}"
        print(f"{name:<12} {lines:>13} {branches:>13} {percent(row):>11.1f}%")
    failed = []
    for item in args.min:
        name, _, value = item.partition("=")
        if name not in totals or percent(totals[name]) < float(value):
            failed.append(f"{name} below {value} %")
    if failed:
        print("coverage too low: " + "; ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
