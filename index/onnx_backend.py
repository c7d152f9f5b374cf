"""ONNX Runtime backend for the embedding model: the same network as the sentence-transformers folder, about 2× (fp32)
to 4× (int8) faster on 2 CPU cores, without importing torch at run time.

Why: embedding dominates ingest and the extractive answer embeds candidate sentences per question; torch takes
seconds to import and ~1 GB of memory. Measured on this machine (bench/run.py, `styrdok eval`): int8 dynamic
quantization (per-channel weights) kept recall@5 on eval/sets/exempel.jsonl within one point of fp32 torch.

The export runs once, offline, from the local sentence-transformers folder (torch and the `onnx` package are needed
then, not afterwards): the encoder is traced with `torch.onnx.export`, checked against torch on a few texts, optionally
quantized with `onnxruntime.quantization.quantize_dynamic`, and moved into place with `os.replace` (like
index/e5_convert.py), so a cache folder is either absent or complete. The weights are stored beside the graph at
page-aligned offsets, so ONNX Runtime maps them instead of copying them (see _externalise). Mean pooling and L2 normalisation are done here
in numpy, so only mean-pooling models are supported (multilingual-e5, the built-in default, is one).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import sqlite3
import threading
import time
import unicodedata
from pathlib import Path

import numpy as np

from index.model_dirs import build_once, read_marker
from index.query_tokenizer import PIECES, QueryTokenizer, write_pieces

log = logging.getLogger("styrdok.index")

BACKENDS = ("torch", "onnx", "onnx-int8", "ct2-int8")
# Padded tokens per forward pass. Measured (bench/run.py, section "batch"): on 2 cores a budget of 256-512 tokens
# beat fixed batches of 32 by ~1.5x (large batches of long chunks spill the CPU caches; tiny ones pay per-call cost).
BATCH_TOKENS = 512
MARKER = "styrdok-onnx.json"
# Format 2: weights in a separate file at page-aligned offsets (see _externalise). The format is part of the folder
# name, so an older styrdok sharing the model cache keeps using (and never rewrites) its own format-1 folder.
_FORMAT = 2
WEIGHTS = "model.onnx.data"
LATIN_TOKENIZER = "tokenizer-latin.json"  # see _write_latin_tokenizer
LATIN_EXCLUDED = "tokenizer-latin-excluded.txt"
# Queries tokenized without loading a tokenizer (index/query_tokenizer.py): ~2-8 ms each against ~0.2 ms with the
# loaded one, so a process that goes on searching (the web app, a retriever) loads it after these few.
QUERY_TOKENIZER_USES = 3
_FILLER = "\ue000"  # a private-use character: the stand-in for every dropped piece
_ALIGN = 65536  # offsets of the weights in WEIGHTS: a multiple of every page size ONNX Runtime maps with
_CHECK_TEXTS = (
    "passage: Kommunen ska minska utsläppen av växthusgaser med 50 procent till 2030.",
    "query: Vad kostar fritidskortet?",
    "passage: Mål 3",
    "passage: " + "Nämnden följer upp målen varje år i årsbokslutet och redovisar resultatet för fullmäktige. " * 8,
)


class OnnxExportError(RuntimeError):
    """The model could not be exported (missing `onnx` package, unsupported pooling, or a failed check)."""


# --- export --------------------------------------------------------------------------------------------------------
def fingerprint(folder: Path) -> str:
    """Identifies the source folder's weights: a converted built-in model has a marker; others are hashed by
    config and weight-file sizes/mtimes (cheap, and changes whenever the weights are replaced)."""
    h = hashlib.sha256()
    marker = folder / ".styrdok-converted"
    if marker.exists():
        h.update(marker.read_bytes())
    else:
        for p in sorted(folder.glob("*")):
            if p.is_file() and (p.suffix in (".json", ".safetensors", ".bin")):
                st = p.stat()
                h.update(f"{p.name}:{st.st_size}:{int(st.st_mtime)}".encode())
                if p.suffix == ".json":
                    h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _read_marker(folder: Path) -> dict | None:
    return read_marker(folder / MARKER)


def export_path(source: Path, cache_dir: Path, backend: str, fmt: int = _FORMAT) -> Path:
    return cache_dir / (f"{source.name}-{backend}" + (f"-f{fmt}" if fmt > 1 else ""))


def ensure_export(source: Path, cache_dir: Path, backend: str) -> Path:
    """The exported folder for `source` (a sentence-transformers folder) and `backend` ("onnx" or "onnx-int8"),
    exporting it first when it is missing or stale. Safe against concurrent callers and killed processes."""
    if backend not in ("onnx", "onnx-int8"):
        raise ValueError(f"not an ONNX backend: {backend}")
    dest = export_path(source, cache_dir, backend)
    fp = fingerprint(source)

    def make(tmp: Path) -> dict:
        old = export_path(source, cache_dir, backend, fmt=1)
        old_marker = _read_marker(old)
        if old_marker and old_marker.get("source") == fp and old_marker.get("format") == 1:
            # A format-1 export of the same weights: only the file layout changes, no torch needed.
            shutil.copy2(old / old_marker.get("file", "model.onnx"), tmp / "model.onnx")
            meta = {k: old_marker[k] for k in ("max_seq_length", "dim")}
            meta["file"] = "model.onnx"
        else:
            meta = _export(source, tmp, int8=backend == "onnx-int8")
        _externalise(tmp / meta["file"])
        shutil.copy2(source / "tokenizer.json", tmp / "tokenizer.json")
        _write_latin_tokenizer(tmp / "tokenizer.json", tmp)
        write_pieces(tmp / "tokenizer.json", tmp / PIECES)
        return {**meta, "format": _FORMAT, "backend": backend}

    started = time.perf_counter()
    if build_once(dest, MARKER, fp, lambda m: m.get("format") == _FORMAT, make):
        log.info("exported %s to %s (%s) in %.1f s", source, dest, backend, time.perf_counter() - started)
    return dest


def _st_config(source: Path) -> tuple[int, int]:
    """(max_seq_length, dim) of a mean-pooling sentence-transformers folder; refuses other poolings."""
    pooling = {}
    with contextlib.suppress(OSError, ValueError):
        pooling = json.loads((source / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
    if not mean:
        raise OnnxExportError(
            f"{source}: the ONNX backend supports mean-pooling models only; use STYRDOK_EMBED_BACKEND=torch"
        )
    st = json.loads((source / "sentence_bert_config.json").read_text(encoding="utf-8"))
    cfg = json.loads((source / "config.json").read_text(encoding="utf-8"))
    return int(st.get("max_seq_length") or cfg.get("max_position_embeddings", 512)), int(cfg["hidden_size"])


def _export(source: Path, out: Path, *, int8: bool) -> dict:
    try:
        import onnx  # noqa: F401 - torch.onnx.export and the quantizer both need it
    except ImportError as e:
        raise OnnxExportError("the ONNX backend needs the `onnx` package (pip install onnx)") from e
    max_len, dim = _st_config(source)
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(source)).eval()

    class Encoder(torch.nn.Module):  # a plain (input_ids, attention_mask) → token states signature for tracing
        def __init__(self, m: torch.nn.Module) -> None:
            super().__init__()
            self.m = m

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    enc = Encoder(model).eval()
    # A padded example: the traced graph must handle masks, not only full rows.
    ids = torch.tensor([[0, 5, 6, 7, 8, 2], [0, 9, 2, 1, 1, 1]], dtype=torch.long)
    mask = (ids != 1).long()
    fp32 = out / ("model-fp32.onnx" if int8 else "model.onnx")
    import warnings

    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about Python conditionals that are constant for encoders
        torch.onnx.export(
            enc, (ids, mask), str(fp32), input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"], opset_version=17, dynamo=False, do_constant_folding=True,
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in ("input_ids", "attention_mask", "last_hidden_state")},
        )  # fmt: skip
    final = fp32
    if int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        final = out / "model.onnx"
        # Per-channel int8 weights: cosine to fp32 0.996 on Swedish passages against 0.987 per-tensor, same speed.
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantizer logs advice to the root logger; not for a CLI user's eyes
        try:
            quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
        fp32.unlink()
    _check(source, final, model, min_cos=0.97 if int8 else 0.9999)
    return {"max_seq_length": max_len, "dim": dim, "file": final.name}


def _externalise(path: Path) -> None:
    """Move the model's weights into WEIGHTS beside it, each at an _ALIGN-aligned offset, in place.

    Why: from one self-contained .onnx file ONNX Runtime parses all 470 MB of weights onto the heap (+810 MB RSS per
    process, 2-3 s to load); from page-aligned external data it maps them from the page cache, so the 384 MB word
    embedding table costs only the rows a text touches, and processes share the pages. Vectors are bit-identical."""
    try:
        import onnx
        from onnx.external_data_helper import set_external_data
    except ImportError as e:
        raise OnnxExportError("the ONNX backend needs the `onnx` package (pip install onnx)") from e
    model = onnx.load(str(path))
    with open(path.parent / WEIGHTS, "wb") as f:
        for t in model.graph.initializer:
            if len(t.raw_data) < 1024:  # small constants stay in the graph
                continue
            offset = -(-f.tell() // _ALIGN) * _ALIGN
            f.write(b"\0" * (offset - f.tell()))
            f.write(t.raw_data)
            set_external_data(t, WEIGHTS, offset, len(t.raw_data))
            t.ClearField("raw_data")
            t.data_location = onnx.TensorProto.EXTERNAL
    onnx.save_model(model, str(path))


def _latin_char(c: str) -> bool:
    if c == "\u2581":  # the Metaspace word marker
        return True
    cat = unicodedata.category(c)
    if cat[0] == "L":
        return unicodedata.name(c, "").startswith("LATIN")
    return cat[0] in "NPSZ" and ord(c) < 0x3000  # digits, punctuation, symbols; not CJK/fullwidth ones


def _write_latin_tokenizer(path: Path, out: Path) -> None:
    """A copy of a Unigram tokenizer.json that keeps only the pieces written in Latin letters, digits, punctuation and
    symbols (115k of XLM-R's 250k), with every id unchanged, and the characters it lacks.

    Why: the full Unigram tokenizer holds 281 MB in memory (its trie), the largest part of a query process once the
    weights are mapped; this one 114 MB. It is exact: a piece containing a character that a text lacks can never be
    part of that text's segmentation, so for a text with none of the LATIN_EXCLUDED characters (after normalisation)
    both give the same ids. Dropped pieces become one unmatchable filler piece at the vocabulary's lowest score (the
    ids stay; the unknown-token penalty, computed from the lowest score, too). Any other text goes to the full one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    model = data.get("model") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        return  # another tokenizer model: keep the full one only
    vocab = model["vocab"]
    special = {t["id"] for t in data.get("added_tokens", [])}
    alphabet = {p for p, _ in vocab if len(p) == 1 and _latin_char(p)}
    lowest = min(score for _, score in vocab)
    excluded = {_FILLER}
    kept = []
    for i, (piece, score) in enumerate(vocab):
        if i in special or set(piece) <= alphabet:
            kept.append([piece, score])
        else:
            excluded.update(set(piece) - alphabet)
            kept.append([_FILLER, lowest])
    model["vocab"] = kept
    (out / LATIN_TOKENIZER).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (out / LATIN_EXCLUDED).write_text("".join(sorted(excluded)), encoding="utf-8")


