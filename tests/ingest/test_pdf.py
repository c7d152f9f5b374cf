from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_document
from ingest.loaders import load
from ingest.model import LoadError

HEADER = "2025 ÅRSBOKSLUT LUNDS KOMMUN SID {page} ({pages})"
FOOTER = "Lunds kommun – Årsbokslut 2025"
PAGE_NUMBER = "- {page} -"

PAGES = [
    {
        "left": [
            "Fokusområde 1: Smartare Lund",
            "",
            "Lunds kommun ska vara en föregångare",
            "inom hållbar utveckling. Kommun-",
            "fullmäktige har beslutat att staden ska",
            "minska utsläppen av växthusgaser med",
            "hälften till år 2030.",
            "",
            "Mål 1. Lund ska ha en hållbar ekonomi",
            "Kommunens ekonomi ska vara stabil och",
            "långsiktigt hållbar för kommande",
            "generationer.",
        ],
        "right": [
            "Mål 2. Lund ska vara ledande inom",
            "miljö och klimat",
            "Arbetet med miljö- och klimat-",
            "frågor ska genomsyra all verksamhet.",
            "Återvinningen ska öka i alla stadsdelar",
            "och nya cykelvägar ska byggas.",
        ],
    },
    {
        "left": [
            "Fokusområde 2: Tryggare Lund",
            "",
            "Alla invånare ska känna sig trygga i",
            "sitt bostadsområde. Socialnämnden och",
            "Tekniska nämnden samarbetar kring",
            "belysning och trygghetsvandringar.",
        ],
        "right": [
            "Mål 3. Lund ska vara en trygg kommun",
            "Antalet anmälda brott ska minska och",
            "fler ska vilja bo kvar i kommunen.",
        ],
    },
    {
        "left": ["EKONOMISK ÖVERSIKT", "", "Tabellen visar budget och utfall för", "nämnderna under året."],
        "table": [
            ("Nämnd", "Budget", "Utfall"),
            ("Kommunstyrelsen", "1 200", "1 150"),
            ("Miljönämnden", "340", "355"),
            ("Socialnämnden", "2 410", "2 502"),
        ],
    },
]


@pytest.fixture
def report_pdf(make_pdf) -> Path:
    pages = [{**page, "header": HEADER, "footer": FOOTER, "page_number": PAGE_NUMBER} for page in PAGES]
    return make_pdf(pages, name="arsbokslut.pdf")


def test_running_header_footer_and_page_numbers_are_removed(report_pdf):
    doc = load(report_pdf)
    text = "\n".join(b.text for b in doc.blocks)
    assert "ÅRSBOKSLUT LUNDS KOMMUN SID" not in text
    assert FOOTER not in text
    assert not any(b.text.strip("- ").isdigit() for b in doc.blocks)


def test_swedish_letters_hyphenation_and_columns(report_pdf):
    doc = load(report_pdf)
    texts = [b.text for b in doc.blocks]
    joined = "\n".join(texts)
    assert "Kommunfullmäktige har beslutat" in joined  # end-of-line hyphenation joined
    assert "miljö- och klimatfrågor ska genomsyra" in joined  # real hyphen kept, line hyphen joined
    assert "Mål 2. Lund ska vara ledande inom miljö och klimat" in texts  # wrapped title re-joined
    # Left column before right column, pages in order.
    order = [joined.index(s) for s in ("Fokusområde 1", "Mål 1.", "Mål 2.", "Fokusområde 2", "Mål 3.", "Tabellen")]
    assert order == sorted(order)


def test_page_numbers_on_blocks(report_pdf):
    doc = load(report_pdf)
    page_of = {b.text.split(":")[0]: b.page for b in doc.blocks}
    assert page_of["Fokusområde 1"] == 1
    assert page_of["Fokusområde 2"] == 2
    assert all(b.page in (1, 2, 3) for b in doc.blocks)
    assert [b.page for b in doc.blocks if b.kind == "table_row"] == [3, 3, 3, 3]


