from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.metadata import find_date, find_organ, infer_doc_type, infer_metadata, normalize_date, prettify_stem
from ingest.model import Block, LoadedDoc


def _doc(*texts: str, title: str | None = None, meta: dict | None = None) -> LoadedDoc:
    return LoadedDoc(blocks=[Block(text=t) for t in texts], title=title, meta=meta or {})


def test_front_matter_wins_over_inference(tmp_path):
    doc = _doc(
        "Pressmeddelande om budget 2020-01-01.",
        meta={"title": "Mål 2020–2023", "doc_type": "Mål", "date": "2019-10-18", "organ": "kommunfullmäktige"},
    )
    meta = infer_metadata(doc, tmp_path / "x.md")
    assert meta["title"] == "Mål 2020–2023"
    assert meta["doc_type"] == "mål"
    assert meta["date"] == "2019-10-18" and meta["year"] == 2019
    assert meta["organ"] == "Kommunfullmäktige"
    assert meta["source"].endswith("x.md")


@pytest.mark.parametrize("name", ["plan.pdf.meta.json", "plan.meta.json"])
def test_sidecar_overrides_everything(tmp_path, name):
    (tmp_path / name).write_text(
        json.dumps(
            {"title": "Nämndsplan 2025", "doc_type": "nämndsplan", "date": "2024-11-20", "organ": "Miljönämnden"}
        ),
        encoding="utf-8",
    )
    doc = _doc("Text", title="Fel titel", meta={"doc_type": "övrigt", "date": "2001-01-01"})
    meta = infer_metadata(doc, tmp_path / "plan.pdf")
    assert (meta["title"], meta["doc_type"], meta["date"], meta["year"], meta["organ"]) == (
        "Nämndsplan 2025",
        "nämndsplan",
        "2024-11-20",
        2024,
        "Miljönämnden",
    )


def test_broken_sidecar_is_ignored(tmp_path):
    (tmp_path / "a.txt.meta.json").write_text("{inte json", encoding="utf-8")
    assert infer_metadata(_doc("Hej."), tmp_path / "a.txt")["title"] == "A"


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Pressmeddelande: Nya cykelvägar", "", "pressmeddelande"),
        ("Nämndsplan 2025 Miljönämnden", "budget budget budget", "nämndsplan"),
        ("Årsredovisning 2024", "", "budget/bokslut"),
        ("Delårsrapport augusti 2025", "", "budget/bokslut"),
        ("Budget 2026 med plan 2027–2028", "", "budget/bokslut"),
        ("Kommunfullmäktiges mål 2020–2023", "", "mål"),
        ("Lunds kommun", "Fokusområde 1: Smartare Lund. Fokusområde 2.", "mål"),
        ("Lunds kommun", "PRESSMEDDELANDE 3 mars", "pressmeddelande"),
        ("Protokoll", "Sammanträde med nämnden.", "övrigt"),
    ],
)
def test_doc_type_inference(title, text, expected):
    assert infer_doc_type(title, text) == expected


def test_doc_type_from_file_name(tmp_path):
    meta = infer_metadata(_doc("Lite text utan ledtrådar."), tmp_path / "arsredovisning_2024.pdf")
    # "årsredovisning" is spelled without å in the file name: no match, so the text decides.
    assert meta["doc_type"] == "övrigt"
    meta = infer_metadata(_doc("Lite text utan ledtrådar."), tmp_path / "nämndsplan-2025.pdf")
    assert meta["doc_type"] == "nämndsplan"


def test_dates():
    assert normalize_date("2019-10-18T09:00:00+02:00") == "2019-10-18"
    assert normalize_date("18 oktober 2019") == "2019-10-18"
    assert normalize_date("2019") == "2019"
    assert normalize_date("2019-02-30") == "" and normalize_date("snart") == ""
    assert find_date("Utskrivet 2024-01-05. Antagen av kommunfullmäktige den 18 oktober 2019.") == "2019-10-18"
    assert find_date("Rapport 2023-12-31 och 2024-01-01") == "2023-12-31"
    assert find_date("Den 3 mars 2021 hölls mötet") == "2021-03-03"
    assert find_date("inga datum här") == ""


def test_date_and_year_from_text_and_title(tmp_path):
    doc = _doc("Pressmeddelande", "Publicerad 12 maj 2025. Kommunen bygger.")
    meta = infer_metadata(doc, tmp_path / "p.html")
    assert (meta["date"], meta["year"]) == ("2025-05-12", 2025)
    meta = infer_metadata(_doc("Inga datum."), tmp_path / "budget-2026.txt")
    assert (meta["date"], meta["year"]) == ("", 2026)
    assert infer_metadata(_doc("Inga datum."), tmp_path / "x.txt")["year"] == 0


def test_organ():
    assert find_organ("Kommunfullmäktiges mål", "") == "Kommunfullmäktige"
    assert find_organ("Nämndsplan för Barn- och skolnämnden", "") == "Barn- och skolnämnden"
    assert find_organ("Plan", "Planen antogs av kommunstyrelsen 2024.") == "Kommunstyrelsen"
    assert find_organ("Plan", "Beslutet fattades. Antagen av tekniska nämnden.") == "Tekniska nämnden"
    assert find_organ("Nyhet", "Miljönämndens ordförande säger att") == "Miljönämnden"
    assert find_organ("Nyhet", "Ingen nämnd nämns här.") == ""


def test_title_fallbacks(tmp_path):
    assert infer_metadata(_doc("text", title="Från loadern"), tmp_path / "a.txt")["title"] == "Från loadern"
    doc = _doc("PRESSMEDDELANDE", "NYA CYKELVÄGAR I LUND", "Text.")
    assert infer_metadata(doc, tmp_path / "a.txt")["title"] == "NYA CYKELVÄGAR I LUND"
    assert infer_metadata(_doc("bara text."), tmp_path / "kf_mal-2020-2023.pdf")["title"] == "Kf mal 2020-2023"
    assert prettify_stem(Path("budget__2025.final.docx")) == "Budget 2025 final"
