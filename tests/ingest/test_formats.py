"""Markdown, TXT, HTML and DOCX loaders, and the suffix dispatch."""

from __future__ import annotations

import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.loaders import SUPPORTED_SUFFIXES, load
from ingest.model import LoadError

MARKDOWN = """---
title: "Kommunfullmäktiges mål 2020–2023"
doc_type: mål
date: 2019-10-18
organ: Kommunfullmäktige  # antagna i oktober
---

# Kommunfullmäktiges mål

Inledning med **fetstil** och en [länk](https://lund.se).

## Fokusområde 1: Smartare Lund

### Mål 1. Lund ska ha en hållbar ekonomi

- Första punkten
- Andra punkten
  fortsätter här

| Indikator | Utfall |
|---|---:|
| Soliditet | 42 % |
"""


def test_markdown_front_matter_headings_lists_tables(tmp_path):
    path = tmp_path / "mal.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    doc = load(path)
    assert doc.meta == {
        "title": "Kommunfullmäktiges mål 2020–2023",
        "doc_type": "mål",
        "date": "2019-10-18",
        "organ": "Kommunfullmäktige",
    }
    assert doc.title == "Kommunfullmäktiges mål 2020–2023"
    kinds = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert kinds == [
        ("heading", 1, "Kommunfullmäktiges mål"),
        ("paragraph", 0, "Inledning med fetstil och en länk."),
        ("heading", 2, "Fokusområde 1: Smartare Lund"),
        ("heading", 3, "Mål 1. Lund ska ha en hållbar ekonomi"),
        ("list_item", 0, "Första punkten"),
        ("list_item", 0, "Andra punkten fortsätter här"),
        ("table_row", 0, "Indikator | Utfall"),
        ("table_row", 0, "Soliditet | 42 %"),
    ]


def test_markdown_title_from_first_heading_without_front_matter(tmp_path):
    path = tmp_path / "a.markdown"
    path.write_text("Intro\n\n# Nämndsplan 2025\n\nText.\n\nUnder\n=====\n", encoding="utf-8")
    doc = load(path)
    assert doc.title == "Nämndsplan 2025" and doc.meta == {}
    assert doc.blocks[-1].text == "Under" and doc.blocks[-1].level == 1


def test_txt_cp1252_decodes_swedish_letters(tmp_path):
    text = "Kommunfullmäktige i Lund beslutade om åtgärder för äldreomsorgen.\n\nÖversikt – budget för år 2025 “nu”."
    path = tmp_path / "beslut.txt"
    path.write_bytes(text.encode("cp1252"))
    doc = load(path)
    assert [b.text for b in doc.blocks] == [
        "Kommunfullmäktige i Lund beslutade om åtgärder för äldreomsorgen.",
        "Översikt – budget för år 2025 “nu”.",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp850"])
def test_txt_encodings(tmp_path, encoding):
    path = tmp_path / "a.txt"
    path.write_bytes("Åsa och Örjan läste om miljönämnden i Lund på måndag.".encode(encoding))
    assert load(path).blocks[0].text == "Åsa och Örjan läste om miljönämnden i Lund på måndag."


def test_txt_binary_and_empty(tmp_path):
    binary = tmp_path / "bild.txt"
    binary.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(LoadError, match="inte vara text"):
        load(binary)
    noise = tmp_path / "brus.txt"
    noise.write_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 65]) * 50)
    with pytest.raises(LoadError, match="inte vara text"):
        load(noise)
    for content in (b"", b"   \n\n\t"):
        empty = tmp_path / "tom.txt"
        empty.write_bytes(content)
        with pytest.raises(LoadError, match="tom"):
            load(empty)