def test_table_rows_are_kept_as_rows(report_pdf):
    rows = [b.text for b in load(report_pdf).blocks if b.kind == "table_row"]
    assert rows == [
        "Nämnd | Budget | Utfall",
        "Kommunstyrelsen | 1 200 | 1 150",
        "Miljönämnden | 340 | 355",
        "Socialnämnden | 2 410 | 2 502",
    ]


def test_pdf_chunks_follow_goals(report_pdf):
    doc = load(report_pdf)
    chunks = chunk_document(doc, doc_id="d", meta={"title": "Årsbokslut 2025"})
    by_goal = {c.meta.goal: c for c in chunks if c.meta.goal}
    assert set(by_goal) == {1, 2, 3}
    assert by_goal[2].text.startswith("Mål 2. Lund ska vara ledande inom miljö och klimat\n")
    assert by_goal[2].meta.focus_area == "Smartare Lund"
    assert by_goal[3].meta.focus_area == "Tryggare Lund"
    assert by_goal[3].meta.page == 2
    table = next(c for c in chunks if "Kommunstyrelsen | 1 200" in c.text)
    assert table.meta.page == 3 and "Nämnd | Budget | Utfall" in table.text
    assert table.meta.section == "EKONOMISK ÖVERSIKT" and table.meta.goal == 0


def test_degenerate_page_falls_back_to_layout(make_pdf):
    # A page that is only a grid of single words: the default extraction gives one word per line.
    grid = [(f"Ord{i}a", f"Ord{i}b", f"Ord{i}c") for i in range(8)]
    doc = load(make_pdf([{"left": ["Tabell över ord"], "table": grid}]))
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert "Ord0a | Ord0b | Ord0c" in rows and len(rows) == 8


def test_words_drawn_one_by_one_read_as_prose(make_pdf):
    lines = [
        "Kommunstyrelsen har i dag beslutat om",
        "en ny plan för äldreomsorgen i Lund.",
        "Planen gäller från och med nästa år.",
    ]
    doc = load(make_pdf([{"words": lines}]))
    assert all(b.kind == "paragraph" for b in doc.blocks)
    text = " ".join(b.text for b in doc.blocks)
    assert "ny plan för äldreomsorgen i Lund." in text and "Planen gäller från och med nästa år." in text


def test_pdf_metadata_title(make_pdf):
    doc = load(make_pdf([{"left": ["Nämndsplan för miljönämnden."]}], title="Nämndsplan 2025"))
    assert doc.title == "Nämndsplan 2025"


def test_encrypted_with_user_password_is_refused(make_pdf):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = make_pdf([{"left": ["Hemlig text."]}], encrypt=StandardEncryption("hemligt", ownerPassword="ägare"))
    with pytest.raises(LoadError, match="krypterad"):
        load(path)


def test_encrypted_with_empty_user_password_loads(make_pdf):
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = make_pdf([{"left": ["Öppen text för alla."]}], encrypt=StandardEncryption("", ownerPassword="ägare"))
    assert [b.text for b in load(path).blocks] == ["Öppen text för alla."]


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_truncated_pdf_is_refused(report_pdf, keep):
    data = report_pdf.read_bytes()
    report_pdf.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(LoadError, match="skadad"):
        load(report_pdf)


def test_image_only_pdf_says_scanned(make_pdf):
    path = make_pdf([{"shapes": [(100, 100, 300, 400), (50, 600, 200, 100)]}, {"shapes": [(10, 10, 50, 50)]}])
    with pytest.raises(LoadError, match="skannad"):
        load(path)


def test_not_a_pdf_and_empty_pdf(tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_text("det här är ingen pdf", encoding="utf-8")
    with pytest.raises(LoadError, match="ingen PDF"):
        load(fake)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(LoadError, match="tom"):
        load(empty)


def test_garbage_after_pdf_header_is_refused(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    with pytest.raises(LoadError):
        load(path)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=4))
def test_damaged_pdf_never_escapes_as_traceback(report_pdf, cuts):
    data = bytearray(report_pdf.read_bytes())
    for where, junk in cuts:
        pos = int(where * (len(data) - 1))
        data[pos : pos + len(junk)] = junk
    damaged = report_pdf.with_name("trasig.pdf")
    damaged.write_bytes(bytes(data))
    try:
        load(damaged)
    except LoadError:
        pass
