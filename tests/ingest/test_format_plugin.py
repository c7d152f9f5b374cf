"""A new document format is one new file: a loader module dropped into ingest/loaders is read by ingest and
accepted by the web upload, with nothing else edited."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import ingest.loaders as loaders
from ingest.pipeline import discover

# The whole of a new format: its suffixes and its load(). ".dmy": one paragraph per line.
DUMMY_LOADER = """
from pathlib import Path

from ingest.model import Block, LoadedDoc

SUFFIXES = (".dmy",)


def load(path: Path) -> LoadedDoc:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return LoadedDoc(blocks=[Block(line) for line in lines], title="Dummyformatets plan")
"""


@pytest.fixture
def dummy_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """ingest/loaders with one more module in it (in a folder of its own, on the package's path, so the source tree
    is left as it is)."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "dummy.py").write_text(DUMMY_LOADER, encoding="utf-8")
    monkeypatch.setattr(loaders, "__path__", [*loaders.__path__, str(folder)])
    loaders.loaders.cache_clear()
    yield ".dmy"
    sys.modules.pop("ingest.loaders.dummy", None)
    loaders.loaders.cache_clear()


def test_the_formats_are_found_without_a_list():
    assert loaders.supported_suffixes() == {".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx"}
    assert loaders.loaders()[".markdown"] is loaders.loaders()[".md"]


def test_a_new_format_is_one_new_file(dummy_format: str, tmp_path: Path, make_index):
    docs = tmp_path / "docs"
    docs.mkdir()
    plan = docs / f"plan{dummy_format}"
    plan.write_text("Mål 1: Alla skolor ska ha solceller.\nKommunen ska minska utsläppen.\n", encoding="utf-8")
    (docs / "annat.xyz").write_text("okänt format", encoding="utf-8")

    assert dummy_format in loaders.SUPPORTED_SUFFIXES
    assert dict(discover([docs])) == {plan: "", docs / "annat.xyz": "filtypen .xyz stöds inte"}
    index = make_index()
    results = {Path(r.path).name: r for r in index.ingest([docs])}
    assert results["annat.xyz"].status == "skipped"
    result = results[plan.name]
    assert result.status == "ingested", result
    assert result.chunks >= 1
    hits = index.search("solceller på skolor", k=1)
    assert hits and "solceller" in hits[0].text

    from ui.upload import UploadError, allowed_suffixes, safe_name, store_upload

    assert dummy_format in allowed_suffixes()
    stored = store_upload(plan, "Ny plan.dmy", tmp_path / "home")
    assert stored.name == "Ny plan.dmy" and stored.read_bytes() == plan.read_bytes()
    with pytest.raises(UploadError):
        safe_name("plan.xyz")

    from ui.web_public import DOWNLOAD, content_type

    # Its original is offered as a download (never rendered: the web app knows nothing about the format).
    assert content_type(dummy_format) == DOWNLOAD and content_type(".xyz") is None


def test_without_the_file_the_format_is_refused(tmp_path: Path):
    from ui.upload import UploadError, safe_name

    with pytest.raises(UploadError, match="Filtypen .dmy stöds inte"):
        safe_name("plan.dmy")
    (tmp_path / "plan.dmy").write_text("text", encoding="utf-8")
    with pytest.raises(loaders.LoadError, match="filtypen .dmy stöds inte"):
        loaders.load(tmp_path / "plan.dmy")


def test_every_format_ingest_reads_has_its_original_served():
    from ui.web_public import CONTENT_TYPES, content_type

    assert set(CONTENT_TYPES) == loaders.supported_suffixes()  # the built-in ones each as chosen (.markdown too)
    assert content_type(".markdown") == content_type(".md") == "text/plain; charset=utf-8"
