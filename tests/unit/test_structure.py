"""The house stays easy to see: arrows point one way (pages and API -> services -> pure
rules), no import cycle, no module past the size a reader takes in one sitting.

The import graph is read from the source (imports inside functions included), so an
import hidden in a function to dodge a cycle still counts as an arrow."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("ledger", "pathways")
MAX_LINES = 400
BOUNDARIES = {"ledger.app", "ledger.cli", "ledger.jobs", "ledger.worker"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from p import m` imports module p.m when there is one, else names from p
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import x.y.name`: the module is x.y
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _is_blueprint(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("api", "pages") or name.startswith("ledger.http")


def _is_rule(name: str) -> bool:
    return name.startswith(("ledger.engine", "pathways"))


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_has_no_cycle():
    assert _cycles(_graph()) == []


def test_the_rules_import_only_the_rules():
    wrong = {(a, b) for a, targets in _graph().items() if _is_rule(a) for b in targets if not _is_rule(b)}
    assert wrong == set()


def test_no_service_or_rule_imports_a_blueprint_or_the_http_plumbing():
    wrong = {
        (a, b) for a, targets in _graph().items()
        if not _is_blueprint(a) and a not in BOUNDARIES for b in targets if _is_blueprint(b)
    }
    assert wrong == set()


def test_the_checks_above_can_fail():
    """The graph walk sees a cycle, a rule importing a service and a service importing a
    blueprint when there is one."""
    graph = {"ledger.a.service": {"ledger.b.service"}, "ledger.b.service": {"ledger.a.service"}}
    assert _cycles(graph) == [["ledger.a.service", "ledger.b.service"]]
    assert _is_blueprint("ledger.entries.pages") and _is_blueprint("ledger.http.api")
    assert not _is_blueprint("ledger.entries.service") and _is_rule("ledger.engine.renewal")
    known = set(_modules())
    assert "ledger.access.principals" in _imports("ledger.entries.service",
                                                  ROOT / "ledger/entries/service.py", known)


@pytest.mark.parametrize("name", sorted(_modules()))
def test_no_module_is_over_400_lines(name):
    lines = len(_modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by purpose"
