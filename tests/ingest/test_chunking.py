from __future__ import annotations

import hashlib
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.chunking import chunk_document, estimate_tokens
from ingest.loaders import load
from ingest.metadata import infer_metadata
from ingest.model import Block, LoadedDoc

GOALS_MD = """---
title: Kommunfullmäktiges mål 2020–2023
doc_type: mål
date: 2019-10-18
organ: Kommunfullmäktige
---

# Kommunfullmäktiges mål 2020–2023

Målen gäller för hela kommunen.

## Fokusområde 1: Smartare Lund

Lund ska vara smart.

### Mål 1. Lund ska ha en hållbar ekonomi

Ekonomin ska vara stabil. Resultatet ska vara minst två procent.

Investeringarna ska finansieras med egna medel.

### Mål 2. Lund ska vara ledande inom miljö och klimat

Utsläppen ska minska.

## Fokusområde 2: Tryggare Lund

### Mål 3. Alla ska känna sig trygga

### Mål 4. Lund ska ha en god äldreomsorg

Äldre ska få god vård.

| Indikator | 2022 | 2023 |
|---|---|---|
| Nöjdhet | 80 | 82 |
| Väntetid | 12 | 10 |
"""

GOAL_LINE = re.compile(r"^Mål (\d+)\.", re.MULTILINE)


def _goals_doc(tmp_path):
    path = tmp_path / "mal.md"
    path.write_text(GOALS_MD, encoding="utf-8")
    doc = load(path)
    return doc, infer_metadata(doc, path)


def test_chunks_follow_goals_and_sections(tmp_path):
    doc, meta = _goals_doc(tmp_path)
    chunks = chunk_document(doc, doc_id="kf", meta=meta)
    for chunk in chunks:
        goals_in_text = {int(n) for n in GOAL_LINE.findall(chunk.text)}
        assert len(goals_in_text) <= 1, chunk.text  # never two goals in one chunk
        assert goals_in_text <= {chunk.meta.goal}
    summary = [(c.meta.goal, c.meta.focus_area, c.meta.section) for c in chunks]
    assert summary == [
        (0, "", ""),
        (0, "Smartare Lund", "Fokusområde 1: Smartare Lund"),
        (1, "Smartare Lund", "Fokusområde 1: Smartare Lund › Mål 1. Lund ska ha en hållbar ekonomi"),
        (2, "Smartare Lund", "Fokusområde 1: Smartare Lund › Mål 2. Lund ska vara ledande inom miljö och klimat"),
        (3, "Tryggare Lund", "Fokusområde 2: Tryggare Lund › Mål 3. Alla ska känna sig trygga"),
        (4, "Tryggare Lund", "Fokusområde 2: Tryggare Lund › Mål 4. Lund ska ha en god äldreomsorg"),
        (4, "Tryggare Lund", "Fokusområde 2: Tryggare Lund › Mål 4. Lund ska ha en god äldreomsorg"),
    ]
    assert chunks[2].text == (
        "Mål 1. Lund ska ha en hållbar ekonomi\n"
        "Ekonomin ska vara stabil. Resultatet ska vara minst två procent.\n"
        "Investeringarna ska finansieras med egna medel."
    )
    # A focus area heading without text of its own travels with its first goal; an empty goal stands alone.
    assert chunks[4].text == "Fokusområde 2: Tryggare Lund\nMål 3. Alla ska känna sig trygga"
    assert chunks[6].text.startswith("Mål 4. Lund ska ha en god äldreomsorg\nIndikator | 2022 | 2023\n")


def test_chunk_ids_meta_and_hashes(tmp_path):
    doc, meta = _goals_doc(tmp_path)
    chunks = chunk_document(doc, doc_id="kf", meta=meta)
    for i, chunk in enumerate(chunks):
        assert chunk.chunk_id == f"kf:{i:04d}"
        assert chunk.meta.chunk_index == i
        assert chunk.meta.content_hash == hashlib.sha256(chunk.text.encode()).hexdigest()
        assert (chunk.meta.doc_id, chunk.meta.title, chunk.meta.doc_type) == ("kf", meta["title"], "mål")
        assert (chunk.meta.date, chunk.meta.year, chunk.meta.organ) == ("2019-10-18", 2019, "Kommunfullmäktige")
        assert chunk.meta.source == meta["source"] and chunk.meta.page == 0


