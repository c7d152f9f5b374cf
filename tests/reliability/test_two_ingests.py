"""Two writers on one STYRDOK_HOME (real processes): while one `styrdok ingest` runs, a second ingest and a removal
are refused at once with a clear Swedish message and exit status 2; the first completes and the index is
consistent."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

STYRDOK = Path(sys.executable).parent / "styrdok"
BUSY = "En annan inläsning pågår redan"


def make_corpus(root: Path) -> Path:
    """A small file first (its row shows the ingest is under way), then one that takes a while to embed."""
    root.mkdir()
    (root / "a-kort.md").write_text("# Kort\n\nFörsta dokumentet om parkering i centrum.\n", encoding="utf-8")
    lines = [
        f"Åtgärd {i}: kommunen rustar gata nummer {i} och planterar {i % 17 + 2} träd längs den. "
        f"Arbetet i kvarter {i * 7 % 101} börjar vecka {i % 52 + 1}."
        for i in range(700)
    ]
    (root / "b-lang.txt").write_text("\n\n".join(lines), encoding="utf-8")
    return root


def styrdok(args: list[str], home: Path, model_cache: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache), "OMP_NUM_THREADS": "1"}
    env.pop("STYRDOK_CRASH_AT", None)
    return subprocess.Popen([str(STYRDOK), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def documents_written(home: Path) -> int:
    try:
        with sqlite3.connect(f"file:{home / 'catalog.sqlite3'}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:  # not created yet, or busy for a moment
        return 0


def test_second_writer_is_refused_while_the_first_completes(tmp_path: Path, embedder, model_cache: Path):
    from index.config import Settings
    from index.engine import Index

    corpus = make_corpus(tmp_path / "corpus")
    home = tmp_path / "home"
    first = styrdok(["ingest", str(corpus)], home, model_cache)
    deadline = time.monotonic() + 300
    while documents_written(home) < 1:  # the lock is taken before the first document is written
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "the first ingest wrote nothing in 5 minutes"
        time.sleep(0.2)

    second = styrdok(["ingest", str(corpus)], home, model_cache)
    out2, err2 = second.communicate(timeout=120)
    removal = styrdok(["remove", str(corpus / "a-kort.md")], home, model_cache)
    out3, err3 = removal.communicate(timeout=120)
    assert first.poll() is None, "the first ingest ended before the others were refused: the test proved nothing"

    assert second.returncode == 2 and BUSY in err2 and str(home) in err2, (out2, err2)
    assert removal.returncode == 2 and BUSY in err3, (out3, err3)
    for text in (out2, err2, out3, err3):
        assert "Traceback" not in text

    out1, err1 = first.communicate(timeout=600)
    assert first.returncode == 0, (out1, err1[-3000:])
    assert "Traceback" not in err1 and "Klart: 2 inlästa" in out1, out1

    idx = Index(Settings(home=home, model_cache=model_cache), embedder=embedder)
    try:
        assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}
        assert sorted(Path(d.source).name for d in idx.documents()) == ["a-kort.md", "b-lang.txt"]
        assert idx.catalog.journal_entries() == []
        # The lock went with the first process: the next writer gets in, and finds nothing to do.
        again = idx.ingest([corpus])
        assert [r.status for r in again] == ["skipped", "skipped"]
        assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}
    finally:
        idx.close()
