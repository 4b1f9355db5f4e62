"""The package's import graph: no module imports itself back through others, the library never
imports the web chat, and only the factory knows both generators.

Run alone: pytest tests/test_layout.py
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("rag", "ui")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The names an import statement brings in, absolute (``from . import x`` resolved)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        anchor = module.split(".")
        anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
        base = ".".join([*anchor, base] if base else anchor)
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def import_graph(external: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its body (at the top, inside
    functions and under TYPE_CHECKING alike: a late import still ties the two together);
    with ``external``, the other top-level packages it imports too (chromadb, gradio…)."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for imported in _imported(node, name, path.name == "__init__.py"):
                if imported in modules and imported != name:
                    targets.add(imported)
                elif external and imported.split(".")[0] not in PACKAGES:
                    targets.add(imported.split(".")[0])
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_the_library_never_imports_the_web_chat():
    graph = import_graph()
    assert {
        m: sorted(t)
        for m, t in graph.items()
        if m.startswith("rag") and any(x.startswith("ui") for x in t)
    } == {}


def test_only_the_factory_knows_both_generators():
    graph = import_graph()
    both = {"rag.answering.extractive", "rag.answering.llm"}
    assert [m for m, targets in graph.items() if both <= targets] == ["rag.answering.factory"]
    assert [m for m, targets in graph.items() if "rag.answering.llm" in targets] == [
        "rag.answering.factory"
    ]


# What the interfaces (the CLI, the web chat) must not reach into: they call rag.api.
BELOW_THE_API = ("rag.indexing", "rag.retrieval", "rag.answering.models")
ENGINES = {"chromadb", "bm25s", "xllamacpp", "llama_index", "torch", "sentence_transformers"}


def test_the_interfaces_reach_no_store_index_or_model():
    graph = import_graph(external=True)
    interfaces = [m for m in graph if m.startswith(("ui", "rag.interfaces"))]
    reached = {
        m: sorted(t for t in graph[m] if t.startswith(BELOW_THE_API) or t in ENGINES)
        for m in interfaces
    }
    assert {m: t for m, t in reached.items() if t} == {}
