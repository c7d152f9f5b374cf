"""The query tokenizer (index/query_tokenizer.py) gives the full tokenizer's ids without loading it, for any text it
takes, and leaves long texts and texts with an added token to the loaded one."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from index.onnx_backend import QUERY_TOKENIZER_USES, OnnxEncoder, ensure_export
from index.query_tokenizer import MAX_CHARS, PIECES, QueryTokenizer, write_pieces

ROOT = Path(__file__).resolve().parents[2]


def _texts() -> list[str]:
    texts = [
        "query: " + line[:300]
        for f in sorted((ROOT / "data" / "exempel").glob("*.md"))
        for line in f.read_text("utf-8").splitlines()
        if line.strip()
    ]
    for name in ("exempel", "verkliga"):
        lines = (ROOT / "eval" / "sets" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        texts += ["query: " + json.loads(x)["question"] for x in lines if x.strip()]
    texts += [
        "query: Что такое 東京?", "query: hej 🇸🇪", "query: \ue000 filler", "query:   två  mellanslag\t tab\n rad",
        "query: ▁▁x", "", " ", "query: naïve café – § 3 “citat” 100 € ½ 3² Åsa Ängelholm Øresund ß",
        "query: ＡＢＣ ﬁ", "query: \x01\x7f styrtecken", "query: 稣",
    ]  # fmt: skip
    rnd = random.Random(7)
    alphabet = "abcåäöxyzÅÄÖ 0123.,-–!?é東ßø\u200b\u2581 "
    texts += ["query: " + "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 80))) for _ in range(300)]
    return texts


@pytest.fixture(scope="module")
def folder(embedder) -> Path:
    return ensure_export(Path(embedder.model_path()), embedder.settings.models_dir, "onnx")


def test_query_tokenizer_gives_the_full_tokenizers_ids(folder: Path, tmp_path: Path):
    from tokenizers import Tokenizer

    assert write_pieces(folder / "tokenizer.json", tmp_path / PIECES)
    qt = QueryTokenizer(tmp_path / PIECES)
    full = Tokenizer.from_file(str(folder / "tokenizer.json"))
    full.no_truncation()
    texts = _texts()
    assert [qt.encode([t])[0] for t in texts] == [e.ids for e in full.encode_batch(texts)]
    assert qt.encode(texts[:5]) == [e.ids for e in full.encode_batch(texts[:5])]  # several at once
    assert qt.encode(["query: <mask> och <s>"]) is None  # added tokens: the loaded tokenizer splits them off
    assert qt.encode(["x" * (MAX_CHARS + 1)]) is None


def test_encoder_uses_it_for_a_few_queries_then_loads_the_tokenizer(folder: Path):
    enc = OnnxEncoder(folder)
    assert enc.query_tokenizer is not None and enc._latin is None and enc._full is None  # nothing loaded to start
    first = enc.encode(["query: Vilka mål handlar om klimatet?"])
    assert enc._latin is None
    for _ in range(QUERY_TOKENIZER_USES):
        assert (enc.encode(["query: Vilka mål handlar om klimatet?"]) == first).all()
    assert enc._latin is not None  # a process that goes on searching loads it
