"""Benchmarks: each ``bench_*.py`` module has ``main() -> list[dict]`` and prints its own figures."""
