"""`make bench`: run the project's benchmarks in turn (PostgreSQL only; results go to BENCHMARKS.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_bench python -m bench [--only analytics] [args…]

Each entry is a module with `main(argv)`, named by path and imported only when it runs. Add a
benchmark by appending it to BENCHMARKS (e.g. the load benchmark).
Arguments after the options are passed to every benchmark (e.g. --no-write, --rebuild).
"""

from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS: list[tuple[str, str]] = [
    ("analytics", "bench.analytics"),  # synthetic tenant, nightly health job, executive dashboard
    ("load", "bench.load"),  # page latency under 20 concurrent users on that tenant (gunicorn + wrk)
    ("leads", "bench.leads"),  # routing 10,000 imported leads among 10,000 partners
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=[name for name, _module in BENCHMARKS],
                        help="run only this benchmark (repeatable)")
    args, rest = parser.parse_known_args(argv)
    for name, module in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        print(f"== benchmark: {name} ==", flush=True)
        importlib.import_module(module).main(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
