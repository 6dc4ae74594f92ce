"""mypy (with the django-stubs plugin) checks the core, prm/, as part of the test suite.

The configuration is `[tool.mypy]` in pyproject.toml, the same that `.venv/bin/python -m mypy`
uses; its incremental cache (.mypy_cache) keeps a run after the first to a few seconds.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from prm.tests.test_layering import FEATURE_APPS

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "pyproject.toml"


def run_mypy(*args: str) -> tuple[str, int]:
    # In a process of its own: the django-stubs plugin sets Django up, which must not touch the
    # test run's app registry.
    done = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(CONFIG), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    return done.stdout + done.stderr, done.returncode


@pytest.fixture(autouse=True)
def _in_project_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # `files` and `exclude` in the configuration are relative paths


def test_mypy_finds_nothing_in_the_core():
    report, status = run_mypy()
    assert status == 0, report


# An obvious error and one that only the django-stubs plugin knows about (a lookup of a field that
# does not exist): if the configuration stopped checking or lost the plugin, this would pass.
BROKEN = '''
from prm.tenancy.models import Tenant

def slug_length(tenant: Tenant) -> int:
    return tenant.slug

Tenant.objects.filter(no_such_field=1)
'''


def test_mypy_with_the_same_configuration_reports_a_type_error(tmp_path):
    module = tmp_path / "broken.py"  # a file named on the command line replaces `files`
    module.write_text(BROKEN)
    report, status = run_mypy(str(module))
    assert status == 1, report
    assert 'Incompatible return value type (got "str", expected "int")' in report, report
    assert "no_such_field" in report, report


def test_feature_apps_are_read_but_not_checked():
    """Every feature app of the layer table is silenced (mypy follows prm's models into them)."""
    config = tomllib.loads(CONFIG.read_text())["tool"]["mypy"]
    silent = {module.removesuffix(".*") for override in config["overrides"]
              if override.get("follow_imports") == "silent" for module in override["module"]}
    assert FEATURE_APPS <= silent, sorted(FEATURE_APPS - silent)
