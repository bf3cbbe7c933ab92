"""An import-linter contract of our own (pyproject.toml, [tool.importlinter]): no app uses
another app's private names.

A name that starts with one underscore is its module's own business. Within one top-level
package (an app, core, the project package) that is a convention between neighbours; across
packages it is a hidden dependency, so `make lint` refuses `from collection.services import
_helper` and `collection_services._helper(...)` in any other package. import-linter's graph
knows modules, not names, so this contract reads the source of every module of the root
packages."""

from __future__ import annotations

import ast
from pathlib import Path

from importlinter.application import output
from importlinter.domain.contract import Contract, ContractCheck

# Django's documented model API, public despite its underscore.
_DJANGO_PUBLIC = {"_meta", "_default_manager", "_base_manager", "_state"}


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in _DJANGO_PUBLIC


def _root(module: str) -> str:
    return module.split(".", 1)[0]


def _source(module: str) -> Path:
    """The module's file, from the project's root (lint-imports runs there); nothing imported."""
    path = Path(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _uses(module: str, tree: ast.AST, roots: set[str]):
    """(line, what) for every private name of another root package this module uses."""
    aliases: dict[str, str] = {}  # a local name -> the other package's module it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if _root(node.module) in roots - {_root(module)}:
                for alias in node.names:
                    if _private(alias.name):
                        yield node.lineno, f"{node.module}.{alias.name}"
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _root(alias.name) in roots - {_root(module)}:
                    aliases[alias.asname or alias.name] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            yield node.lineno, f"{aliases[node.value.id]}.{node.attr}"


class PrivateNamesContract(Contract):
    def check(self, graph, verbose: bool) -> ContractCheck:
        roots = {module for module in graph.modules if "." not in module}
        found = []
        for module in sorted(graph.modules):
            if "migrations" in module.split("."):
                continue
            path = _source(module)
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, what in _uses(module, tree, roots):
                found.append(f"{module}:{line} uses {what}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["found"]:
            output.print_error(line)
        output.new_line()
        output.print("Make the name public in its own app (a service, a selector) or move it.")


class NoCyclesContract(Contract):
    """No circle of imports between modules (an import inside a function counts too): each
    module can be read, tested and moved with what it needs below it."""

    def check(self, graph, verbose: bool) -> ContractCheck:
        edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        cycles: list[list[str]] = []

        def visit(module: str) -> None:  # Tarjan's strongly connected components
            index[module] = low[module] = len(index)
            stack.append(module)
            for other in edges[module]:
                if other not in index:
                    visit(other)
                    low[module] = min(low[module], low[other])
                elif other in stack:
                    low[module] = min(low[module], index[other])
            if low[module] == index[module]:
                component = []
                while True:
                    top = stack.pop()
                    component.append(top)
                    if top == module:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))

        for module in sorted(edges):
            if module not in index:
                visit(module)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error("These modules import each other: " + ", ".join(cycle))
