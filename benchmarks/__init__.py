"""Benchmarks: each ``bench_*.py`` module has ``main() -> list[Figure]`` (see ``_figures.py``) and prints
its own figures; ``python -m benchmarks`` runs them all and writes ``benchmarks/results/``."""
