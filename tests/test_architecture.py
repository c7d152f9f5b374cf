"""Dependencies point one way: ui → assistant → index → ingest (eval may use assistant and index).

The UI goes through assistant (its facade `assistant.api` and `assistant.service`), never to index or ingest directly,
and no product code imports the test, benchmark or script folders."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {
    "ingest": {"ingest"},
    "index": {"ingest", "index"},
    "assistant": {"ingest", "index", "assistant"},
    "eval": {"ingest", "index", "assistant", "eval"},
    "ui": {"assistant", "eval", "ui"},  # index and ingest only through assistant (assistant/api.py)
}
NOT_PRODUCT = {"tests", "bench", "scripts"}  # folders beside the product: nothing in it may depend on them
HEAVY = {"torch", "sentence_transformers", "chromadb", "gradio", "transformers"}


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name.split(".")[0]) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module.split(".")[0]))
    return out


def test_no_import_points_up_the_chain():
    bad = []
    for pkg, allowed in ALLOWED.items():
        for f in (ROOT / pkg).rglob("*.py"):
            for line, mod in imports(f):
                if mod in ALLOWED and mod not in allowed or mod in NOT_PRODUCT:
                    bad.append(f"{f.relative_to(ROOT)}:{line} imports {mod}")
    assert not bad, bad


def test_the_rule_catches_what_it_forbids(tmp_path):
    """The parser sees the imports the rules are about, at module level and inside functions."""
    probe = tmp_path / "probe.py"
    probe.write_text("import tests.conftest\ndef f():\n    from index.engine import Index\n", encoding="utf-8")
    assert [m for _, m in imports(probe)] == ["tests", "index"]


def test_heavy_libraries_only_imported_lazily_in_the_cli():
    """`styrdok --help` must be instant: the CLI module imports no heavy library at module level."""
    tree = ast.parse((ROOT / "ui" / "cli.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    names = {a.name.split(".")[0] for n in top for a in n.names} | {
        n.module.split(".")[0] for n in top if isinstance(n, ast.ImportFrom) and n.module
    }
    assert not names & (HEAVY | set(ALLOWED) - {"ui"}), names


def test_the_facade_serves_every_name_it_lists():
    import assistant.api as api

    assert set(api.__all__) == set(api._HOME)
    assert all(getattr(api, name) is not None for name in api.__all__)
