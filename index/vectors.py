"""Multi-vector dense retrieval: each chunk gets one vector for itself and one per sentence.

Why: a small model's chunk vector averages several statements, so a question about one of them (especially a
paraphrase) matches weakly. Measured on eval/sets/exempel.jsonl (84 answerable questions, 31 paraphrases):
chunk vectors alone R@3 0.786 (paraphrases 0.581); 0.5 × chunk + 0.5 × max(best sentence, chunk) R@3 0.833
(paraphrases 0.710). Ingest embeds roughly twice the text.
"""

from __future__ import annotations

from ingest.sentences import split_sentences

MIN_WORDS = 3


def sentence_units(text: str) -> list[str]:
    """The sentences (and lines: headings, table rows) of a chunk worth a vector of their own; [] when the chunk
    is a single unit anyway (its chunk vector already is that sentence's vector)."""
    units = [u for u in split_sentences(text) if len(u.split()) >= MIN_WORDS]
    return units if len(units) > 1 else []


def lone_unit(text: str) -> str | None:
    """The one sentence of a chunk that has no sentence vectors of its own (sentence_units gave []), or None. The
    chunk's vector stands in for it when the answerer scores it: embedding it again per question was 149 of the
    258 ms of an ask on real text (docs/scaling.md)."""
    units = [u for u in split_sentences(text) if len(u.split()) >= MIN_WORDS]
    return units[0] if len(units) == 1 else None


def best_per_chunk(ranked: list[tuple[str, float]]) -> dict[str, float]:
    """The best sentence similarity of each chunk among (chunk id, similarity) pairs of sentences."""
    best: dict[str, float] = {}
    for cid, sim in ranked:
        best[cid] = max(best.get(cid, -1.0), sim)
    return best


def mix(chunk_sims: dict[str, float], sentence_sims: dict[str, float]) -> list[tuple[str, float]]:
    """Dense score per chunk: half its own similarity, half the better of its best sentence and itself."""
    out = [(cid, 0.5 * cs + 0.5 * max(cs, sentence_sims.get(cid, -1.0))) for cid, cs in chunk_sims.items()]
    return sorted(out, key=lambda x: -x[1])
