"""The domain apps depend on one another in one direction only: no import cycle.

Screens (views and any `*_views` module, forms, urls, template tags, admin, commands) may gather several apps on a
page; the domain layer (models, enums, QuerySets, rules, services) may not loop. Imports
inside functions count too: a lazy import is still a dependency.
"""

import ast
from collections import defaultdict
from pathlib import Path

RELAIS = Path(__file__).resolve().parent.parent / "relais"
SCREENS = {
    "views",
    "urls",
    "forms",
    "templatetags",
    "admin",
    "management",
    "migrations",
    "account_views",
    "auth_views",
    "auth_forms",
    "navigation",
    "context_processors",
    "middleware",
    "exports",
    "charts",
}
# Not domain apps: the shared transition mechanism, and the demo loader, which uses them all.
OUTSIDE = {"core", "demo"}


def domain_graph() -> dict[str, dict[str, str]]:
    """{app: {app it imports: where}} over the domain layer."""
    graph: dict[str, dict[str, str]] = defaultdict(dict)
    for path in sorted(RELAIS.rglob("*.py")):
        parts = path.relative_to(RELAIS).with_suffix("").parts
        screen = any(part in SCREENS or part.endswith("_views") for part in parts[1:])
        if len(parts) < 2 or parts[0] in OUTSIDE or screen:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                bits = module.split(".")
                if bits[0] == "relais" and len(bits) > 1 and bits[1] not in (parts[0], *OUTSIDE):
                    graph[parts[0]].setdefault(bits[1], f"{path.name}:{node.lineno}")
    return graph


def find_cycle(graph) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(app):
        state[app] = 1
        stack.append(app)
        for other in graph.get(app, {}):
            if state.get(other) == 1:
                return stack[stack.index(other) :] + [other]
            if other not in state and (cycle := visit(other)):
                return cycle
        state[app] = 2
        stack.pop()
        return []

    for app in sorted(graph):
        if app not in state and (cycle := visit(app)):
            return cycle
    return []


def test_no_import_cycle_between_domain_apps():
    graph = domain_graph()
    cycle = find_cycle(graph)
    where = [f"{a} → {b} ({graph[a][b]})" for a, b in zip(cycle, cycle[1:], strict=False)]
    assert not cycle, "Import cycle: " + "; ".join(where)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b": ""}, "b": {"c": ""}, "c": {"a": ""}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": ""}, "b": {}}) == []
