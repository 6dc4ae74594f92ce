"""The import contract: dependencies between the apps point one way (CONTRIBUTING, "Apps and layers").

An AST walk over every .py file of the project (not .venv) collects each file's dependencies on the
project's top-level packages, however they are written:

- `import x.y` / `from x import y` / relative imports, at any depth (inside functions, `if
  TYPE_CHECKING:` blocks and `try:` blocks count as well);
- `importlib.import_module("x.y")`, `__import__("x")`, `import_string("x.y.Z")` with a literal;
- app-label strings: `apps.get_model("content", "Asset")`, `apps.get_model("content.Asset")`,
  `apps.get_app_config("content")`, `apps.is_installed("content")`, and any other string constant
  that names a model (`ForeignKey("content.Asset")`, `"content.asset"` as an event object type) or
  a module (`include("deals.urls")`, `mock.patch("deals.services.x")`, a Celery task path) of a
  project package. Swappable settings (`settings.AUTH_USER_MODEL`, `settings.PRM_PARTNER_MODEL`)
  are attribute reads, not literals, and so are fine;
- lookups by a computed name on the global registry (`apps.get_model(label)`,
  `import_module(f"{app}.x")`): the contract cannot see their target, so below analytics they are
  reported too (the core's demo discovery excepted).

It also checks that no module imports a private name (`_x`) of another project module outside
tests, and that CONTRIBUTING.md shows the same table as LAYERS.

Migrations are checked only for their `dependencies` (their model references mirror models.py).
The top-level `bench/` and `tests/` folders (and the root conftest.py) are outside the contract,
except that nothing may import `bench`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CORE = "prm"

# The layer table, defined once: each app and the apps it may use (besides the core, which every
# app may use, and itself). Apps not built yet have their slot already, so the first module of
# `leads` lands in a place. Keep CONTRIBUTING.md ("Apps and layers") in step with it.
LAYERS: dict[str, frozenset[str]] = {
    "partners": frozenset(),
    "content": frozenset({"partners"}),
    "deals": frozenset({"partners"}),  # content and deals are siblings: neither imports the other
    "incentives": frozenset({"partners", "deals"}),
    "leads": frozenset({"partners", "deals"}),  # converts leads with the deals services
    "plans": frozenset({"partners", "content", "deals", "incentives", "leads"}),
    # DESIGN: community creates leads through the leads service.
    "community": frozenset({"partners", "content", "deals", "leads"}),
    # The API calls every app's services; nothing below imports it.
    # Nothing imports plans but analytics (issue [12]): integrations reach plans through events.
    "integrations": frozenset({"partners", "content", "deals", "incentives", "leads", "community"}),
    "analytics": frozenset({"partners", "content", "deals", "incentives", "leads", "plans", "community",
                            "integrations"}),  # reads everything; nothing imports analytics
}
FEATURE_APPS = frozenset(LAYERS)
BENCH = "bench"
COMPUTED = "<computed>"  # the target of a lookup by a name built at run time
# Outside the contract (but they must not import bench either).
OUTSIDE = frozenset({"tests", BENCH, "conftest.py"})
EXCLUDED_DIRS = frozenset({".venv", "venv", "node_modules", "__pycache__", ".git", "static", "artifacts"})

# The composition root: the only core modules that may name feature apps, because wiring the apps
# together is their job. (prm/celery.py autodiscovers tasks and prm/tenancy/demo.py finds each
# installed app's demo.py through the app registry, naming no app: they need no entry, and
# test_every_exception_is_still_needed keeps entries from outliving their reason.)
COMPOSITION_ROOT = {
    "prm/settings.py": "INSTALLED_APPS, the swappable PRM_PARTNER_MODEL and the beat schedule's task paths",
    "prm/urls.py": "mounts every app's urls.py (include('deals.urls'))",
}

# Core modules that discover every installed app by computed name (no app named in the source).
DISCOVERY = {
    "prm/tenancy/demo.py": "seed_demo imports each installed app's demo.py: import_module(f'{config.name}.demo')",
}

# Known violations in files that another change is rewriting right now; each entry is temporary and
# must go when that change lands: (file, imported package).
TEMPORARY_ALLOW: dict[tuple[str, str], str] = {}

SWAPPABLE_SETTINGS = ("AUTH_USER_MODEL", "PRM_PARTNER_MODEL")
LOADERS = {"import_module", "__import__", "import_string"}
LABEL_LOOKUPS = {"get_model", "get_app_config", "is_installed", "get_registered_model"}
DOTTED = re.compile(r"[A-Za-z_]\w*(\.\w+)+")


@dataclass(frozen=True)
class Dependency:
    line: int
    target: str  # the project's top-level package depended on
    how: str  # what in the source makes it a dependency


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    target: str
    rule: str
    how: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.how} -> {self.target}: {self.rule}"


@dataclass
class Project:
    """What the checker needs to know about the project: its top-level package names, its modules
    (dotted names) and the models of each app label, {label: (package, {model_name})}."""

    packages: frozenset[str]
    modules: frozenset[str]
    models: dict[str, tuple[str, frozenset[str]]]
    # App labels of the models named by swappable settings (settings.AUTH_USER_MODEL,
    # settings.PRM_PARTNER_MODEL): the code reads the setting, and the migrations Django writes for
    # those foreign keys depend on the app the setting names, which is fine.
    swappable_labels: frozenset[str] = frozenset()

    @classmethod
    def from_django(cls, root: Path, files: list[Path]) -> Project:
        from django.apps import apps
        from django.conf import settings

        models = {cfg.label: (cfg.name.split(".")[0],
                              frozenset(m._meta.model_name for m in cfg.get_models(include_auto_created=True)))
                  for cfg in apps.get_app_configs()}
        swappable = frozenset(getattr(settings, name).split(".")[0] for name in SWAPPABLE_SETTINGS)
        return cls.for_files(root, files, models, swappable)

    @classmethod
    def for_files(cls, root: Path, files: list[Path], models: dict,
                  swappable_labels: frozenset[str] = frozenset()) -> Project:
        modules = set()
        for f in files:
            parts = list(f.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            for i in range(1, len(parts) + 1):
                modules.add(".".join(parts[:i]))
        packages = {m.split(".")[0] for m in modules}  # the project's own, not django's or allauth's
        return cls(frozenset(packages) - {"conftest", "manage"}, frozenset(modules), models, swappable_labels)

    def package_of_label(self, label: str) -> str | None:
        if label in self.models:
            return self.models[label][0]
        return label if label in self.packages else None

    def string_target(self, text: str) -> str | None:
        """The package a string constant points at: `label.Model` of a known model, or the dotted
        path of a project module (or of something inside one, like a task or a class)."""
        if not DOTTED.fullmatch(text):
            return None
        head, _sep, rest = text.partition(".")
        if head in self.models and rest.lower() in self.models[head][1]:
            return self.models[head][0]
        parts = text.split(".")
        for i in range(len(parts), 1, -1):
            if ".".join(parts[:i]) in self.modules:
                return parts[0]
        return None


def module_name(path: str) -> str:
    parts = list(Path(path).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _computed_lookup(node: ast.Call, name: str | None) -> bool:
    """A module or model looked up by a computed name on the global registry: `apps.get_model(label)`,
    `import_module(f"{app}.x")`. A migration state's registry (`state.apps.get_model`) resolves the
    migration's own app, and a setting (`apps.get_model(settings.PRM_PARTNER_MODEL)`) is configuration."""
    if not node.args or _literal(node.args[0]) is not None:
        return False
    arg = node.args[0]
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name) and arg.value.id == "settings":
        return False
    if name in LOADERS:
        return True
    return (name in {"get_model", "get_app_config"} and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "apps")


