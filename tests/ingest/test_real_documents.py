"""Structure and metadata on real documents nobody here wrote (../shared: verkliga and the seed article).

The metadata floors are measured on the test split of eval/split.py (documents drawn before any tuning).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

import pytest

from eval import split
from eval.corpus import shared_root
from eval.metadata_accuracy import measure, read_truth
from ingest.chunking import chunk_document
from ingest.loaders import load
from ingest.metadata import infer_metadata
from ingest.structure import annotate_goals, focus_name

SHARED = shared_root()
VERKLIGA = SHARED / "data" / "verkliga"
SEED = SHARED / "seeds" / "000_b4f07bea39e3c847.txt"
BORLANGE = VERKLIGA / "kommuner" / "RSA_Borlange_2023.pdf"
HAGFORS = VERKLIGA / "kommuner" / "RSA_Hagfors_2023_maskad.pdf"

pytestmark = pytest.mark.skipif(not VERKLIGA.is_dir() or not SEED.is_file(), reason="../shared/data saknas")


@functools.cache
def _chunks(path: Path):
    doc = load(path)
    meta = infer_metadata(doc, path)
    return doc, meta, chunk_document(doc, doc_id="x", meta=meta)


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    return read_truth(VERKLIGA / "metadata.jsonl")


def test_metadata_floors_on_the_test_split(truth):
    docs = [f"data/verkliga/{f}" for f in truth] + ["seeds/000_b4f07bea39e3c847.txt"]
    files = sorted(
        d.removeprefix("data/verkliga/") for d in split.test_documents(docs) if d.startswith("data/verkliga/")
    )
    assert len(files) >= 50
    report = measure(VERKLIGA, truth, files)
    rates = report.rates()
    assert not report.failed
    assert rates["type"] >= 0.95, report.errors
    assert rates["publisher"] >= 0.90, report.errors
    assert rates["date_correct_or_empty"] >= 0.98, report.errors
    assert rates["title"] >= 0.95, report.errors
    assert report.invented_dates == 0, report.errors


def test_every_file_loads_and_none_gets_a_future_date(truth):
    today = dt.date.today().isoformat()
    failures, future = [], []
    for rel in truth:
        path = VERKLIGA / rel
        try:
            date = infer_metadata(load(path), path)["date"]
        except Exception as exc:  # noqa: BLE001 - every failure is reported at once
            failures.append((rel, str(exc)))
            continue
        if date and date > today[: len(date)]:
            future.append((rel, date))
    assert not failures, failures
    assert not future, future


def test_seed_article_title_focus_areas_and_goals():
    doc, meta, chunks = _chunks(SEED)
    assert meta["title"] == "Lundakvintetten sätter upp nya mål för staden"
    assert (meta["doc_type"], meta["date"]) == ("nyhetsartikel", "2019-10-18")
    annotated = annotate_goals(doc.blocks)
    focus = [focus_name(b.text) for b, _g in annotated if b.level > 0 and focus_name(b.text)]
    assert focus == ["Lundaborna i fokus", "Smartare Lund", "Organisationen Lund", "Ekonomi"]
    goals = {g: b.text for b, g in annotated if g}
    assert sorted(goals) == list(range(1, 10))
    assert goals[5] == "5. Lunds kommun ska vara ledande inom miljö och klimat"
    assert goals[4] == "4. I Lund ska vi vara ledande inom innovation och skapande"
    # Goal 5 started mid-paragraph in the scrape: its text is its own chunk's, not goal 4's.
    by_goal = {c.meta.goal: c.text for c in chunks if c.meta.goal}
    assert "ledande inom miljö och klimat" not in by_goal[4]
    assert "Teknik- och tillväxtperspektivet" in by_goal[5]
    assert all(c.meta.focus_area == "Smartare Lund" for c in chunks if c.meta.goal in (4, 5, 6))


@pytest.mark.parametrize("pdf", [BORLANGE, HAGFORS], ids=["borlange", "hagfors"])
def test_real_pdf_structure(pdf):
    doc, meta, chunks = _chunks(pdf)
    assert doc.headings_marked
    assert meta["doc_type"] == "risk- och sårbarhetsanalys"
    assert meta["publisher"] in ("Borlänge kommun", "Hagfors kommun")
    roles = {c.meta.role for c in chunks}
    assert {"cover", "contents"} <= roles
    body = [c for c in chunks if not c.meta.role]
    # No section named after a footnote ("53 SGUs Kartvisare", "1 Härefter benämnt …", "3 MSBFS 2015:5").
    footnote = re.compile(r"(^| › )\d{1,3} (SGU|SCB|MSBFS|MSB |Lag|Härefter|Definierades|https?:)")
    assert not [c.meta.section for c in body if footnote.search(c.meta.section)]
    # Footnotes are not spliced into running text ("enligt lag1 skyldiga" / "… Lag (2006:544) om …" lines).
    text = "\n".join(c.text for c in body)
    assert not re.search(r"\b[a-zåäö]{3,}\d\s+[a-zåäö]", text)
    assert not re.search(r"^\d{1,2} Lag(en)? \(2006:544\)", text, re.M)
    # Contents pages never come out as fragment chunks of their own.
    tiny = [c for c in chunks if len(c.text) < 40]
    assert len(tiny) <= 0.05 * len(chunks), [c.text for c in tiny]


def test_a_pdf_read_by_position_says_so():
    hagfors, _meta, _chunks_ = _chunks(HAGFORS)
    assert any("ett ord per rad" in note for note in hagfors.notes)
    borlange, _meta, _chunks_ = _chunks(BORLANGE)
    assert not any("ett ord per rad" in note for note in borlange.notes)


def test_borlange_headings_come_from_the_type_sizes():
    doc, _meta, chunks = _chunks(BORLANGE)
    headings = [b.text for b in doc.blocks if b.level > 0]
    assert "5.2.7 Värmebölja" in headings
    assert "1. Beskrivning av kommunen och dess geografiska område" in headings  # wrapped over two lines
    sections = {c.meta.section.split(" › ")[-1] for c in chunks}
    assert "5.2.8 Skyfall" in sections
