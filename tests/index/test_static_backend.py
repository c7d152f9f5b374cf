"""Static sentence vectors (STYRDOK_SENTENCE_BACKEND=static, opt-in): distilled from the project's own model into
the model cache, reused, and an index built with them searches with the question's static vector and never hands
them to the answerer (they are not comparable with its e5 question vector)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.config import Settings, SettingsError
from index.onnx_backend import ensure_export as onnx_export
from index.static_backend import MARKER, StaticEncoder, _vocab_ids, ensure_export

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_table(embedder, model_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 3,000 most frequent Swedish tokens only: seconds instead of the full table's ~40 s."""
    source = Path(embedder.model_path())
    onnx = onnx_export(source, model_cache, "onnx")
    return ensure_export(source, onnx, tmp_path_factory.mktemp("static"), vocab=_vocab_ids()[:3000])


def test_distilled_once_and_reused(embedder, small_table: Path, model_cache: Path):
    meta = json.loads((small_table / MARKER).read_text())
    assert meta["tokens"] == 3000 and meta["dim"] == 256
    stamp = (small_table / MARKER).stat().st_mtime_ns
    source = Path(embedder.model_path())
    again = ensure_export(source, onnx_export(source, model_cache, "onnx"), small_table.parent, _vocab_ids()[:3000])
    assert again == small_table and (small_table / MARKER).stat().st_mtime_ns == stamp
    assert not [p for p in small_table.parent.iterdir() if ".partial-" in p.name]


def test_vectors_are_normalised_and_mean_related_text_closer(small_table: Path):
    enc = StaticEncoder(small_table)
    v = enc.encode(["Kommunen ska minska utsläppen av växthusgaser.", "Utsläppen av växthusgaser ska minska i kommunen.",
                    "Fritidskortet kostar 200 kronor för barn.", ""])  # fmt: skip
    assert v.shape == (4, 256)
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-5)
    assert float(np.abs(v[3]).sum()) == 0.0  # no token: a zero vector, never NaN
    assert float(v[0] @ v[1]) > float(v[0] @ v[2]) + 0.1  # the same words in another order: near; other words: not


def test_sentence_backend_setting():
    assert Settings.from_env({"STYRDOK_SENTENCE_BACKEND": "static"}).sentence_backend == "static"
    assert Settings.from_env({"STYRDOK_SENTENCE_BACKEND": "onnx"}).sentence_backend == ""  # the embed backend
    assert Settings.from_env({"STYRDOK_SENTENCE_BACKEND": "static"}).vectors_key == "onnx+static"
    with pytest.raises(SettingsError, match="STYRDOK_SENTENCE_BACKEND"):
        Settings.from_env({"STYRDOK_SENTENCE_BACKEND": "model2vec"})


def test_index_with_static_sentences(make_index, settings: Settings, small_table: Path, tmp_path: Path):
    from index.static_backend import StaticEmbedder
    from index.store import ModelMismatchError

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "plan.txt").write_text(
        "Klimatplan\n\nKommunen ska minska utsläppen av växthusgaser med hälften till 2030. Bussarna ska köras på "
        "biogas. Cykelvägarna byggs ut längs alla skolvägar.\n\nFritidskortet kostar 200 kronor per termin för barn "
        "och unga. Det gäller i alla kommunens simhallar.\n",
        encoding="utf-8",
    )
    s = replace(settings, sentence_backend="static")
    idx = make_index(s)
    static = StaticEmbedder.__new__(StaticEmbedder)  # the small table, not the cache's full one
    static.encoder, static.dim = StaticEncoder(small_table), 256
    idx.stores._sentence_embedder = static
    assert idx.ingest([docs])[0].status == "ingested"
    assert idx.store.sent.count() >= 4
    got = idx.store.sent.get(include=["embeddings"], limit=1)["embeddings"]
    assert len(got[0]) == 256  # the sentence collection holds static vectors
    assert idx.catalog.vector_counts()[1] == 0  # and the catalog no copy of them: exact search can't use another space
    hits = idx.search("Vad kostar fritidskortet?", k=3)
    assert "Fritidskortet" in hits[0].text
    # The answerer gets no static vectors: it embeds those sentences with the transformer itself.
    assert idx.sentence_vectors([h.chunk_id for h in hits]) == {}
    idx.close()
    with pytest.raises(ModelMismatchError, match="STYRDOK_SENTENCE_BACKEND"):
        _ = make_index(settings).store  # the same home without the setting: refused, not mixed
