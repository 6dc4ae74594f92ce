"""The benchmarks live in `bench/`, outside the core package: every benchmark `make bench` names can
be imported, its command line parses, and nothing in the core or a feature app imports `bench`."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from bench import run

ROOT = Path(__file__).resolve().parents[2]


def test_every_benchmark_make_bench_runs_is_a_module_with_main():
    for _name, module in run.BENCHMARKS:
        assert callable(importlib.import_module(module).main)


@pytest.mark.parametrize("module", ["bench", "bench.analytics", "bench.load", "bench.deal_conflicts"])
def test_each_benchmark_answers_help_without_a_database(module):
    done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_neither_the_core_nor_a_feature_app_imports_the_benchmarks():
    packages = [ROOT / "prm"] + sorted(p.parent for p in ROOT.glob("*/apps.py"))
    offenders = []
    for package in packages:
        for path in package.rglob("*.py"):
            if any(name == "bench" or name.startswith("bench.") for name in _imports(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
