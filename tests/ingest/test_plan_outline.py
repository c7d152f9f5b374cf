"""Board plans number their chapters and their goal sections: "3.1 Mål 2 – …" is goal 2, "4. Budget" ends goals."""

from pathlib import Path

from ingest.chunking import chunk_document
from ingest.loaders import load
from ingest.model import Block
from ingest.structure import annotate_goals


def test_numbered_outline_with_goal_sections():
    texts = ["1. Nämndens uppdrag", "Nämnden sköter gator.", "3. Mål, aktiviteter och indikatorer",
             "3.1 Mål 2 – I Lunds kommun skapas kvalitet som gör skillnad", "Aktivitet: digital felanmälan.",
             "3.2 Mål 5 – Lunds kommun ska vara ledande inom miljö och klimat", "Aktivitet: LED-belysning.",
             "4. Budget 2026", "Tabellen visar budgeten."]  # fmt: skip
    texts.insert(2, "2. Utgångspunkter")
    got = [(b.text.split(" ")[0], b.level, g) for b, g in annotate_goals([Block(t) for t in texts]) if b.level]
    assert got == [("1.", 1, 0), ("2.", 1, 0), ("3.", 1, 0), ("3.1", 2, 2), ("3.2", 2, 5), ("4.", 1, 0)]


def test_list_under_a_goal_is_not_an_outline():
    texts = ["Mål 5. Lunds kommun ska vara ledande inom miljö och klimat", "1. Fler ska resa kollektivt",
             "2. Fler ska cykla"]  # fmt: skip
    assert [(b.level, g) for b, g in annotate_goals([Block(t) for t in texts])] == [(2, 5), (0, 0), (0, 0)]


def test_cookie_banner_and_breadcrumbs_are_not_indexed(tmp_path: Path):
    page = tmp_path / "p.html"
    page.write_text(
        '<html><body><div class="cookie-banner">Vi använder kakor för statistik.</div>'
        '<ol class="breadcrumb"><li>Hem</li><li>Press</li></ol><h1>Nytt bibliotek</h1>'
        "<p>Kommunen bygger ett nytt bibliotek i Stångby under 2027.</p></body></html>",
        encoding="utf-8",
    )
    text = "\n".join(c.text for c in chunk_document(load(page), doc_id="d", meta={}))
    assert "kakor" not in text and "Press" not in text
    assert "nytt bibliotek i Stångby" in text
