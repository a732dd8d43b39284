"""The layers stay nameable: no import circle between our modules (imports inside
functions count; imports for type checking only do not), and no module grows past a
livable size."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "exchange_cli"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_module(package: str, name: str) -> bool:
    where = PACKAGE.parent.joinpath(*package.split("."), name)
    return where.with_suffix(".py").exists() or (where / "__init__.py").exists()


def imports_of(path: Path) -> set[str]:
    """Every exchange_cli module this one imports, at any depth of its code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("exchange_cli"))
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.level == 0
            and node.module.startswith("exchange_cli")
        ):
            found.add(node.module)
            # `from exchange_cli import query` imports the module exchange_cli.query.filters
            found.update(
                f"{node.module}.{a.name}" for a in node.names if _is_module(node.module, a.name)
            )
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for target in imports_of(path):
            # importing a.b.c runs a and a.b first
            parts = target.split(".")
            targets.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for following in sorted(graph[node]):
            if state.get(following) == 1:
                return [*stack[stack.index(following) :], following]
            if following not in state:
                found = visit(following)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_circle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_checker_sees_a_circle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_over_500_lines() -> None:
    sizes = {module_name(p): len(p.read_text().splitlines()) for p in PACKAGE.rglob("*.py")}
    too_big = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not too_big, too_big


#: Each layer and the layers it may import (besides itself). Read down the page: a layer
#: imports only what is below it. Each package's docstring says the same.
LAYERS: dict[str, set[str]] = {
    "cli": {"load", "store", "render", "query", "model", "errors"},
    "load": {"store", "query", "model", "errors"},
    "store": {"query", "model", "errors"},
    "render": {"query", "model", "errors"},
    "query": {"model", "errors"},
    "model": {"errors"},
    "errors": set(),
}


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_module_is_in_a_layer() -> None:
    """Nothing lies flat beside the layers but the package's own entry files."""
    loose = {m for m in import_graph() if layer_of(m) is None}
    assert loose == {"exchange_cli", "exchange_cli.__main__"}, loose


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Each import of a layer by one it may not import, as "module imports module"."""
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        for target in targets
        if (mine := layer_of(module)) is not None
        and (theirs := layer_of(target)) is not None
        and theirs != mine
        and theirs not in LAYERS[mine]
    )


def test_each_layer_imports_only_the_layers_below_it() -> None:
    assert upward_imports(import_graph()) == []


def test_every_layer_says_what_it_may_import() -> None:
    for layer in LAYERS:
        if layer == "errors":
            continue
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc is not None and "May import" in doc, layer


def test_the_layer_checker_sees_an_import_upward() -> None:
    graph = {
        "exchange_cli.model.records": {"exchange_cli.store.files", "exchange_cli.errors"},
        "exchange_cli.cli.commands": {"exchange_cli.model.records"},
        "exchange_cli.store.files": {"exchange_cli.query.records"},
    }
    assert upward_imports(graph) == ["exchange_cli.model.records imports exchange_cli.store.files"]