def test_txt_paragraphs_lists_and_hyphenation(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(
        "MÅL OCH UPPDRAG\n\nNämnden ska arbeta med kommun-\nfullmäktiges mål.\n\n• Första punkten\n• Andra punkten\n",
        encoding="utf-8",
    )
    assert [(b.kind, b.text) for b in load(path).blocks] == [
        ("paragraph", "MÅL OCH UPPDRAG"),
        ("paragraph", "Nämnden ska arbeta med kommunfullmäktiges mål."),
        ("list_item", "Första punkten"),
        ("list_item", "Andra punkten"),
    ]


def test_txt_form_feeds_are_pages(tmp_path):
    pages = [f"Lunds kommun – Budget 2025\nStycke {n * n} om ekonomin.\nSida {n} av 3" for n in range(1, 4)]
    path = tmp_path / "budget.txt"
    path.write_text("\f".join(pages), encoding="utf-8")
    assert [(b.page, b.text) for b in load(path).blocks] == [(n, f"Stycke {n * n} om ekonomin.") for n in range(1, 4)]


HTML = """<!DOCTYPE html><html><head>
<title>Nya cykelvägar i centrum | Lunds kommun</title>
<meta name="doc_type" content="pressmeddelande"><meta name="date" content="2024-03-01">
<meta name="organ" content="Tekniska nämnden"><meta name="description" content="Om cykelvägar">
<style>.hemlig { color: red }</style><script>var hemligt = "skriptkod";</script>
</head><body>
<header>Sidhuvud med meny</header><nav><a href="/">Startsida</a></nav>
<main><h1>Nya cykelvägar</h1><h2>Bakgrund</h2>
<p>Tekniska nämnden har be<b>slutat</b> att bygga<br>fler cykelvägar.</p>
<ul><li>Centrum</li><li>Norra Fäladen</li></ul>
<table><tr><th>Sträcka</th><th>Km</th></tr><tr><td>Centrum</td><td>3,5</td></tr></table>
<script>document.write("mer skript")</script><noscript>Aktivera JavaScript</noscript>
</main><footer>Sidfot kontakt</footer></body></html>"""


def test_html_drops_chrome_and_scripts(tmp_path):
    path = tmp_path / "nyhet.html"
    path.write_text(HTML, encoding="utf-8")
    doc = load(path)
    text = "\n".join(b.text for b in doc.blocks)
    for hidden in ("skriptkod", "mer skript", "color", "Sidhuvud", "Startsida", "Sidfot", "Aktivera"):
        assert hidden not in text
    assert doc.title == "Nya cykelvägar i centrum"
    assert doc.meta == {
        "doc_type": "pressmeddelande",
        "date": "2024-03-01",
        "organ": "Tekniska nämnden",
        "description": "Om cykelvägar",
    }
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Nya cykelvägar"),
        ("heading", 2, "Bakgrund"),
        ("paragraph", 0, "Tekniska nämnden har beslutat att bygga fler cykelvägar."),
        ("list_item", 0, "Centrum"),
        ("list_item", 0, "Norra Fäladen"),
        ("table_row", 0, "Sträcka | Km"),
        ("table_row", 0, "Centrum | 3,5"),
    ]


def test_markdown_links_keep_their_text_and_scripts_are_never_indexed(tmp_path):
    path = tmp_path / "lankar.md"
    path.write_text(
        "Läs mer [klicka här](javascript:alert(1)) eller [se Wikipedia](https://sv.wikipedia.org/wiki/Lund_(stad)).\n\n"
        "![bild](data:image/png;base64,AAAA(x)) Slut på stycket.\n\n"
        "<script>stjäl('kakor')</script>\n\n"
        "<STYLE type='text/css'>body { color: red }</STYLE>\n\n"
        "Sista stycket.\n\n<script>ostängt skript som aldrig tar slut\n\nmer skript",
        encoding="utf-8",
    )
    text = " ".join(b.text for b in load(path).blocks)
    assert "Läs mer klicka här eller se Wikipedia." in text
    assert "Slut på stycket." in text and "Sista stycket." in text
    for leaked in ("javascript", "alert", ")", "wikipedia.org", "stjäl", "color", "ostängt", "mer skript"):
        assert leaked not in text


def test_html_text_after_closing_html_is_kept(tmp_path):
    path = tmp_path / "efter.html"
    path.write_text(
        "<html><head><title>Sidan</title><script>x()</script></head><body><p>Inne i body.</p></body>"
        "<p>Efter body.</p></html><p>Efter html.</p> Lös text sist.",
        encoding="utf-8",
    )
    doc = load(path)
    assert [b.text for b in doc.blocks] == ["Inne i body.", "Efter body.", "Efter html.", "Lös text sist."]
    assert doc.title == "Sidan"