def test_numbered_goals_in_plain_text(tmp_path):
    path = tmp_path / "mal.txt"
    path.write_text(
        "KOMMUNFULLMÄKTIGES MÅL\n\n"
        "5. Lunds kommun ska vara ledande inom miljö och klimat\n\n"
        "Utsläppen ska halveras till 2030.\n\n"
        "1. Fler ska resa kollektivt\n2. Fler ska cykla\n\n"
        "6. Lund ska vara en trygg kommun\n\nTryggheten ska öka.\n",
        encoding="utf-8",
    )
    chunks = chunk_document(load(path), doc_id="t", meta={})
    assert [(c.meta.goal, c.text.split("\n")[:2]) for c in chunks] == [
        (5, ["KOMMUNFULLMÄKTIGES MÅL", "5. Lunds kommun ska vara ledande inom miljö och klimat"]),
        (6, ["6. Lund ska vara en trygg kommun", "Tryggheten ska öka."]),
    ]
    assert "2. Fler ska cykla" in chunks[0].text
    assert chunks[0].meta.section == "KOMMUNFULLMÄKTIGES MÅL › 5. Lunds kommun ska vara ledande inom miljö och klimat"


def _words(text: str) -> int:
    return len(text.split())


def test_size_limit_with_custom_counter():
    sentences = [f"Mening nummer {i} handlar om kommunens budget och mål." for i in range(60)]
    doc = LoadedDoc(
        blocks=[
            Block(text="Mål 7. Lund ska växa hållbart", level=2, kind="heading"),
            Block(text=" ".join(sentences)),
            Block(text="Kort stycke."),
            Block(text="ordutanslut " * 80),  # no sentence breaks at all: split on words
        ]
    )
    chunks = chunk_document(doc, doc_id="d", meta={}, count_tokens=_words, max_tokens=40)
    assert len(chunks) > 5
    assert all(_words(c.text) <= 40 for c in chunks)
    assert all(c.text.startswith("Mål 7. Lund ska växa hållbart\n") and c.meta.goal == 7 for c in chunks)
    body = " ".join(c.text.split("\n", 1)[1] for c in chunks)
    for sentence in sentences:
        assert sentence in body  # split on sentence boundaries, never inside a sentence
    assert body.count("ordutanslut") == 80


def test_small_paragraphs_are_merged_up_to_the_limit():
    doc = LoadedDoc(blocks=[Block(text="Rubrik", level=1)] + [Block(text=f"Stycke {i} är kort.") for i in range(12)])
    chunks = chunk_document(doc, doc_id="d", meta={}, count_tokens=_words, max_tokens=20)
    assert [c.text.count("Stycke") for c in chunks] == [4, 4, 4]
    assert all(_words(c.text) <= 20 for c in chunks)


