"""The tree shows the architecture: no import cycle among fluorologic modules, layers point one way.

The imports are read with ``ast`` (nothing is imported), function-level ones included; imports under
``if TYPE_CHECKING:`` are annotations only and do not count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "fluorologic"

#: docs/architecture.md: a layer may import its own and lower layers only.
LAYERS = {
    "contract": 0,
    "rules": 1, "notes": 1,
    "engine": 2,
    "explanation": 3, "run": 3, "claims": 3, "quality": 3, "reconcile": 3,
    "service": 4, "cli": 4, "spark": 4, "testing": 4,
}


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> nx.DiGraph:
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for b in node.body for n in ast.walk(b)}
        for node in ast.walk(tree):
            if id(node) in typing_only or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    base = ".".join(pkg[:len(pkg) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "fluorologic" and not name.startswith(target + "."):
                    graph.add_edge(name, target)
    return graph


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(_graph()))
    assert cycles == [], f"import cycles: {cycles}"


def test_layers_point_down():
    upward = []
    for a, b in _graph().edges:
        la, lb = (LAYERS.get(m.split(".")[1]) if "." in m else None for m in (a, b))
        if la is not None and lb is not None and lb > la:
            upward.append((a, b))
    assert upward == []


def test_top_level_is_a_few_packages():
    entries = {p.name for p in PACKAGE.iterdir() if p.name not in {"__pycache__", "__init__.py", "py.typed", "data"}}
    assert len(entries) <= 13, sorted(entries)
    loose = {e for e in entries if e.endswith(".py")} - {"__main__.py"}
    assert len(loose) <= 2, sorted(loose)
    assert all((PACKAGE / e).is_dir() or e.endswith(".py") for e in entries)