def test_html_latin1_and_empty_body(tmp_path):
    path = tmp_path / "gammal.htm"
    path.write_bytes(
        '<html><head><meta charset="iso-8859-1"></head><body><p>Får öka i år</p></body></html>'.encode("latin-1")
    )
    assert load(path).blocks[0].text == "Får öka i år"
    empty = tmp_path / "tom.html"
    empty.write_text("<html><head><script>x()</script></head><body></body></html>", encoding="utf-8")
    with pytest.raises(LoadError, match="ingen text"):
        load(empty)


def _make_docx(path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Nämndsplan 2025 för miljönämnden"
    document.add_paragraph("Nämndsplan 2025", style="Title")
    document.add_heading("Inledning", level=1)
    document.add_paragraph("Miljönämnden ansvarar för tillsyn enligt miljöbalken.")
    document.add_heading("Ekonomi och mål", level=2)
    document.add_paragraph("Punkt i en lista", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("Område", "Budget", "Utfall"), ("Tillsyn", "12", "11"), ("Kalkning", "3", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Efter tabellen.")
    document.save(path)
    return path


def test_docx_headings_tables_and_properties(tmp_path):
    doc = load(_make_docx(tmp_path / "plan.docx"))
    assert doc.title == "Nämndsplan 2025 för miljönämnden"
    assert "created" in doc.meta
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "Nämndsplan 2025"),
        ("heading", 1, "Inledning"),
        ("paragraph", 0, "Miljönämnden ansvarar för tillsyn enligt miljöbalken."),
        ("heading", 2, "Ekonomi och mål"),
        ("list_item", 0, "Punkt i en lista"),
        ("table_row", 0, "Område | Budget | Utfall"),
        ("table_row", 0, "Tillsyn | 12 | 11"),
        ("table_row", 0, "Kalkning | 3"),
        ("paragraph", 0, "Efter tabellen."),
    ]


def test_broken_docx(tmp_path):
    good = _make_docx(tmp_path / "bra.docx").read_bytes()
    cut = tmp_path / "avklippt.docx"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(LoadError, match="DOCX-filen är skadad"):
        load(cut)
    not_docx = tmp_path / "zip.docx"
    with zipfile.ZipFile(not_docx, "w") as z:
        z.writestr("hej.txt", "ingen word-fil")
    with pytest.raises(LoadError, match="DOCX-filen är skadad"):
        load(not_docx)
    text = tmp_path / "text.docx"
    text.write_text("bara text", encoding="utf-8")
    with pytest.raises(LoadError, match="DOCX-filen är skadad"):
        load(text)


def test_dispatch_suffixes_and_errors(tmp_path):
    assert SUPPORTED_SUFFIXES == frozenset({".pdf", ".md", ".markdown", ".txt", ".html", ".htm", ".docx"})
    unknown = tmp_path / "kalkyl.xyz"
    unknown.write_text("x", encoding="utf-8")
    with pytest.raises(LoadError, match=r"filtypen \.xyz stöds inte"):
        load(unknown)
    with pytest.raises(LoadError, match="finns inte"):
        load(tmp_path / "saknas.pdf")
    upper = tmp_path / "VERSALER.TXT"
    upper.write_text("Text med versal filändelse.", encoding="utf-8")
    assert load(upper).blocks[0].text == "Text med versal filändelse."
    with pytest.raises(LoadError):
        load(tmp_path)  # a directory


def test_parser_crash_becomes_load_error(tmp_path, monkeypatch):
    from ingest.loaders import md

    def boom(path):
        raise RuntimeError("internal")

    monkeypatch.setattr(md, "load", boom)
    path = tmp_path / "a.md"
    path.write_text("# Rubrik", encoding="utf-8")
    with pytest.raises(LoadError, match="kunde inte läsas"):
        load(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf"]))
def test_any_bytes_load_or_raise_load_error(tmp_path, data, suffix):
    path = tmp_path / f"slump{suffix}"
    path.write_bytes(data)
    try:
        doc = load(path)
    except LoadError as exc:
        assert str(exc)
    else:
        assert any(b.text.strip() for b in doc.blocks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=4))
def test_damaged_docx_never_escapes_as_traceback(tmp_path, cuts):
    good = bytearray(_make_docx(tmp_path / "bra.docx").read_bytes())
    for where, junk in cuts:
        pos = int(where * (len(good) - 1))
        good[pos : pos + len(junk)] = junk
    path = tmp_path / "trasig.docx"
    path.write_bytes(bytes(good))
    try:
        load(path)
    except LoadError:
        pass
