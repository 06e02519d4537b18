"""The benchmark plumbing: bench_import and bench_payload in their quick mode, the figures they return, the
Markdown / JSON / chart writers of ``python -m benchmarks``, and bench_remote's latency proxy (no browser,
a few seconds)."""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks import __main__ as runner
from benchmarks import bench_import, bench_payload
from benchmarks._comparison import comparison_markdown
from benchmarks._figures import (
    QUICK_ENV,
    README_END,
    README_START,
    Figure,
    Results,
    RunInfo,
    markdown_table,
    ratio,
    replace_between_markers,
    results_markdown,
    spread_text,
    write_chart,
)
from benchmarks._latency_proxy import LatencyProxy
from benchmarks._remote_figures import remote_figures


@pytest.fixture(scope="module")
def quick_figures() -> list[Figure]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(QUICK_ENV, "1")
        return bench_import.main() + bench_payload.main()


def by_name(figures: list[Figure], name: str) -> Figure:
    return next(f for f in figures if f.name == name)


def test_quick_benchmarks_return_figures(quick_figures: list[Figure]) -> None:
    assert all(isinstance(f, Figure) for f in quick_figures)
    assert {f.benchmark for f in quick_figures} == {"import", "payload"}
    names = [(f.benchmark, f.name) for f in quick_figures]
    assert len(names) == len(set(names)), "figure names are unique per benchmark"
    for f in quick_figures:
        assert f.n >= 2, f.name
        assert math.isfinite(f.median), f.name
        assert f.median >= 0, f.name
        assert f.p10 <= f.median <= f.p90
        assert f.q1 <= f.median <= f.q3
        assert (f.met is None) == (f.goal is None), f.name
        if f.unit == "×":
            assert f.ratio_to, f"{f.name} names what it is compared with"


def test_import_figures(quick_figures: list[Figure]) -> None:
    plain = by_name(quick_figures, "import ideogram_widgets")
    assert plain.unit == "ms"
    assert plain.per == "run"
    assert plain.n == 3
    assert plain.goal == "≤ 300 ms"
    assert plain.met == (plain.median <= 300)
    heavy = by_name(quick_figures, "heavy modules loaded by the import")
    assert heavy.samples == [0.0] * 3, heavy.note  # numpy, PIL, httpx, ipywidgets… stay lazy
    widget = by_name(quick_figures, "import + first widget use (ideogram_widgets.EditWidget)")
    assert widget.median > plain.median


def test_payload_figures(quick_figures: list[Figure]) -> None:
    payload = by_name(quick_figures, "image_payload(img) → PNG data URI")
    pillow = by_name(quick_figures, 'img.save(BytesIO, "PNG"), Pillow defaults')
    times = by_name(quick_figures, "image_payload ÷ Pillow PNG save (time)")
    assert payload.n == pillow.n == times.n == 2
    assert times.ratio_to == pillow.name
    for r, a, b in zip(times.samples, payload.samples, pillow.samples, strict=True):
        assert r == pytest.approx(a / b)  # paired run by run
    sizes = by_name(quick_figures, "data URI ÷ Pillow PNG (size)")
    assert 4 / 3 <= sizes.median <= 4 / 3 * 1.25  # base64 of a level-3 PNG, a little larger than level 6
    assert "512×512" in payload.note  # quick mode: small image, within the data-URI limit
    assert "InputError" not in by_name(quick_figures, "Pillow PNG size").note


def test_photo_like_image_is_deterministic_and_compressible() -> None:
    a, b = bench_payload.photo_like(256), bench_payload.photo_like(256)
    assert a.mode == "RGB"
    assert a.size == (256, 256)
    assert a.tobytes() == b.tobytes()
    png = bench_payload.pillow_png(a)
    assert 0.1 < len(png) / len(a.tobytes()) < 0.9  # neither flat nor noise


