"""The `helpers` package imports downward only, and no import circle comes back.

Every module of `helpers` is parsed with `ast`: every `import` and `from ... import`,
at the top of a module or inside a function (a lazy import still runs, and a circle
through one breaks as soon as the two modules load in the wrong order), relative
imports resolved. Two rules:

1. No circle: following imports from any module never leads back to it.
2. Layers, lowest first (`LAYERS`): a module imports modules of its own layer or of lower
   ones, never of a higher one.

       facade     helpers (up, down, connect, dashboard), helpers.__main__ (the command line)
         |
       features   console, data, measure, faults, labs, scaling, live, charts, verdicts, tools, wire,
         |        usecases/, exercises/     (what the notebooks call, one concern each)
       topology   slots, keys and nodes as tables, read from a running cluster
         |
       cluster    cluster/__init__ (up, down, status, connect, finding the cluster),
         |        cluster/base (the backend contract), local, docker, external
       foundation i18n, errors, slots, replies, resp, config   (standard library only, and
                  redis-py inside functions that run after an error or on a redis-py client)

Only `helpers/cluster/` may ask which backend runs.
"""
from __future__ import annotations

import ast
import fnmatch
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "helpers"

# Lowest layer first; a module may import its own layer and those before it.
LAYERS: list[tuple[str, list[str]]] = [
    ("foundation", ["helpers.i18n", "helpers.errors", "helpers.slots", "helpers.replies", "helpers.resp",
                    "helpers.config"]),
    ("cluster", ["helpers.cluster", "helpers.cluster.*"]),
    ("topology", ["helpers.topology"]),
    ("features", ["helpers.console", "helpers.data", "helpers.measure", "helpers.faults",
                  "helpers.labs", "helpers.scaling", "helpers.partition", "helpers.live", "helpers.charts",
                  "helpers.verdicts", "helpers.tools", "helpers.wire", "helpers.usecases", "helpers.usecases.*",
                  "helpers.exercises", "helpers.exercises.*"]),
    ("facade", ["helpers", "helpers.__main__"]),
]


def module_files(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name, for __init__.py)."""
    modules = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(module: str, source: str, is_package: bool, known: set[str]) -> set[str]:
    """The modules of `known` that `source` imports, anywhere in it (functions included).

    `from a.b import c` imports a.b.c when that is a module, else a.b (c is a name in it);
    a relative import is resolved from `module`'s package.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.c` of a name: its module
                target = target.rpartition(".")[0]
            if target and target != module:
                found.add(target)
    return found


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the modules of the package it imports."""
    files = module_files(package)
    known = set(files)
    return {module: imports_of(module, path.read_text(), path.name == "__init__.py", known)
            for module, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None when there is none (depth-first search)."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for target in sorted(graph.get(module, ())):
            if target in on_path:
                return path[path.index(target):] + [target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done:
            cycle = visit(module)
            if cycle:
                return cycle
    return None


def layer_of(module: str) -> int:
    """The index in LAYERS of the layer that holds `module`; KeyError when none does."""
    for index, (_, patterns) in enumerate(LAYERS):
        if any(fnmatch.fnmatchcase(module, pattern) for pattern in patterns):
            return index
    raise KeyError(module)


# ---- the package as it is ------------------------------------------------------------------------

def test_no_import_circle_among_helpers_modules() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_every_module_has_a_layer() -> None:
    unplaced = []
    for module in module_files():
        try:
            layer_of(module)
        except KeyError:
            unplaced.append(module)
    assert not unplaced, f"add these modules to a layer of LAYERS: {unplaced}"


def test_imports_go_down_the_layers_only() -> None:
    upward = [f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} "
              f"({LAYERS[layer_of(target)][0]})"
              for module, targets in import_graph().items() for target in sorted(targets)
              if layer_of(target) > layer_of(module)]
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


BACKEND_NAMES = {"local", "docker", "external"}


def backend_branches(source: str) -> list[int]:
    """Lines of `source` that compare something with `.backend` or with a backend's name."""
    def names_a_backend(node: ast.AST) -> bool:
        return any((isinstance(part, ast.Attribute) and part.attr == "backend")
                   or (isinstance(part, ast.Constant) and part.value in BACKEND_NAMES)
                   for part in ast.walk(node))

    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Compare) and names_a_backend(node)]


def test_nothing_outside_the_cluster_package_branches_on_the_backend() -> None:
    asking = [f"{path.relative_to(PACKAGE.parent)}:{line}"
              for module, path in module_files().items()
              if not (module == "helpers.cluster" or module.startswith("helpers.cluster."))
              for line in backend_branches(path.read_text())]
    assert not asking, "only helpers/cluster/ may ask which backend runs: " + ", ".join(asking)


# ---- the checks themselves can fail -------------------------------------------------------------

def test_the_cycle_finder_names_a_circle() -> None:
    graph = {"helpers.a": {"helpers.b"}, "helpers.b": {"helpers.c"}, "helpers.c": {"helpers.a"},
             "helpers.d": {"helpers.a"}}
    assert find_cycle(graph) == ["helpers.a", "helpers.b", "helpers.c", "helpers.a"]
    assert find_cycle({"helpers.a": {"helpers.b"}, "helpers.b": set()}) is None


def test_imports_inside_functions_and_relative_ones_are_found() -> None:
    known = {"helpers", "helpers.cluster", "helpers.cluster.base", "helpers.cluster.local",
             "helpers.faults", "helpers.measure"}
    source = ("from .base import Backend\n"
              "def stop():\n"
              "    from helpers.faults import kill\n"
              "    import helpers.measure\n"
              "    from helpers import measure\n"
              "    from .. import faults\n")
    found = imports_of("helpers.cluster.local", source, is_package=False, known=known)
    assert found == {"helpers.cluster.base", "helpers.faults", "helpers.measure"}
    # ... and the layer rule catches the first two as going up from the cluster layer.
    assert [target for target in sorted(found) if layer_of(target) > layer_of("helpers.cluster.local")] \
        == ["helpers.faults", "helpers.measure"]


def test_a_branch_on_the_backend_is_seen() -> None:
    source = ("if state.backend == 'docker':\n    pass\n"
              "x = 1\n"
              "ok = name in ('local', 'docker')\n"
              "up(backend=args.backend)\n")  # passing it on is no branch
    assert backend_branches(source) == [1, 4]


@pytest.mark.parametrize("module, layer", [("helpers.slots", "foundation"),
                                           ("helpers.cluster.docker", "cluster"),
                                           ("helpers.exercises.part05", "features"),
                                           ("helpers", "facade")])
def test_layers_hold_the_modules_they_name(module: str, layer: str) -> None:
    assert LAYERS[layer_of(module)][0] == layer