def _check(source: Path, path: Path, model, min_cos: float) -> None:  # noqa: ANN001 - torch module
    """The export must give torch's vectors (padding included) before it is trusted."""
    import torch
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(source / "tokenizer.json"))
    ids, mask = _pad([e.ids for e in tok.encode_batch(list(_CHECK_TEXTS))])
    with torch.no_grad():
        h = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state.numpy()
    ref = _pool(h, mask)
    vec = _pool(_session(path, 1).run(None, {"input_ids": ids, "attention_mask": mask})[0], mask)
    cos = (ref * vec).sum(1)
    if float(cos.min()) < min_cos:
        raise OnnxExportError(f"exported model differs from torch (cosine {cos.min():.4f} < {min_cos})")


# --- inference -----------------------------------------------------------------------------------------------------
def _query_tokenizer(folder: Path):  # noqa: ANN202 - index.query_tokenizer.QueryTokenizer or None
    """The folder's query tokenizer, its piece file written first when missing (folders exported before it existed;
    a read-only model cache just goes without)."""
    path = folder / PIECES
    try:
        if not path.exists() and not write_pieces(folder / "tokenizer.json", path):
            return None
        return QueryTokenizer(path)
    except (OSError, ValueError, KeyError, sqlite3.Error) as e:
        log.warning("query tokenizer unavailable (%s): loading the full one", e)
        return None


