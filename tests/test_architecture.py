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


# Where product code may touch the process environment: the settings classes' `from_env` (each takes the entry
# point's snapshot and defaults to the process's), the entry points, and the documented offline switches for
# libraries. Anything else must take its settings from the object the entry point built (assistant/settings.py).
ENVIRONMENT_READERS = {
    "index/config.py",  # Settings.from_env; set_offline_defaults
    "ingest/limits.py",  # Limits.from_env
    "assistant/config.py",  # LLMSettings / AnswerSettings.from_env
    "assistant/audit.py",  # AuditSettings.from_env
    "assistant/service.py",  # Service() without settings (tests, notebooks)
    "assistant/tokens.py",  # TIKTOKEN_CACHE_DIR: the offline tokenizer files
    "index/embedder.py",  # HF_HUB_OFFLINE for a local model folder
    "ui/cli.py",  # the entry point
    "ui/web.py",  # serve(): the entry point; Gradio's analytics switches
    "ui/upload.py",  # AdminGate.from_env; Gradio's own GRADIO_TEMP_DIR rule
    "ui/web_public.py",  # PublicTexts.from_env
}


def test_the_environment_is_read_only_by_settings_and_entry_points():
    readers = set()
    for pkg in ("assistant", "index", "ingest", "ui"):
        for f in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv"):
                    readers.add(str(f.relative_to(ROOT)))
    assert readers <= ENVIRONMENT_READERS, sorted(readers - ENVIRONMENT_READERS)
