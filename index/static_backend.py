"""Static sentence vectors (opt-in, `STYRDOK_SENTENCE_BACKEND=static`): a token → vector table distilled from the
project's own e5-small the model2vec way, so a sentence vector is a mean of table rows instead of a transformer pass.

Why: ingest embeds one vector per sentence besides each chunk (index/vectors.py), ~5x the chunk texts, and issue 16
asks for ingest at 2x the LangChain baseline. Measured (docs/scaling.md, "Issue 16 routes"): see the table there;
static sentence vectors cost recall, so this stays opt-in.

Distillation (model2vec's steps, `model2vec.distill.inference`, in numpy over the ONNX export, so neither torch nor
model2vec is needed): each kept token is run through the model alone (`<s> token </s>`, mean-pooled), the outputs are
PCA-reduced and weighted by SIF (rare tokens count more).
Only tokens that occur in Swedish text get a row (`static_vocab.txt`: the 15,164 token ids of the e5 tokenizer that
../shared/data/skala and SweQUAD-MC training use; `make static-vocab` rewrites it): the full 250k vocabulary took
hours on 2 busy cores, and model2vec's `vocabulary` argument adds words, it cannot restrict the subword vocabulary.
A token outside the table contributes nothing. The table is distilled at first use into the model cache (~40 s on 2
busy cores; 8 MB of float16 rows plus the tokenizer).

The vectors live in a space of their own: the sentence collection is then queried with the question's static vector,
and the answerer scores sentences with the transformer (IndexSearcher.sentence_vectors returns no static ones).
Static cosines spread around 0.12 ± 0.12 where e5's lie at 0.80 ± 0.025, so in the dense mix (index/vectors.mix) the
chunk's own similarity nearly always wins and the static sentences mostly bring candidate chunks. Mapping their mean
and spread onto e5's was measured too (exempel: recall@3 equal, recall@1 0.655 → 0.607) and not kept. They rank
sentences only loosely like e5 (correlation 0.41, top-5 overlap 23% on 40 exempel questions × 400 sentences).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from index.model_dirs import build_once, read_marker
from index.onnx_backend import fingerprint

log = logging.getLogger("styrdok.index")

VOCAB_FILE = Path(__file__).with_name("static_vocab.txt")
MARKER = "styrdok-static.json"
TABLE = "table.npy"
_FORMAT = 1
MIN_COUNT = 1  # every token the Swedish sample uses gets a row (15k; >= 2 would keep 11.7k)
PCA_DIMS = 256
SIF = 1e-4  # model2vec's default SIF coefficient


def export_path(source: Path, cache_dir: Path) -> Path:
    return cache_dir / f"{source.name}-static"


def ensure_export(source: Path, onnx_folder: Path, cache_dir: Path, vocab: list[int] | None = None) -> Path:
    """The distilled table for `source` (a sentence-transformers folder; `onnx_folder` its ONNX fp32 export, which
    runs the distillation), distilling it first when missing or stale. `vocab`: token ids (default static_vocab.txt)."""
    dest = export_path(source, cache_dir)
    fp = fingerprint(source)
    vocab = _vocab_ids() if vocab is None else vocab
    vocab_key = hashlib.sha256(" ".join(map(str, vocab)).encode()).hexdigest()[:16]

    def make(tmp: Path) -> dict:
        started = time.perf_counter()
        ids, table = distill(onnx_folder, vocab)
        np.save(tmp / TABLE, table.astype(np.float16))  # half precision: half the size, cosine unchanged to 1e-3
        np.save(tmp / "ids.npy", ids.astype(np.int32))
        shutil.copy2(source / "tokenizer.json", tmp / "tokenizer.json")
        seconds = round(time.perf_counter() - started, 1)
        return {"format": _FORMAT, "vocab": vocab_key, "tokens": len(ids), "dim": int(table.shape[1]),
                "distill_s": seconds}  # fmt: skip

    started = time.perf_counter()
    if build_once(dest, MARKER, fp, lambda m: m.get("format") == _FORMAT and m.get("vocab") == vocab_key, make):
        log.info(
            "distilled %d static token vectors from %s in %.1f s", len(vocab), source, time.perf_counter() - started
        )
    return dest


def distill(folder: Path, ids: list[int], threads: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(token ids, their weighted vectors): model2vec's steps (`model2vec.distill.inference`: create_embeddings,
    apply_pca, compute_weights) over the ONNX export in `folder`. Reimplemented in numpy: model2vec's distill
    subpackage needs torch, transformers and skeletoken, and its `vocabulary` argument adds words but cannot
    restrict the subword vocabulary. `ids` most frequent first: the SIF weights assume a frequency-sorted table."""
    from index.onnx_backend import OnnxEncoder, _pad

    enc = OnnxEncoder(folder, threads=threads or os.cpu_count() or 1)
    bos, eos = enc.tokenizer.token_to_id("<s>"), enc.tokenizer.token_to_id("</s>")
    out = []
    for k in range(0, len(ids), 512):
        x, mask = _pad([[bos, i, eos] for i in ids[k : k + 512]], enc.pad_id)
        out.append(enc.session.run(None, {"input_ids": x, "attention_mask": mask})[0].mean(axis=1))  # no padding
    emb = np.concatenate(out).astype(np.float64)
    # PCA to PCA_DIMS (model2vec's apply_pca: eigenvectors of the covariance, sign fixed by the largest score)
    centred = emb - emb.mean(axis=0)
    vals, vecs = np.linalg.eigh(centred.T @ centred / (len(emb) - 1))
    comps = vecs[:, ::-1][:, :PCA_DIMS].T
    scores = centred @ comps.T
    scores *= np.sign(scores[np.argmax(np.abs(scores), axis=0), range(scores.shape[1])])
    # SIF weights from Zipf ranks (model2vec's compute_weights)
    inv_rank = 1 / np.arange(2, len(emb) + 2)
    weight = SIF / (SIF + inv_rank / inv_rank.sum())
    return np.asarray(ids), (scores * weight[:, None]).astype(np.float32)


