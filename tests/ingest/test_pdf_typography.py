"""A report PDF's typography: headings by size, footnotes out of the text, a cover and a contents page that are
indexed but never quoted as an answer. The PDF is drawn with reportlab so every size and position is known."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.loaders import load
from ingest.metadata import infer_metadata

BODY = [
    "Kommunen har cirka 24 000 invånare och en stor del av ytan utgörs av skog.",
    "Enligt lag1 ska kommunen analysera risker för extraordinära händelser varje mandatperiod.",
    "Analysen har tagits fram tillsammans med alla förvaltningar och de kommunala bolagen.",
]


@pytest.fixture
def report(tmp_path: Path, pdf_font: str) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    path = tmp_path / "rapport.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)

    def body(lines: list[str], y: float) -> float:
        c.setFont(pdf_font, 11)
        for line in lines:
            c.drawString(60, y, line)
            y -= 15
        return y

    # 1: cover
    c.setFont(pdf_font, 28)
    c.drawString(60, height - 200, "Risk- och sårbarhetsanalys 2024")
    c.setFont(pdf_font, 12)
    c.drawString(60, height - 240, "Exempelby kommun")
    c.showPage()
    # 2: contents
    c.setFont(pdf_font, 18)
    c.drawString(60, height - 80, "Innehåll")
    c.setFont(pdf_font, 11)
    for n, (name, page) in enumerate([("Inledning", 3), ("Beskrivning av kommunen", 3), ("Risker", 4)]):
        c.drawString(60, height - 120 - 18 * n, f"{n + 1}. {name} " + "." * 40 + f" {page}")
    c.showPage()
    # 3: body with a heading, a caption and a footnote
    c.setFont(pdf_font, 18)
    c.drawString(60, height - 80, "1. Beskrivning av kommunen")
    y = body(BODY, height - 120)
    c.setFont(pdf_font, 8.5)
    c.drawString(60, y - 10, "Bild 1. Kommunhuset i Exempelby en vinterdag")
    body(["Kommunens organisation består av kommunfullmäktige, kommunstyrelsen och fem nämnder."], y - 40)
    c.setFont(pdf_font, 6)
    c.drawString(60, 92, "1")
    c.setFont(pdf_font, 8)
    c.drawString(66, 88, "Lag (2006:544) om kommuners och regioners åtgärder inför extraordinära händelser.")
    c.showPage()
    # 4: a second chapter
    c.setFont(pdf_font, 18)
    c.drawString(60, height - 80, "2. Risker")
    c.setFont(pdf_font, 14)
    c.drawString(60, height - 110, "2.1 Värmebölja")
    body(["En värmebölja drabbar främst äldre och personer med kroniska sjukdomar i kommunen."], height - 140)
    c.showPage()
    c.save()
    return path


def test_typography_gives_headings_footnotes_captions_cover_and_contents(report: Path):
    doc = load(report)
    assert doc.headings_marked
    assert doc.title == "Risk- och sårbarhetsanalys 2024"
    kinds = {b.kind for b in doc.blocks}
    assert {"cover", "contents", "caption"} <= kinds
    headings = {b.text: b.level for b in doc.blocks if b.level}
    assert headings["1. Beskrivning av kommunen"] == headings["2. Risker"] < headings["2.1 Värmebölja"]
    text = "\n".join(b.text for b in doc.blocks if b.kind not in ("cover", "contents"))
    assert "Enligt lag ska kommunen" in text  # the footnote marker left the word
    assert "2006:544" not in text  # the footnote left the running text
    assert "Bild 1. Kommunhuset" in [b.text for b in doc.blocks if b.kind == "caption"][0]


def test_cover_and_contents_chunks_are_marked(report: Path):
    doc = load(report)
    meta = infer_metadata(doc, report)
    assert (meta["doc_type"], meta["publisher"]) == ("risk- och sårbarhetsanalys", "Exempelby kommun")
    chunks = chunk_document(doc, doc_id="r", meta=meta)
    roles = {c.meta.role for c in chunks}
    assert roles == {"cover", "contents", ""}
    contents = [c for c in chunks if c.meta.role == "contents"]
    assert len(contents) == 1 and "Inledning" in contents[0].text


def test_answers_never_quote_a_cover_or_contents_page(report: Path, make_index):
    from assistant.retrieve import retrieve

    idx = make_index()
    idx.ingest([report])
    found = idx.search("Innehåll Inledning Beskrivning av kommunen Risker", k=10)
    assert any(h.role == "contents" for h in found)  # searchable
    passages = retrieve(idx, "Innehåll Inledning Beskrivning av kommunen Risker", k=5).passages
    roles = {c: m.get("role", "") for p in passages for c, (_t, m) in idx.catalog.chunks_by_id(p.chunk_ids).items()}
    assert passages and not any(roles.values())
