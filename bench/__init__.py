"""The benchmarks (docs/performance.md): ``bench/run.py`` and what it runs. ``bench`` may import every app;
nothing imports ``bench``."""