def dependencies(source: str, path: str, project: Project) -> list[Dependency]:
    """Every dependency of the module at `path` (relative to the root) on a project package."""
    tree = ast.parse(source, filename=path)
    is_package = Path(path).name == "__init__.py"
    package_parts = module_name(path).split(".") if is_package else module_name(path).split(".")[:-1]
    found: dict[tuple[int, str], Dependency] = {}
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and n.body and isinstance(n.body[0], ast.Expr) and _literal(n.body[0].value) is not None}

    def add(line: int, dotted: str | None, how: str) -> None:
        if not dotted:
            return
        target = dotted.split(".")[0]
        if target in project.packages:
            found.setdefault((line, target), Dependency(line, target, how))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(node.lineno, alias.name, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x (this package), from .. import x (its parent)
                base = package_parts[: len(package_parts) - (node.level - 1)]
                dotted = ".".join([*base, *([node.module] if node.module else [])])
            else:
                dotted = node.module or ""
            add(node.lineno, dotted, f"from {'.' * node.level}{node.module or ''} import ...")
        elif isinstance(node, ast.Call):
            name = _call_name(node)
            first = _literal(node.args[0]) if node.args else None
            shown = ", ".join(repr(_literal(a)) for a in node.args if _literal(a) is not None)
            if name in LOADERS and first:
                add(node.lineno, first, f"{name}({shown})")
            elif name in LABEL_LOOKUPS and first:
                label = first.split(".")[0]
                add(node.lineno, project.package_of_label(label), f"{name}({shown}) (app label)")
            elif _computed_lookup(node, name):
                found.setdefault((node.lineno, COMPUTED), Dependency(
                    node.lineno, COMPUTED, f"{name}({ast.unparse(node.args[0])})"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            target = project.string_target(node.value)
            if target:
                add(node.lineno, target, f"string {node.value!r}")
    return sorted(found.values(), key=lambda d: (d.line, d.target))


def migration_dependencies(source: str, path: str, project: Project) -> list[Dependency]:
    """A migration's `dependencies = [("content", "0001_initial"), ...]` entries."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "dependencies"
                                                for t in node.targets):
            for item in getattr(node.value, "elts", []):
                label = _literal(item.elts[0]) if isinstance(item, ast.Tuple) and item.elts else None
                if label in project.swappable_labels:
                    continue  # written for a ForeignKey(settings.<SWAPPABLE>_MODEL)
                target = project.package_of_label(label) if label else None
                if target:
                    found.append(Dependency(item.lineno, target, f"migration dependency {label!r}"))
    return found


def owner(path: str) -> str:
    """Who a file belongs to: a feature app, the core, a folder outside the contract, or 'other'."""
    head = Path(path).parts[0]
    if head in FEATURE_APPS or head == CORE or head in OUTSIDE:
        return head
    return "other"


def rule_broken(path: str, who: str, target: str) -> str | None:
    """The rule a dependency of `who` (the owner of `path`) on `target` breaks, or None."""
    if target == who:
        return None
    if target == BENCH:
        return "nothing imports bench (benchmarks sit outside the product)"
    if who in OUTSIDE or path in COMPOSITION_ROOT:
        return None
    if target == COMPUTED:
        if (who == CORE or who in FEATURE_APPS - {"analytics"}) and path not in DISCOVERY:
            return ("a computed app label or module path hides the dependency from this contract: "
                    "name it literally, or let the other app register what is needed")
        return None
    if target == "analytics":
        return "nothing outside analytics imports analytics"
    if who == CORE:
        if target in FEATURE_APPS:
            return "the core (prm/*) imports no feature app"
        return None
    if who in LAYERS and target in FEATURE_APPS and target not in LAYERS[who]:
        allowed = ", ".join(sorted(LAYERS[who])) or "no other app"
        return f"{who} may use only the core and {allowed}"
    return None


def check_source(source: str, path: str, project: Project) -> list[Violation]:
    """The violations in one file; `path` is relative to the project root, with forward slashes."""
    who = owner(path)
    is_migration = "/migrations/" in f"/{path}"
    deps = (migration_dependencies if is_migration else dependencies)(source, path, project)
    violations = []
    for dep in deps:
        rule = rule_broken(path, who, dep.target)
        if rule and (path, dep.target) not in TEMPORARY_ALLOW:
            violations.append(Violation(path, dep.line, dep.target, rule, dep.how))
    return violations


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py")
                  if not EXCLUDED_DIRS.intersection(p.relative_to(root).parts[:-1]))


def check_tree(root: Path, project: Project | None = None) -> list[Violation]:
    files = python_files(root)
    project = project or Project.from_django(root, files)
    violations = []
    for f in files:
        violations += check_source(f.read_text(encoding="utf-8"), f.relative_to(root).as_posix(), project)
    return violations


# --- The contract -------------------------------------------------------------------------------


def test_every_app_keeps_to_its_layer():
    violations = check_tree(ROOT)
    assert not violations, "Imports against the layer table (CONTRIBUTING, Apps and layers):\n" + "\n".join(
        map(str, violations))


def test_every_installed_app_of_the_project_has_a_slot_in_the_layer_table():
    from django.apps import apps

    ours = {cfg.name.split(".")[0] for cfg in apps.get_app_configs() if (ROOT / cfg.name.split(".")[0]).is_dir()}
    assert ours - {CORE} <= FEATURE_APPS, f"add {sorted(ours - {CORE} - FEATURE_APPS)} to LAYERS"


def test_every_exception_is_still_needed():
    """Each composition-root file and each temporary entry exists and still names a feature app."""
    files = python_files(ROOT)
    project = Project.from_django(ROOT, files)

    def targets(path):
        return {d.target for d in dependencies((ROOT / path).read_text(encoding="utf-8"), path, project)}

    for path in COMPOSITION_ROOT:
        assert (ROOT / path).is_file() and targets(path) & FEATURE_APPS, f"{path} needs no exception"
    for path, target in TEMPORARY_ALLOW:
        assert (ROOT / path).is_file() and target in targets(path), f"{path} -> {target} is fixed: drop the entry"


def private_imports(source: str, path: str, project: Project) -> list[str]:
    """`from x import _name` of a project module other than this one (a leaf helper sits in a leaf
    module under a public name instead). Private *modules* (`deals._nplusone`) are not names."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            if node.module.split(".")[0] in project.packages and node.module != module_name(path):
                found += [f"{path}:{node.lineno}: from {node.module} import {a.name}"
                          for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_a_private_name_of_another():
    files = python_files(ROOT)
    project = Project.from_django(ROOT, files)
    found = []
    for f in files:
        path = f.relative_to(ROOT).as_posix()
        if not ({"tests", "conftest.py"} & set(Path(path).parts)) and "/migrations/" not in f"/{path}":
            found += private_imports(f.read_text(encoding="utf-8"), path, project)
    assert not found, "\n".join(found)
    assert private_imports("from deals.services.review import _lock_keys\n", "deals/services/lifecycle.py",
                           project) == ["deals/services/lifecycle.py:1: from deals.services.review import _lock_keys"]


def test_contributing_shows_the_same_layer_table():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| `") else []
        if len(cells) == 2 and cells[0].strip("`") in FEATURE_APPS:
            uses = re.sub(r"\(.*\)", "", cells[1])  # drop the remarks in brackets
            rows[cells[0].strip("`")] = frozenset(re.findall(r"`(\w+)`", uses))
    assert rows == LAYERS


def test_the_layer_table_points_one_way():
    """No app may use one that may use it back, directly or through others; nobody uses analytics."""
    for app in LAYERS:
        reached, todo = set(), list(LAYERS[app])
        while todo:
            dep = todo.pop()
            if dep not in reached:
                reached.add(dep)
                todo += LAYERS[dep]
        assert app not in reached, f"{app} can reach itself through the table"
        assert "analytics" not in LAYERS[app]


# --- Testing the checker ------------------------------------------------------------------------

MODELS = {"tenancy": ("prm", frozenset({"tenant", "membership"})),
          "partners": ("partners", frozenset({"partner", "tier"})),
          "content": ("content", frozenset({"asset", "course"})),
          "deals": ("deals", frozenset({"dealregistration"})),
          "analytics": ("analytics", frozenset({"partnerhealthsnapshot"}))}


@pytest.fixture
def tree(tmp_path):
    def write(files: dict[str, str]) -> tuple[list[Violation], Path]:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for package in ("prm", "prm/tenancy", "partners", "content", "deals", "analytics", "bench"):
            (tmp_path / package).mkdir(parents=True, exist_ok=True)
            (tmp_path / package / "__init__.py").touch()
        project = Project.for_files(tmp_path, python_files(tmp_path), MODELS)
        return check_tree(tmp_path, project), tmp_path

    return write


def test_the_checker_reports_exactly_the_bad_imports_of_a_temporary_tree(tree):
    violations, _root = tree({
        # Bad: the core imports a feature app, inside a function.
        "prm/tenancy/helpers.py": "import os\n\n\ndef rates():\n    from deals.models import CurrencyRate\n"
                                  "    return CurrencyRate, os\n",
        # Bad: partners reaches content by app label, inside a function.
        "partners/admin_extra.py": "from django.apps import apps\n\n\ndef asset_model():\n"
                                   "    return apps.get_model(\"content\", \"Asset\")\n",
        # Fine: content uses partners and the core; deals' migration depends on partners.
        "content/services.py": "from partners.models import Partner\nfrom prm.tenancy.models import Tenant\n"
                               "from . import services as me\n",
        "deals/migrations/0001_initial.py": "dependencies = [(\"partners\", \"0001_initial\")]\n",
        # Fine: analytics reads everything; tests and bench are outside the contract.
        "analytics/reads.py": "import deals\nimport content.services\nLABEL = \"partners.Partner\"\n",
        "tests/test_x.py": "import analytics.reads\n",
        "bench/run.py": "import analytics.reads\n",
    })
    assert [(v.path, v.line, v.target) for v in violations] == [
        ("partners/admin_extra.py", 5, "content"),
        ("prm/tenancy/helpers.py", 5, "deals"),
    ]
    by_path = {v.path: str(v) for v in violations}
    assert by_path["prm/tenancy/helpers.py"] == (
        "prm/tenancy/helpers.py:5: from deals.models import ... -> deals: the core (prm/*) imports no feature app")
    assert by_path["partners/admin_extra.py"] == (
        "partners/admin_extra.py:5: get_model('content', 'Asset') (app label) -> content: "
        "partners may use only the core and no other app")


@pytest.mark.parametrize(("path", "source", "expected"), [
    # Siblings: neither content nor deals imports the other, also not by a dotted label or module path.
    ("deals/x.py", "FK = 'content.Asset'\n", [(1, "content")]),
    ("content/x.py", "from deals import models\n", [(1, "deals")]),
    ("content/x.py", "import importlib\nm = importlib.import_module('deals.models')\n", [(2, "deals")]),
    ("partners/x.py", "from django.apps import apps\nM = apps.get_model('content.Asset')\n", [(2, "content")]),
    ("partners/x.py", "from unittest import mock\np = mock.patch('deals.models.DealRegistration')\n",
     [(2, "deals")]),
    ("partners/x.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from content.models import Asset\n",
     [(3, "content")]),
    # Nobody imports analytics; nothing imports bench; the core's composition root may wire apps.
    ("incentives/x.py", "def f():\n    import analytics.models\n", [(2, "analytics")]),
    ("content/tests/test_x.py", "from bench import run\n", [(1, "bench")]),
    ("tests/test_x.py", "import bench.run\n", [(1, "bench")]),
    ("prm/urls.py", "from django.urls import include\nu = include('deals.urls')\n", []),
    ("prm/views.py", "from django.urls import include\nu = include('deals.urls')\n", [(2, "deals")]),
    # A lookup by a computed name hides its target: reported below analytics, except discovery.
    ("partners/x.py", "from django.apps import apps\n\n\ndef f(label):\n    return apps.get_model(label)\n",
     [(5, COMPUTED)]),
    ("prm/x.py", "import importlib\n\n\ndef f(app):\n    return importlib.import_module(f'{app}.demo')\n",
     [(5, COMPUTED)]),
    ("prm/tenancy/demo.py", "import importlib\n\n\ndef f(app):\n    return importlib.import_module(f'{app}.demo')\n",
     []),
    ("deals/db.py", "def f(state, label):\n    return state.apps.get_model(label, 'x')\n", []),
    ("prm/x.py", "from django.apps import apps\nfrom django.conf import settings\n"
                 "P = apps.get_model(settings.PRM_PARTNER_MODEL)\n", []),
    ("analytics/x.py", "from django.apps import apps\n\n\ndef f(label):\n    return apps.get_model(label)\n", []),
    # Allowed: downwards, the core, docstrings, swappable settings, permission and URL names.
    ("incentives/x.py", "from deals.services import deal_approve\nfrom partners.models import Tier\n", []),
    ("partners/x.py", '"""Mentions content.Asset in prose."""\nfrom django.conf import settings\n'
                      "M = settings.PRM_PARTNER_MODEL\nP = 'partners.view_partner'\nU = 'content:library'\n", []),
    ("analytics/x.py", "from deals.models import DealRegistration\nT = 'content.asset'\n", []),
])
def test_the_checker_sees_each_way_of_depending_on_an_app(path, source, expected):
    root = Path("/project")
    files = [root / p for p in ("partners/models.py", "content/models.py", "deals/models.py", "deals/urls.py",
                                "bench/run.py", "analytics/models.py")]
    project = Project.for_files(root, files, MODELS)
    assert [(v.line, v.target) for v in check_source(source, path, project)] == expected


def test_migrations_are_checked_for_their_dependencies_and_swappable_models_are_fine():
    root = Path("/project")
    files = [root / p for p in ("partners/models.py", "content/models.py", "deals/models.py")]
    project = Project.for_files(root, files, MODELS, swappable_labels=frozenset({"partners"}))
    source = ("from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
              "    dependencies = [\n        ('partners', '0001_initial'),\n        ('deals', '0002_x'),\n    ]\n"
              "    operations = [migrations.AddField('membership', 'deal', models.ForeignKey(to='deals.dealregistration'))]\n")
    found = check_source(source, "prm/tenancy/migrations/0009_x.py", project)
    assert [(v.line, v.target, v.rule) for v in found] == [(7, "deals", "the core (prm/*) imports no feature app")]
    assert check_source(source, "incentives/migrations/0009_x.py", project) == []