class StaticEncoder:
    """Texts → normalised mean of their tokens' rows (no prefixes: they would add the same rows to every text)."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        meta = read_marker(folder / MARKER) or {}
        table = np.load(folder / TABLE).astype(np.float32)
        ids = np.load(folder / "ids.npy")
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_truncation()
        self.dim = int(meta.get("dim", table.shape[1]))
        size = max(int(ids.max()) + 1, self.tokenizer.get_vocab_size())
        self.row = np.full(size, len(table), dtype=np.int64)  # unknown ids → the zero row at the end
        self.row[ids] = np.arange(len(ids))
        self.table = np.vstack([table, np.zeros((1, table.shape[1]), np.float32)])

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        for k, enc in enumerate(self.tokenizer.encode_batch(texts, add_special_tokens=False)):
            if enc.ids:
                out[k] = self.table[self.row[np.asarray(enc.ids)]].mean(axis=0)
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


class StaticEmbedder:
    """The Embedder methods the writer and searcher use for sentence vectors, over a StaticEncoder."""

    def __init__(self, source: Path, onnx_folder: Path, cache_dir: Path) -> None:
        self.encoder = StaticEncoder(ensure_export(source, onnx_folder, cache_dir))
        self.dim = self.encoder.dim

    def embed_passages(self, texts: list[str], progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        return self.encoder.encode(list(texts))

    def embed_query(self, text: str) -> np.ndarray:
        return self.encoder.encode([text])[0]


# --- the vocabulary ---------------------------------------------------------------------------------------------
def _vocab_ids() -> list[int]:
    return [int(x) for x in VOCAB_FILE.read_text(encoding="utf-8").split()]


def swedish_texts(shared: Path) -> Iterable[str]:
    """The Swedish sample the vocabulary is chosen from: skala's pages and SweQUAD-MC's training contexts."""
    for p in sorted((shared / "data" / "skala").rglob("*.md")):
        yield p.read_text(encoding="utf-8", errors="replace")
    data = json.loads((shared / "data" / "swequad-mc" / "training.json").read_text(encoding="utf-8"))["data"]
    seen: set[str] = set()
    for q in data:
        ctx = q.get("context", "")
        if ctx and ctx not in seen:
            seen.add(ctx)
            yield ctx


def select_vocab(tokenizer_json: Path, texts: Iterable[str], min_count: int = MIN_COUNT) -> list[int]:
    """Token ids seen at least `min_count` times, most frequent first."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_json))
    tok.no_truncation()
    counts: Counter[int] = Counter()
    batch: list[str] = []
    for t in texts:
        batch.append(t)
        if len(batch) == 256:
            for e in tok.encode_batch(batch, add_special_tokens=False):
                counts.update(e.ids)
            batch = []
    for e in tok.encode_batch(batch, add_special_tokens=False):
        counts.update(e.ids)
    return [i for i, c in counts.most_common() if c >= min_count]


if __name__ == "__main__":
    import argparse

    p = argparse.ArgumentParser(description="Write index/static_vocab.txt from the Swedish sample.")
    p.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared")
    p.add_argument("--tokenizer", type=Path, help="a tokenizer.json (default: the configured model's)")
    p.add_argument("--min-count", type=int, default=MIN_COUNT)
    a = p.parse_args()
    if a.tokenizer is None:
        from index.config import Settings
        from index.embedder import Embedder

        a.tokenizer = Path(Embedder(Settings.from_env()).model_path()) / "tokenizer.json"
    ids = select_vocab(a.tokenizer, swedish_texts(a.shared), a.min_count)
    VOCAB_FILE.write_text("\n".join(map(str, ids)) + "\n", encoding="utf-8")
    print(f"{len(ids)} token ids → {VOCAB_FILE}")