def _session(path: Path, threads: int):  # noqa: ANN202 - onnxruntime.InferenceSession, imported lazily
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, threads)
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Spinning worker threads steal the other core from a second process on a loaded 2-core machine.
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.log_severity_level = 3
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def _pad(rows: list[list[int]], pad_id: int = 1) -> tuple[np.ndarray, np.ndarray]:
    n = max(len(r) for r in rows)
    ids = np.full((len(rows), n), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), n), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    return ids, mask


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over real tokens, then L2 normalisation (what the folder's Pooling + Normalize modules do)."""
    m = mask[:, :, None].astype(np.float32)
    v = (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1e-9)
    return (v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class OnnxEncoder:
    """Texts (prefixes already applied) → normalised vectors, with the folder's own tokenizer."""

    marker = MARKER  # the folder's completeness marker, holding max_seq_length and dim

    def __init__(self, folder: Path, threads: int = 1) -> None:
        meta = read_marker(folder / self.marker) or {}
        self.max_seq_length = int(meta.get("max_seq_length", 512))
        self.dim = int(meta.get("dim", 0))
        self.folder = folder
        self._full = None  # the full tokenizer, loaded only for a text the Latin one cannot take
        self._full_lock = threading.Lock()
        self._latin = None  # the Latin one, loaded on first use by a text the query tokenizer leaves to it
        self._latin_lock = threading.Lock()
        self.excluded: frozenset[str] | None = None
        if (folder / LATIN_TOKENIZER).exists() and (folder / LATIN_EXCLUDED).exists():
            self.excluded = frozenset((folder / LATIN_EXCLUDED).read_text(encoding="utf-8"))
        self.query_tokenizer = _query_tokenizer(folder)  # a query's ids without loading either (or None)
        self._query_uses = 0
        self.pad_id = self.query_tokenizer.pad_id if self.query_tokenizer else self._pad_of(self.tokenizer)
        self._open(folder, meta, threads)

    @property
    def tokenizer(self):  # noqa: ANN201 - tokenizers.Tokenizer: the Latin one where there is one, else the full
        if self._latin is None:
            with self._latin_lock:
                if self._latin is None:
                    if self.excluded is not None:
                        self._latin = self._load_tokenizer(self.folder / LATIN_TOKENIZER)
                    else:
                        self._latin = self._full_tokenizer()
        return self._latin

    @staticmethod
    def _pad_of(tokenizer) -> int:  # noqa: ANN001
        pad = tokenizer.token_to_id("<pad>")
        return 1 if pad is None else int(pad)

    def _open(self, folder: Path, meta: dict, threads: int) -> None:
        self.session = _session(folder / meta.get("file", "model.onnx"), threads)

    def _forward(self, rows: list[list[int]]) -> np.ndarray:
        """Normalised vectors of one batch of token-id rows."""
        ids, mask = _pad(rows, self.pad_id)
        return _pool(self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0], mask)

    @staticmethod
    def _load_tokenizer(path: Path):  # noqa: ANN205 - tokenizers.Tokenizer, imported lazily
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(path))
        tok.no_truncation()  # count_tokens must see the full length; encode truncates itself
        tok.no_padding()
        return tok

    def _full_tokenizer(self):  # noqa: ANN202
        with self._full_lock:
            if self._full is None:
                self._full = self._load_tokenizer(self.folder / "tokenizer.json")
            return self._full

    def _encode_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids of each text: a query's from the query tokenizer until a longer text has needed a loaded one;
        else the Latin tokenizer where it is exact, the full one for the rest. All give the same ids."""
        if self.query_tokenizer is not None and self._latin is None and self._query_uses < QUERY_TOKENIZER_USES:
            ids = self.query_tokenizer.encode(texts)
            if ids is not None:
                self._query_uses += 1
                return ids
        if self.excluded is None:
            return [e.ids for e in self.tokenizer.encode_batch(texts)]
        norm = self.tokenizer.normalizer
        other = [i for i, t in enumerate(texts) if not self.excluded.isdisjoint(norm.normalize_str(t) if norm else t)]
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)] if len(other) < len(texts) else [[]] * len(texts)
        if other:
            for i, e in zip(other, self._full_tokenizer().encode_batch([texts[i] for i in other]), strict=True):
                ids[i] = e.ids
        return ids

    def count_tokens(self, text: str) -> int:
        return len(self._encode_ids([text])[0])

    def _ids(self, texts: list[str]) -> list[list[int]]:
        n = self.max_seq_length
        # Truncate like transformers does: keep the first n-1 tokens and the closing special token.
        encoded = self._encode_ids(texts)
        return [ids if len(ids) <= n else ids[: n - 1] + ids[-1:] for ids in encoded]

    def encode(self, texts: list[str], batch_size: int = 64, max_batch_tokens: int = BATCH_TOKENS) -> np.ndarray:
        """Sorted by token length, then cut into batches of at most `batch_size` texts and `max_batch_tokens` padded
        tokens (a long chunk goes nearly alone, short sentences go many at a time); returned in input order."""
        rows = self._ids(texts)
        order = sorted(range(len(rows)), key=lambda i: len(rows[i]))
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        start = 0
        while start < len(order):
            end = start + 1
            while (
                end < len(order)
                and end - start < batch_size
                and (end - start + 1) * len(rows[order[end]]) <= max_batch_tokens
            ):
                end += 1
            part = order[start:end]
            out[part] = self._forward([rows[i] for i in part])
            start = end
        return out
