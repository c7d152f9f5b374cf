"""A long-lived reader sees what another process writes: new documents (dense and word scores), replacements and
removals, as soon as that process's ingest has committed. The writer is a real `styrdok` process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.catalog import Filters

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
UNIQUE = "Kommunen ska bygga en linbana av glas mellan Stortorget och Södra stationen före år 2031."


def styrdok(home: Path, model_cache: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache), "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return proc


# The sample corpus is small enough for the catalog's copy of the vectors (index/exact.py); "chroma" makes the
# reader search Chroma, as it does for a larger index.
@pytest.mark.parametrize("vectors", ["catalog copy", "chroma"])
def test_a_running_reader_sees_another_process_ingest_replace_and_remove(make_index, corpus: Path, tmp_path: Path,
                                                                         model_cache: Path, vectors: str):  # fmt: skip
    reader = make_index()  # the long-lived process: the web app, a retriever, library use
    if vectors == "chroma":
        reader.stores.exact_max_vectors = 0
    reader.ingest([corpus])
    before = reader.search(UNIQUE, k=3)
    assert before and "linbana" not in before[0].text  # the store is open and its vector index loaded

    new = tmp_path / "nytt" / "linbana.md"
    new.parent.mkdir()
    new.write_text(f"---\ntitle: Linbanan\ndoc_type: mål\ndate: 2026-03-01\n---\n\n# Linbanan\n\n{UNIQUE}\n")
    styrdok(reader.settings.home, model_cache, "ingest", str(new))

    top = reader.search(UNIQUE, k=3)[0]
    assert "linbana av glas" in top.text
    assert top.signals["dense"] > 0.8 and top.signals["lexical"] > 0  # both scores: the vectors are seen
    filtered = reader.search("linbana av glas", k=3, filters=Filters(year=2026))
    assert filtered and "linbana av glas" in filtered[0].text and filtered[0].signals["dense"] > 0.8
    assert any(d.title == "Linbanan" for d in reader.documents())

    new.write_text(
        "---\ntitle: Linbanan\ndoc_type: mål\n---\n\n# Linbanan\n\nLinbanan ersätts av en spårväg med 12 hållplatser.\n"
    )
    styrdok(reader.settings.home, model_cache, "ingest", str(new))
    top = reader.search("spårväg med 12 hållplatser", k=3)[0]
    assert "12 hållplatser" in top.text and top.signals["dense"] > 0.8
    assert all("linbana av glas" not in h.text for h in reader.search(UNIQUE, k=10))

    styrdok(reader.settings.home, model_cache, "remove", str(new))
    assert all("Linbanan" not in h.title for h in reader.search("spårväg med 12 hållplatser", k=10))
    assert reader.check() == {"only_in_vectors": [], "only_in_catalog": []}


def test_a_reader_that_writes_itself_sees_an_earlier_write_by_another_process(make_index, corpus: Path,
                                                                              tmp_path: Path, model_cache: Path):  # fmt: skip
    reader = make_index()
    reader.ingest([corpus / "pressmeddelande-solceller-2025.md"])
    reader.search("solceller", k=1)
    other = tmp_path / "annat.txt"
    other.write_text(UNIQUE, encoding="utf-8")
    styrdok(reader.settings.home, model_cache, "ingest", str(other))
    reader.ingest([corpus / "pressmeddelande-fritidskort-2026.html"])  # its own write right after the other's
    top = reader.search(UNIQUE, k=1)[0]
    assert "linbana av glas" in top.text and top.signals["dense"] > 0.8
