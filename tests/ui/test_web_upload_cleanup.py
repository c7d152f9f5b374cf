"""Staff uploads leave nothing behind: Gradio's temporary copies, refused and failed files, a busy index; the
leftover view; and no server path in any message. Real Service, real index, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("gradio")  # an optional dependency: skip, not an error at collection
from filelock import FileLock

from assistant.service import Service
from index.config import Settings
from ui.upload import AdminGate, uploads_dir
from ui.web_docs import BUSY, clear_leftovers_handler, leftovers_markdown, upload_handler

pytestmark = pytest.mark.slow
PASSWORD = "rätt-lösen"


@pytest.fixture
def svc(tmp_path: Path, model_cache: Path, embedder) -> Service:
    from index.engine import Index

    settings = Settings(home=tmp_path / "home", model_cache=model_cache)
    service = Service(settings=settings, index=Index(settings, embedder=embedder))
    yield service
    service.close()


@pytest.fixture
def received(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Files as Gradio hands them over: inside its upload folder (GRADIO_TEMP_DIR), one folder per upload."""
    folder = tmp_path / "gradio"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))

    def make(name: str, data: bytes) -> str:
        p = folder / f"u{len(list(folder.glob('*'))) if folder.exists() else 0}" / name
        p.parent.mkdir(parents=True)
        p.write_bytes(data)
        return str(p)

    return make


def stored_files(svc: Service) -> list[str]:
    folder = uploads_dir(svc.settings.home)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_refused_password_leaves_nothing(svc: Service, received):
    f = received("plan.md", b"# Plan\n\nKommunen ska plantera fler trad.\n")
    out = upload_handler(svc, AdminGate(PASSWORD))([f], "fel")
    assert out.startswith("**Nekad** (kl. ") and "Fel lösenord" in out
    assert not Path(f).exists() and stored_files(svc) == []


def test_failed_and_duplicate_files_are_not_kept_and_paths_are_not_shown(svc: Service, received, tmp_path: Path):
    elsewhere = tmp_path / "redan" / "tidigare.md"
    elsewhere.parent.mkdir()
    elsewhere.write_text("# Tidigare\n\nKommunen ska bygga en ny simhall.\n", encoding="utf-8")
    svc.ingest([elsewhere])
    good = received("Ny plan.md", b"# Plan\n\nKommunen ska plantera 500 nya trad i parkerna.\n")
    broken = received("trasig.pdf", b"%PDF-1.4 inte alls en pdf")
    twin = received("kopia.md", elsewhere.read_bytes())
    out = upload_handler(svc, AdminGate(PASSWORD))([good, broken, twin], PASSWORD)
    assert "- Ny plan.md – ✓ inläst (1 avsnitt)" in out, out
    assert "trasig.pdf" in out and "kopia.md" in out and "samma innehåll som tidigare.md" in out
    assert str(tmp_path) not in out and "/" not in out.replace("budget/bokslut", "")
    assert stored_files(svc) == ["Ny plan.md"]  # only the file that became a document
    assert not any(Path(f).exists() for f in (good, broken, twin))


def test_a_busy_index_leaves_nothing_and_shows_no_path(svc: Service, received):
    f = received("plan.md", b"# Plan\n\nKommunen ska plantera fler trad.\n")
    svc.settings.home.mkdir(parents=True, exist_ok=True)
    with FileLock(str(svc.settings.home / "ingest.lock")):  # another ingest (the CLI) is running
        out = upload_handler(svc, AdminGate(PASSWORD))([f], PASSWORD)
    assert out == BUSY and str(svc.settings.home) not in out
    assert stored_files(svc) == [] and not Path(f).exists()


def test_staff_see_and_clear_leftover_uploads(svc: Service, received):
    upload_handler(svc, AdminGate(PASSWORD))([received("kvar.md", b"# Kvar\n\nKommunen ska ha en park.\n")], PASSWORD)
    folder = uploads_dir(svc.settings.home)
    (folder / "avbruten.pdf").write_bytes(b"%PDF-1.4 halv")  # from a run that was killed mid-upload
    listing = leftovers_markdown(svc)
    assert "avbruten.pdf" in listing and "kvar.md" not in listing and str(folder) not in listing
    gate = AdminGate(PASSWORD)
    assert clear_leftovers_handler(svc, gate)("fel").startswith("**Nekad** (kl. ")
    assert (folder / "avbruten.pdf").exists()
    assert clear_leftovers_handler(svc, gate)(PASSWORD) == "1 kvarlämnade fil(er) borttagna."
    assert stored_files(svc) == ["kvar.md"]  # the indexed upload stays
    assert leftovers_markdown(svc) == "Inga kvarlämnade filer i uppladdningsmappen."
