"""``import ideogram_widgets`` in fresh interpreters: how long it takes, and that the heavy parts stay lazy.

Each run is a new ``python`` process (the same interpreter as the benchmark) that times, with
``time.perf_counter`` around the statement, either ``import ideogram_widgets`` or ``import
ideogram_widgets; ideogram_widgets.EditWidget`` (the first use of a widget, which loads ipywidgets,
numpy, Pillow, httpx…). The two kinds alternate, so both see the same machine. Interpreter start-up is
not included; the files are in the OS cache after the first run ("cold" means a fresh interpreter, not a
cold disk), and ``.pyc`` files exist as they do after any install.

Goal (issue 6): median ``import ideogram_widgets`` ≤ 300 ms, with no heavy module imported by it.
Run: ``python -m benchmarks import`` (about 20 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks._figures import ROOT, Figure, print_figures, quick

BENCHMARK = "import"
RUNS = 15
GOAL_MS = 300.0
HEAVY = ("numpy", "PIL", "httpx", "ipywidgets", "traitlets", "anywidget", "ipycanvas", "starlette", "uvicorn")

PROBE = """
import json, sys, time
started = time.perf_counter()
import ideogram_widgets
{extra}
elapsed = time.perf_counter() - started
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print(json.dumps({{"s": elapsed, "heavy": heavy, "modules": len(sys.modules)}}))
"""


def one(first_use: bool) -> dict[str, object]:
    """One fresh interpreter: seconds for the import (and the first widget use), heavy modules loaded."""
    code = PROBE.format(extra="ideogram_widgets.EditWidget" if first_use else "", heavy=HEAVY)
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE")
    }
    env.pop("RUNCOMFY_API_TOKEN", None)
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    answer: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return answer


def run(runs: int = RUNS) -> list[Figure]:
    one(first_use=True)  # warms the OS file cache and writes any missing .pyc, like a first import does
    plain: list[float] = []
    widget: list[float] = []
    heavy: list[float] = []
    heavy_names: set[str] = set()
    for _ in range(runs):
        a = one(first_use=False)
        b = one(first_use=True)
        plain.append(float(a["s"]) * 1000)  # type: ignore[arg-type]
        names = list(a["heavy"])  # type: ignore[call-overload]
        heavy.append(len(names))
        heavy_names.update(names)
        widget.append(float(b["s"]) * 1000)  # type: ignore[arg-type]
    median = Figure(BENCHMARK, "import ideogram_widgets", "ms", plain).median
    figures = [
        Figure(
            BENCHMARK,
            "import ideogram_widgets",
            "ms",
            plain,
            goal=f"≤ {GOAL_MS:.0f} ms",
            met=median <= GOAL_MS,
        ),
        Figure(
            BENCHMARK,
            "heavy modules loaded by the import",
            "",
            heavy,
            goal="0 (" + ", ".join(HEAVY) + " lazy)",
            met=max(heavy) == 0,
            note=", ".join(sorted(heavy_names)) if heavy_names else "",
        ),
        Figure(BENCHMARK, "import + first widget use (ideogram_widgets.EditWidget)", "ms", widget),
    ]
    return figures


def main() -> list[Figure]:
    runs = 3 if quick() else RUNS
    figures = run(runs)
    print(f"{runs} fresh interpreters for each kind, alternating ({sys.executable})")
    print_figures(figures)
    return figures


if __name__ == "__main__":
    main()
