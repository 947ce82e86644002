"""The layout holds: no import circle, genre/ stands alone, genre knowledge lives only there, modules stay small."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "huiyi"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """huiyi modules `name` imports anywhere in its file (module level, in functions, under TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module
            if node.level:  # relative import
                pkg = name.split(".")[: -node.level] if not path.name == "__init__.py" else name.split(".")[: len(name.split(".")) - node.level + 1]
                base = ".".join([*pkg, node.module])
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found |= {t for t in targets if t in known and t != name}
    return found


def _graph() -> dict[str, set[str]]:
    mods = _modules()
    known = set(mods)
    return {name: _imports(name, path, known) for name, path in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, or None. A package's __init__ importing its own modules is not a circle."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue  # a package importing its own submodule
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
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
    graph = _graph()
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_genre_imports_nothing_else_of_huiyi() -> None:
    for name, deps in _graph().items():
        if name.startswith("huiyi.genre"):
            assert all(d.startswith("huiyi.genre") for d in deps), (name, deps)


def test_domain_packages_never_reach_for_the_facade_or_the_server() -> None:
    for name, deps in _graph().items():
        if name.startswith(("huiyi.index", "huiyi.qa", "huiyi.summary", "huiyi.cite", "huiyi.llm", "huiyi.genre")):
            assert not [d for d in deps if d == "huiyi.core" or d.startswith(("huiyi.server", "huiyi.cli"))], name


# Period words and Chinese-digit tables are genre knowledge: written once, in huiyi/genre.
PERIOD_WORDS = ("上半年", "下半年", "前三季度", "季度", "全年")
DIGIT_TABLE = re.compile(r"[一二两三四五六七八九十]{4,}|[零〇][一二三]")


def _code_strings(path: Path):
    """String constants of a module that are not docstrings, with their line numbers."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_period_words_and_digit_tables_live_only_in_genre() -> None:
    offenders = []
    for name, path in _modules().items():
        if name.startswith("huiyi.genre"):
            continue
        for line, value in _code_strings(path):
            if any(w in value for w in PERIOD_WORDS) or DIGIT_TABLE.search(value):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {value[:40]!r}")
    assert not offenders, offenders


def test_modules_stay_small() -> None:
    big = {str(p.relative_to(PACKAGE.parent)): n for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, big
