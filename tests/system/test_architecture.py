"""The layering of ARCHITECTURE.md, checked on the source: who may import whom, no cycles,
modules of a readable size."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("archive", "indexer", "web")
MAX_LINES = 400
COHESIVE = {"indexer.analysis.crfseg",  # one algorithm (a CRF decoder), kept whole
            "vnarchive_cli"}            # the design card's one CLI module (ARCHITECTURE.md)


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in (ROOT / pkg).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    out["vnarchive_cli"] = ROOT / "vnarchive_cli.py"
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Our modules that ``name`` imports, at any depth of its code (lazy imports count)."""
    found = set()
    is_pkg = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_pkg else name.split(".")[:-1]
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    return {name: _imports(name, path, set(mods)) for name, path in mods.items()}


def test_imports_follow_the_data_flow():
    allowed = {"archive": {"archive"}, "indexer": {"archive", "indexer"},
               "web": {"archive", "indexer", "web"},
               "vnarchive_cli": {"archive", "indexer", "web", "vnarchive_cli"}}
    bad = [(a, b) for a, deps in _graph().items() for b in deps
           if b.split(".")[0] not in allowed[a.split(".")[0]]]
    assert bad == []


def test_search_does_not_reach_into_ingest_and_query_building_not_into_evaluation():
    graph = _graph()
    assert not [b for a, deps in graph.items() if a.startswith("indexer.search")
                for b in deps if b.startswith("indexer.ingest")]
    assert "indexer.search.evaluate" not in graph["indexer.search.query"]


def test_no_import_cycles_between_modules():
    graph = _graph()
    # package __init__ re-exports point down into their own children; they are entry
    # points, not dependencies, so edges into a package's __init__ from inside it are skipped
    def deps(m: str) -> set[str]:
        return {d for d in graph[m] if not m.startswith(d + ".")}

    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for d in deps(m):
            if state.get(d) == 1:
                cycles.append(stack[stack.index(d):] + [d] if d in stack else [m, d])
            elif d not in state:
                visit(d, stack + [d])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_modules_stay_readable():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
            and name not in COHESIVE}
    assert long == {}


def test_every_subpackage_opens_with_its_role_and_entry_point():
    for init in [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("__init__.py")]:
        doc = " ".join((ast.get_docstring(ast.parse(init.read_text("utf-8"))) or "").split())
        assert "entry point" in doc.lower() or init.parent.name in ("web",), init


MAX_FUNCTION_LINES = 80
HOT_PATH = {("indexer.codec.tokenfields", "_write")}  # one loop over a segment's terms, kept whole


def test_functions_stay_short_off_the_hot_path():
    long = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and \
                    node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES and \
                    (name, node.name) not in HOT_PATH:
                long.append(f"{name}.{node.name}")
    assert long == []