def test_table_rows_grouped_with_repeated_header():
    rows = [Block(text="Nämnd | Budget | Utfall", kind="table_row", page=3)]
    rows += [Block(text=f"Nämnd{i} | {i}00 | {i}10", kind="table_row", page=3 + i // 10) for i in range(30)]
    doc = LoadedDoc(
        blocks=[
            Block(text="Ekonomi", level=1, kind="heading", page=2),
            Block(text="Text före tabellen.", page=2),
            *rows,
            Block(text="Text efter tabellen.", page=6),
        ]
    )
    chunks = chunk_document(doc, doc_id="d", meta={}, count_tokens=_words, max_tokens=30)
    assert chunks[0].text == "Ekonomi\nText före tabellen." and chunks[0].meta.page == 2
    table_chunks = chunks[1:-1]
    assert len(table_chunks) > 2
    for chunk in table_chunks:
        assert chunk.text.startswith("Ekonomi\nNämnd | Budget | Utfall\nNämnd")
        assert _words(chunk.text) <= 30
    assert table_chunks[0].meta.page == 3 and table_chunks[-1].meta.page == 5
    body_rows = [line for c in table_chunks for line in c.text.split("\n")[2:]]
    assert body_rows == [r.text for r in rows[1:]]
    assert chunks[-1].text == "Ekonomi\nText efter tabellen." and chunks[-1].meta.page == 6


def test_default_counter_is_conservative_and_limits_hold():
    assert estimate_tokens("kommunfullmäktigesammanträde") > 2 * 2
    assert estimate_tokens("och i en") >= 3
    long_text = " ".join(["Kommunfullmäktige beslutade om budgeten för nästa år."] * 200)
    chunks = chunk_document(LoadedDoc(blocks=[Block(text=long_text)]), doc_id="d", meta={})
    assert len(chunks) > 1 and all(estimate_tokens(c.text) <= 350 for c in chunks)


def test_empty_document_gives_no_chunks():
    assert chunk_document(LoadedDoc(blocks=[Block(text="  ")]), doc_id="d", meta={}) == []


# --- properties --------------------------------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "Mål",
        "1.",
        "5",
        "Fokusområde",
        "2:",
        "Lund",
        "ska",
        "växa.",
        "§",
        "12",
        "KOMMUN",
        "och",
        "|",
        "-",
        "\n",
        "x" * 30,
    ]
)
_TEXT = st.one_of(st.lists(_WORDS, max_size=40).map(" ".join), st.text(max_size=120))
_BLOCK = st.builds(
    Block,
    text=_TEXT,
    page=st.one_of(st.none(), st.integers(1, 50)),
    level=st.integers(0, 4),
    kind=st.sampled_from(["paragraph", "heading", "table_row", "list_item"]),
)
_COUNTERS = st.sampled_from([None, _words, len, lambda t: len(t.encode("utf-8")) // 3 + 1])


def _visible(text: str) -> str:
    return "".join(text.split())


def _is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(c in it for c in needle)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, max_size=25), _COUNTERS, st.integers(8, 120))
def test_chunking_never_crashes_never_loses_text(blocks, counter, max_tokens):
    _check_chunking(blocks, counter, max_tokens)


def _check_chunking(blocks, counter, max_tokens):
    doc = LoadedDoc(blocks=blocks)
    chunks = chunk_document(doc, doc_id="p", meta={"title": "T"}, count_tokens=counter, max_tokens=max_tokens)
    count = counter or estimate_tokens
    for i, chunk in enumerate(chunks):
        assert chunk.text.strip()
        assert chunk.chunk_id == f"p:{i:04d}"
        if count("x") <= max_tokens // 2:  # a limit that can be met at all
            assert count(chunk.text) <= max_tokens
    everything = _visible("".join(c.text for c in chunks))
    assert _is_subsequence(_visible("".join(b.text for b in blocks)), everything)
    for block in blocks:
        assert _visible(block.text) in everything or _is_subsequence(_visible(block.text), everything)


def test_title_heading_left_out_of_section_but_focus_area_kept():
    blocks = [
        Block(text="Budget 2025", level=1),
        Block(text="Inledning.", page=1),
        Block(text="Fokusområde 1: Smartare Lund"),
        Block(text="Text."),
    ]
    chunks = chunk_document(LoadedDoc(blocks=blocks), doc_id="d", meta={"title": "Budget 2025"})
    assert [c.meta.section for c in chunks] == ["", "Fokusområde 1: Smartare Lund"]
    assert chunks[0].text == "Budget 2025\nInledning."
    chunks = chunk_document(LoadedDoc(blocks=blocks[2:]), doc_id="d", meta={"title": "Fokusområde 1: Smartare Lund"})
    assert chunks[0].meta.section == "Fokusområde 1: Smartare Lund"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_BLOCK, max_size=12), _COUNTERS, st.integers(8, 120), st.integers(5, 60))
def test_long_blocks_fed_in_pieces_keep_text_and_limits(blocks, counter, max_tokens, piece_chars):
    """Blocks longer than the piece size (4000 characters in use; a few dozen here) are packed piece by piece."""
    from unittest import mock

    from ingest import chunking

    with mock.patch.object(chunking, "_PIECE_CHARS", piece_chars):
        _check_chunking(blocks, counter, max_tokens)


def test_pieces_cut_at_sentence_ends_then_spaces():
    from ingest.chunking import _pieces

    text = "Första meningen är här. Andra meningen kommer sedan. " * 3
    pieces = _pieces(text.strip(), 60)
    assert all(len(p) <= 60 for p in pieces) and " ".join(pieces) == " ".join(text.split())
    assert all(p.endswith(".") for p in pieces)
    assert _pieces("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert _pieces("ord " * 10, 9) == ["ord ord", "ord ord", "ord ord", "ord ord", "ord ord"]