def test_markdown_table(quick_figures: list[Figure]) -> None:
    table = markdown_table(quick_figures).splitlines()
    assert table[0] == "| benchmark | figure | median | spread | goal | met |"
    assert len(table) == 2 + len(quick_figures)
    assert all(row.startswith("| ") and row.endswith(" |") and row.count(" | ") == 5 for row in table[2:])
    row = next(r for r in table if "| import ideogram_widgets |" in r)
    assert "≤ 300 ms" in row
    assert "✓" in row or "✗" in row
    assert " ms " in row
    assert "n=3 runs" in row
    info = next(r for r in table if "data URI size" in r)
    assert info.endswith("|  |  |")  # no goal, no verdict


def test_figure_statistics_and_spread() -> None:
    f = Figure("b", "x", "ms", list(range(1, 12)))
    assert (f.median, f.p10, f.p90, f.q1, f.q3) == (6, 2, 10, 3.5, 8.5)
    assert spread_text(f) == "p10–p90 2.00 ms–10.0 ms · IQR 3.50 ms–8.50 ms · n=11 runs"
    events = Figure("b", "y", "ms", [1.0, 2.0, math.nan], per="frame")
    assert events.n == 2
    assert spread_text(events) == "min–max 1.00 ms–2.00 ms · n=2 frames"
    r = ratio("b", Figure("b", "a", "s", [2, 4]), Figure("b", "c", "s", [1, 1]))
    assert r.samples == [2, 4]
    assert r.unit == "×"
    assert r.ratio_to == "c"
    with pytest.raises(ValueError, match="same runs"):
        ratio("b", Figure("b", "a", "s", [1]), Figure("b", "c", "s", [1, 2]))


