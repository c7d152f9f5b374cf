"""Passages from hits: merging neighbours, diversity, and preferring the current version — pure, no index."""

from __future__ import annotations

from assistant.retrieve import diverse, merge_neighbours, prefer_current, superseded
from index.catalog import DocRecord
from index.hybrid import Hit


def hit(rank: int, doc: str, idx: int, goal: int = 0, section: str = "", text: str = "", score: float = 0.0) -> Hit:
    return Hit(
        rank=rank, score=score or 1.0 / rank, doc_id=doc, chunk_id=f"{doc}-{idx}", title=doc, doc_type="mål",
        date="2019-10-16", page=0, section=section or f"Mål {goal}", text=text or f"Text {doc} {idx}.",
        source=f"/{doc}.md", goal=goal, chunk_index=idx, signals={"dense": 0.8, "lexical": 1.0},
    )  # fmt: skip


def doc(doc_id: str, title: str, doc_type: str, date: str, organ: str = "") -> DocRecord:
    return DocRecord(doc_id, f"/{doc_id}", "sha", title, doc_type, date, int(date[:4] or 0), organ, 3)


def test_adjacent_chunks_become_one_passage_with_segments():
    hits = [hit(1, "a", 4, 5, text="Mål 5. Klimat\nLund är ledande."), hit(2, "a", 5, 6, text="Mål 6. Besök"),
            hit(3, "b", 1, 0, text="Annat.")]  # fmt: skip
    ps = merge_neighbours(hits)
    assert [p.chunk_ids for p in ps] == [["a-4", "a-5"], ["b-1"]]
    merged = ps[0]
    assert merged.text == "Mål 5. Klimat\nLund är ledande.\nMål 6. Besök"
    assert merged.goal == 0  # two goals: the passage as a whole is neither
    seg = merged.segment_at(merged.text.index("Besök"))
    assert (seg.chunk_id, seg.goal, seg.section) == ("a-5", 6, "Mål 6")
    assert merged.segment_at(0).goal == 5


def test_diversity_lets_several_goals_in():
    hits = [hit(1, "a", 9, 5), hit(2, "a", 10, 5), hit(3, "a", 11, 5), hit(4, "a", 3, 4), hit(5, "a", 14, 8)]
    chosen = diverse(hits, 3)
    assert sorted(h.goal for h in chosen) == [4, 5, 8]
    assert len(diverse(hits[:3], 3)) == 3  # too few distinct goals: filled up by score


def test_newer_version_replaces_the_older_for_what_applies_now():
    docs = [
        doc("p25", "Tekniska nämnden – nämndsplan 2025", "nämndsplan", "2024-11-20", "Tekniska nämnden"),
        doc("p26", "Tekniska nämnden – nämndsplan 2026", "nämndsplan", "2025-11-20", "Tekniska nämnden"),
        doc("pm1", "Solceller på skolor", "pressmeddelande", "2025-04-14", "Tekniska nämnden"),
        doc("pm2", "Fritidskort", "pressmeddelande", "2026-02-09", "Tekniska nämnden"),
    ]
    assert superseded(docs) == {"p25"}  # press releases from one organ are not versions of each other
    hits = [hit(1, "p25", 1), hit(2, "p26", 1), hit(3, "pm1", 1)]
    assert [h.doc_id for h in prefer_current(hits, docs, "Vad gäller för cykelvägarna nu?")] == ["p26", "pm1"]
    assert [h.doc_id for h in prefer_current(hits, docs, "Vad säger nämndsplanen om cykelvägar?")] == [
        "p26", "pm1", "p25"
    ]  # fmt: skip
    assert [h.doc_id for h in prefer_current(hits, docs, "Vad stod i nämndsplanen 2025?")] == ["p25", "p26", "pm1"]


def test_same_title_apart_from_years_is_a_version():
    docs = [doc("b24", "Årsbokslut 2024", "budget/bokslut", "2025-03-20"),
            doc("b25", "Årsbokslut 2025", "budget/bokslut", "2026-03-25")]  # fmt: skip
    assert superseded(docs) == {"b24"}
