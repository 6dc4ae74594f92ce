"""`make bench`: run the project's benchmarks in turn (PostgreSQL only; results go to BENCHMARKS.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/prm_bench python -m prm.bench [--only analytics] [args…]

Each entry is a module with `main(argv)`; the core names them by path and never imports a feature
app at import time. Add a benchmark by appending it to BENCHMARKS (e.g. the load benchmark).
Arguments after the options are passed to every benchmark (e.g. --no-write, --rebuild).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

BENCHMARKS: list[tuple[str, str]] = [
    ("analytics", "analytics.bench"),  # synthetic tenant, nightly health job, executive dashboard
    ("load", "prm.loadbench"),  # page latency under 20 concurrent users on that tenant (gunicorn + wrk)
]


def setup_django() -> None:
    """Django for a benchmark process (and, through the environment, the servers it starts).
    Mail goes to memory: the synthetic tenants' addresses are made up, and a machine with a mail
    server on localhost must not be handed hundreds of messages for them."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
