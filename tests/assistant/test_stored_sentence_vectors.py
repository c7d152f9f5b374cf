"""The extractive answerer reuses the sentence vectors ingest stored (index.engine.Index.sentence_vectors) instead of
embedding those sentences again: the same vectors, the same answers, fewer texts embedded per question."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.ask import Assistant
from assistant.config import LLMSettings

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Vilka mål handlar om klimat och miljö?",
    "Vad kostar fritidskortet?",
    "Hur många skolor får solceller?",
    "Vem följer upp målen?",
]


def test_stored_vectors_are_what_embedding_gives(sample_index):
    ids = [r[0] for r in sample_index.catalog.db.execute("SELECT chunk_id FROM chunks WHERE n_sentences > 1")]
    stored = sample_index.sentence_vectors(ids)
    assert len(stored) >= 100
    texts = list(stored)
    fresh = sample_index.embedder.embed_passages(texts)
    cos = np.array([float(stored[t] @ v) for t, v in zip(texts, fresh, strict=True)])
    assert cos.min() > 0.9999


def test_answers_are_the_same_with_fewer_texts_embedded(sample_index, monkeypatch):
    embedded: list[int] = []
    orig = sample_index.embedder.embed_passages

    def counting(texts, *a, **kw):  # noqa: ANN001, ANN202
        embedded.append(len(texts))
        return orig(texts, *a, **kw)

    monkeypatch.setattr(sample_index.embedder, "embed_passages", counting)
    primed = [Assistant(sample_index, LLMSettings()).ask(q) for q in QUESTIONS]
    with_stored = sum(embedded)
    embedded.clear()
    monkeypatch.setattr(sample_index, "sentence_vectors", lambda ids: {})
    plain = [Assistant(sample_index, LLMSettings()).ask(q) for q in QUESTIONS]
    without = sum(embedded)
    assert [a.answer for a in primed] == [a.answer for a in plain]
    assert [[c.chunk_id for c in a.citations] for a in primed] == [[c.chunk_id for c in a.citations] for a in plain]
    assert without > 0 and with_stored <= without / 2, (with_stored, without)


def test_a_one_sentence_chunk_lends_its_vector_to_its_sentence(sample_index):
    """A chunk with one sentence has no sentence vector of its own; its chunk vector stands in (no re-embedding)."""
    from index.vectors import lone_unit

    rows = sample_index.catalog.db.execute("SELECT chunk_id, text FROM chunks WHERE n_sentences = 0").fetchall()
    lone = {cid: lone_unit(text) for cid, text in rows if lone_unit(text)}
    assert lone
    primed = sample_index.sentence_vectors(list(lone))
    chunk_vectors = sample_index.store.vectors(list(lone))
    for cid, unit in lone.items():
        assert np.allclose(primed[unit], chunk_vectors[cid])
    fresh = sample_index.embedder.embed_passages(list(lone.values()))
    cos = [float(primed[u] @ v) for u, v in zip(lone.values(), fresh, strict=True)]
    assert min(cos) > 0.9, cos  # the chunk adds only a heading line
