"""Benchmarks and load tools, outside the core package and the feature apps.

    python -m bench [--only analytics] [--only load] [args…]     # what `make bench` runs
    python -m bench.analytics [--partners N] [--events N] …       # the analytics benchmark alone
    python -m bench.load --tenant bench                           # the load benchmark alone
    python -m bench.deal_conflicts [--rows N] [--rebuild] [--drop]   # the deal conflict check
    python -m bench.leads [--partners N] [--leads N] [--rebuild] [--drop]   # routing an import of leads

This is the only place that imports several apps in order to measure them: nothing in `prm/` or a
feature app imports `bench`. `support` holds what the benchmarks share (Django set-up, the machine
description, writing BENCHMARKS.md); `run` is the `make bench` entry point.
"""