def test_results_round_trip_and_chart(tmp_path: Path, quick_figures: list[Figure]) -> None:
    results = Results()
    charted = Figure("demo", "lag", "ms", [0.5, 1.0, 30.0, math.nan], per="tick", chart="Demo (ms)")
    results.update(RunInfo.now("demo"), [charted])
    results.update(RunInfo.now("import"), [f for f in quick_figures if f.benchmark == "import"])
    results.save(tmp_path / "figures.json")
    json.loads((tmp_path / "figures.json").read_text())  # valid JSON: NaN stored as null
    again = Results.load(tmp_path / "figures.json")
    assert [f.name for f in again.all_figures()] == [f.name for f in results.all_figures()]
    assert math.isnan(again.figures["demo"][0].samples[-1])
    assert again.figures["demo"][0].median == pytest.approx(1.0)
    text = results_markdown(again, ("import", "demo"), "latency.png")
    assert text.index("| import |") < text.index("| demo |")
    assert "![latency distributions](latency.png)" in text
    assert "load average at start" in text
    assert write_chart(again.all_figures(), tmp_path / "latency.png")
    assert (tmp_path / "latency.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not write_chart([f for f in quick_figures if not f.chart], tmp_path / "none.png")


def test_readme_markers() -> None:
    text = f"a\n{README_START}\nold\n{README_END}\nb\n"
    assert replace_between_markers(text, "new table") == f"a\n{README_START}\nnew table\n{README_END}\nb\n"
    with pytest.raises(ValueError, match="bench:start"):
        replace_between_markers("no markers", "x")
    readme = Path(runner.README).read_text(encoding="utf-8")
    assert readme.count(README_START) == readme.count(README_END) == 1


def test_runner_subset_keeps_other_figures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(QUICK_ENV, "1")
    kept = Results()
    kept.update(RunInfo.now("painter"), [Figure("painter", "frame", "ms", [16.7] * 5, chart="Frames (ms)")])
    kept.save(tmp_path / "figures.json")
    readme_before = Path(runner.README).read_bytes()
    assert runner.main(["payload", "--out", str(tmp_path)]) == 0
    assert Path(runner.README).read_bytes() == readme_before  # quick runs never publish
    results = Results.load(tmp_path / "figures.json")
    assert set(results.figures) == {"painter", "payload"}
    assert results.runs["payload"].quick
    assert results.runs["payload"].wall_s > 0
    md = (tmp_path / "RESULTS.md").read_text(encoding="utf-8")
    assert "| painter | frame |" in md
    assert "| payload | image_payload(img) → PNG data URI" in md
    assert "(quick mode)" in md
    assert "![latency distributions](latency.png)" in md
    assert (tmp_path / "latency.png").is_file()
    with pytest.raises(SystemExit, match="--out"):
        runner.main(["payload"])


@pytest.fixture
def echo_port() -> Iterator[int]:
    """A TCP echo server on 127.0.0.1 (one thread per connection)."""
    listener = socket.create_server(("127.0.0.1", 0))
    threads: list[threading.Thread] = []

    def serve(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(1 << 16):
                conn.sendall(data)

    def accept() -> None:
        with contextlib.suppress(OSError):  # the listener was closed
            while True:
                conn, _ = listener.accept()
                threads.append(threading.Thread(target=serve, args=(conn,), daemon=True))
                threads[-1].start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    yield listener.getsockname()[1]
    with contextlib.suppress(OSError):
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
    listener.close()
    for thread in [acceptor, *threads]:
        thread.join(timeout=10)


def test_latency_proxy_holds_every_chunk_for_half_the_round_trip(echo_port: int) -> None:
    rtt_ms = 60
    with LatencyProxy(echo_port, rtt_ms) as proxy, socket.create_connection(("127.0.0.1", proxy.port)) as s:
        round_trips = []
        for i in range(3):
            started = time.perf_counter()
            s.sendall(b"ping %d" % i)
            assert s.recv(64) == b"ping %d" % i
            round_trips.append((time.perf_counter() - started) * 1000)
        payload = bytes(range(256)) * 4096  # 1 MiB: many chunks, kept whole and in order
        s.sendall(payload)
        echoed = b""
        while len(echoed) < len(payload):
            echoed += s.recv(1 << 16)
        assert echoed == payload
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b""  # end of stream passes through too
    # the proxy cannot hand a chunk on early: each way waits RTT/2 (1 ms for clock granularity)
    assert min(proxy.held_ms) >= rtt_ms / 2 - 1
    assert len(proxy.held_ms) >= 2 * 3 + 2 * 16
    assert min(round_trips) >= rtt_ms - 1


def test_remote_figures_pair_the_tools_within_each_repetition() -> None:
    def tool(scale: float) -> dict[str, Any]:
        return {"ready": 100 * scale, "latencies": [10 * scale, 30 * scale], "paint_median": 20 * scale,
                "up_to_python": 50 * scale}  # fmt: skip

    samples = [
        {float(rtt): {"MaskPainter": tool(k), "ipycanvas": tool(2 * k + rtt / 50)} for rtt in (0, 150)}
        for k in (1.0, 3.0)
    ]
    samples[0][0]["Gradio"], samples[1][0]["Gradio"] = tool(4.0), tool(4.0)  # Gradio at +0 ms only
    figures = remote_figures(samples, (0, 150))
    ratio = by_name(figures, "pointer-up → mask in Python, MaskPainter ÷ ipycanvas, +150 ms RTT")
    assert ratio.samples == [pytest.approx(1 / 5), pytest.approx(3 / 9)]  # run by run, not medians
    assert ratio.ratio_to == "pointer-up → mask in Python, ipycanvas, +150 ms RTT"
    paint = by_name(figures, "pointer move → paint on screen, MaskPainter, +0 ms RTT")
    assert (paint.per, paint.samples) == ("move", [10, 30, 30, 90])  # every move of every run
    slower = by_name(figures, "median pointer move → paint on screen, ipycanvas, +150 ÷ +0 ms RTT")
    assert slower.samples == [pytest.approx(5 / 2), pytest.approx(9 / 6)]
    assert not [f for f in figures if "Gradio, +150" in f.name or "÷ Gradio, +150" in f.name]
    results = Results()
    results.update(RunInfo.now("remote"), figures)
    table = comparison_markdown(results).splitlines()
    assert "| figure | added round trip | MaskPainter | ipycanvas | Gradio |" in table[2]
    row = next(r for r in table if r.startswith("| time until the first stroke can be drawn | +0 ms |"))
    assert row.endswith("| 200 ms | 400 ms | 400 ms | 0.500× | 0.500× |")
    assert comparison_markdown(Results()) == ""
    assert table[0] in runner.results_file(results, None)
