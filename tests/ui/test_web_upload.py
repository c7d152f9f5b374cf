"""Staff gate and upload storage: refusals, logging, and file names that try to leave the uploads folder."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from ui.upload import AdminGate, Backoff, UploadError, is_upload, retry_message, safe_name, store_upload, uploads_dir


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("C:\\Users\\anna\\Mål 2026.docx", "Mål 2026.docx"),
        ("/etc/passwd.txt", "passwd.txt"),
        ("...pdf.md", "pdf.md"),
        ("namn med\x00nul.md", "namn mednul.md"),
        ("rapport<script>.HTML", "rapport_script.html"),
        ("  .dold fil.txt", "dold fil.txt"),
        ("nämndsplan – 2026 (slutlig).pdf", "nämndsplan_2026_slutlig.pdf"),
    ],
)
def test_safe_name_is_one_harmless_component(name: str, expected: str):
    got = safe_name(name)
    assert got == expected
    assert "/" not in got and "\\" not in got and not got.startswith(".")


@pytest.mark.parametrize("name", ["x.exe", "skript.sh", "ingen_filändelse", "..", "../", "arkiv.tar.gz", ".pdf"])
def test_safe_name_refuses_other_types(name: str):
    with pytest.raises(UploadError):
        safe_name(name)


def test_long_names_are_cut_but_keep_their_suffix():
    got = safe_name("a" * 500 + ".pdf")
    assert got.endswith(".pdf") and len(got) <= 100


@pytest.fixture
def src(tmp_path: Path) -> Path:
    p = tmp_path / "inkommande" / "x.md"
    p.parent.mkdir()
    p.write_text("# Rubrik\n\nText.\n", encoding="utf-8")
    return p


def test_traversal_name_lands_inside_uploads(tmp_path: Path, src: Path):
    home = tmp_path / "home"
    stored = store_upload(src, "../../etc/x.md", home)
    assert stored.parent.resolve() == uploads_dir(home).resolve()
    assert stored.read_text(encoding="utf-8") == src.read_text(encoding="utf-8")
    assert not (tmp_path / "etc").exists()
    assert is_upload(str(stored), home)
    assert not is_upload(str(src), home)


def test_same_name_gets_a_new_file_same_content_reuses_it(tmp_path: Path, src: Path):
    home = tmp_path / "home"
    first = store_upload(src, "x.md", home)
    assert store_upload(src, "x.md", home) == first  # identical bytes: nothing new written
    other = src.with_name("y.md")
    other.write_text("Annan text.\n", encoding="utf-8")
    second = store_upload(other, "x.md", home)
    assert second.name == "x-2.md" and first.read_text(encoding="utf-8") != second.read_text(encoding="utf-8")


def test_planted_symlink_is_not_written_through(tmp_path: Path, src: Path):
    home = tmp_path / "home"
    folder = uploads_dir(home)
    folder.mkdir(parents=True)
    target = tmp_path / "utanfor.md"
    target.write_text("orörd\n", encoding="utf-8")
    os.symlink(target, folder / "x.md")
    stored = store_upload(src, "x.md", home)
    assert stored.name == "x-2.md" and not stored.is_symlink()
    assert target.read_text(encoding="utf-8") == "orörd\n"


def test_size_limits(tmp_path: Path, src: Path):
    with pytest.raises(UploadError, match="större än gränsen"):
        store_upload(src, "x.md", tmp_path / "home", max_bytes=5)
    empty = src.with_name("tom.md")
    empty.write_bytes(b"")
    with pytest.raises(UploadError, match="tom"):
        store_upload(empty, "tom.md", tmp_path / "home")
    assert not any(uploads_dir(tmp_path / "home").glob("*"))


def test_gate_off_refuses_everyone(caplog: pytest.LogCaptureFixture):
    gate = AdminGate("")
    assert not gate.enabled
    with caplog.at_level(logging.WARNING, "styrdok.web.admin"), pytest.raises(UploadError, match="avstängda"):
        gate.check("vad som helst", "uppladdning")
    assert "avstängda" in caplog.text


def test_gate_refuses_and_logs_a_wrong_password_without_logging_it(caplog: pytest.LogCaptureFixture):
    gate = AdminGate("rätt-lösen")
    with caplog.at_level(logging.WARNING, "styrdok.web.admin"):
        for i, wrong in enumerate(("fel-lösen", "", None, "rätt-lösen ")):
            with pytest.raises(UploadError, match="Fel lösenord"):
                gate.check(wrong, "uppladdning", address=f"10.0.0.{i}")  # one address each: under the back-off
    assert caplog.text.count("fel lösenord") == 4 and "fel-lösen" not in caplog.text
    gate.check("rätt-lösen", "uppladdning", address="10.0.0.9")  # no exception


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_per_address_and_overall():
    clock = Clock()
    gate = AdminGate("rätt", per_client=Backoff(3, clock=clock), overall=Backoff(20, clock=clock))
    waits = []
    for _ in range(8):
        try:
            gate.check("fel", "uppladdning", address="1.2.3.4")
        except UploadError:
            pass
        waits.append(gate.per_client.wait("1.2.3.4"))
        clock.now += waits[-1]  # the attacker waits exactly as long as told
    assert waits == [0, 0, 1, 2, 4, 8, 16, 32]
    with pytest.raises(UploadError, match="^Fel lösenord. Inget har ändrats. För många .* om 64 sekunder"):
        gate.check("fel", "uppladdning", address="1.2.3.4")
    with pytest.raises(UploadError, match="^För många felaktiga lösenord. Försök igen om 64 sekunder"):
        gate.check("rätt", "uppladdning", address="1.2.3.4")  # the right one, during the lockout
    gate.check("rätt", "uppladdning", address="5.6.7.8")  # another address is not locked out by this one
    for i in range(12):  # many addresses, a few tries each: the overall limit (20) takes over
        with pytest.raises(UploadError):
            gate.check("fel", "uppladdning", address=f"9.9.9.{i}")
    with pytest.raises(UploadError, match="För många felaktiga lösenord"):
        gate.check("rätt", "uppladdning", address="7.7.7.7")
    clock.now += 3 * 3600  # failures are forgotten after an hour without one
    gate.check("rätt", "uppladdning", address="1.2.3.4")


def test_retry_message_says_when_in_swedish():
    assert re.fullmatch(r"För många felaktiga lösenord\. Försök igen om 1 sekund \(kl\. \d\d:\d\d:\d\d\)\.",
                        retry_message(0.3))  # fmt: skip
    assert "om 45 sekunder" in retry_message(44.2) and "om 15 minuter" in retry_message(900)


def test_gate_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("STYRDOK_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("STYRDOK_ADMIN_TOKEN_FILE", raising=False)
    assert not AdminGate.from_env().enabled
    token = tmp_path / "token"
    token.write_text("från-fil\nandra raden ignoreras\n", encoding="utf-8")
    monkeypatch.setenv("STYRDOK_ADMIN_TOKEN_FILE", str(token))
    assert AdminGate.from_env().secret == "från-fil"
    monkeypatch.setenv("STYRDOK_ADMIN_TOKEN_FILE", str(tmp_path / "saknas"))
    assert not AdminGate.from_env().enabled  # unreadable file: off, not open
    monkeypatch.setenv("STYRDOK_ADMIN_PASSWORD", "från-miljön")
    assert AdminGate.from_env().secret == "från-miljön"
