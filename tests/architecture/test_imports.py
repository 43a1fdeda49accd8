"""The shape of the code, read from its imports: no cycles, no first-party import hidden inside a
function, pure domain packages, and no service reaching into another's code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registration", "evidence", "scoring", "notification", "gateway")
SOURCES = {"shared": ROOT / "shared" / "src" / "shared",
           **{name: ROOT / "services" / name / "src" / name for name in SERVICES}}
FIRST_PARTY = (*SOURCES, "chora_testing")
# Packages held to the rules below; a service joins when its skeleton is in place.
CHECKED = ("shared", "registration", "notification", "scoring", "evidence", "gateway")
# What a domain package may not import: storage, messaging, HTTP.
IMPURE = ("pymongo", "bson", "gridfs", "kombu", "pika", "flask", "flask_smorest", "requests", "werkzeug")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (or module.name for `from module import name`)
    line: int
    nested: bool  # inside a function or method


def module_name(package: str, path: Path) -> str:
    rel = path.relative_to(SOURCES[package].parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(package: str) -> Iterator[Import]:
    for path in sorted(SOURCES[package].rglob("*.py")):
        name = module_name(package, path)
        tree = ast.parse(path.read_text(), str(path))
        is_pkg = path.name == "__init__.py"
        yield from _walk(tree, name, is_pkg, nested=False)


def _walk(node: ast.AST, name: str, is_pkg: bool, nested: bool) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        inner = nested or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield Import(name, alias.name, child.lineno, nested)
        elif isinstance(child, ast.ImportFrom):
            base = _resolve(child, name, is_pkg)
            for alias in child.names:
                yield Import(name, f"{base}.{alias.name}" if base else alias.name, child.lineno, nested)
        elif isinstance(child, ast.If) and _is_type_checking(child):
            continue  # imports only the type checker sees
        else:
            yield from _walk(child, name, is_pkg, inner)


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _resolve(node: ast.ImportFrom, name: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = name.split(".")
    base = parts if is_pkg else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def all_modules() -> set[str]:
    return {module_name(p, path) for p in SOURCES for path in SOURCES[p].rglob("*.py")}


def as_module(target: str, modules: set[str]) -> str | None:
    """The first-party module an import target is (or lies in), or None for a third-party one."""
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def graph(packages) -> dict[str, set[str]]:
    modules = all_modules()
    edges: dict[str, set[str]] = {}
    for package in packages:
        for imp in imports_of(package):
            if imp.nested:
                continue
            target = as_module(imp.target, modules)
            if target and target != imp.module:
                edges.setdefault(imp.module, set()).add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
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

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_import_walker_finds_a_cycle_and_a_nested_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("def f():\n    from shared import mongo\n")
    assert [i.nested for i in _walk(tree, "x", False, False)] == [True]


@pytest.mark.parametrize("package", CHECKED)
def test_no_module_imports_itself_round_a_cycle(package):
    edges = graph(CHECKED)
    mine = [c for c in cycles(edges) if any(m.split(".")[0] == package for m in c)]
    assert mine == [], f"import cycles: {mine}"


@pytest.mark.parametrize("package", CHECKED)
def test_no_first_party_import_is_hidden_inside_a_function(package):
    nested = [f"{i.module}:{i.line} imports {i.target}" for i in imports_of(package)
              if i.nested and i.target.split(".")[0] in FIRST_PARTY]
    assert nested == []


@pytest.mark.parametrize("package", CHECKED)
def test_domain_code_imports_no_storage_messaging_or_http(package):
    impure = [f"{i.module}:{i.line} imports {i.target}" for i in imports_of(package)
              if ".domain" in f".{i.module}" and i.module.split(".")[1:2] == ["domain"]
              and i.target.split(".")[0] in IMPURE]
    assert impure == []


@pytest.mark.parametrize("package", CHECKED)
def test_a_package_imports_only_shared_among_first_party_code(package):
    allowed = {"shared", package}
    foreign = [f"{i.module}:{i.line} imports {i.target}" for i in imports_of(package)
               if i.target.split(".")[0] in FIRST_PARTY and i.target.split(".")[0] not in allowed]
    assert foreign == []
