"""CTranslate2 backends for the embedding model: the same BERT encoder run by CTranslate2, with int8 weights
("ct2-int8", about 2x ONNX Runtime fp32 on 2 CPU cores) or fp32 ("ct2", the same vectors as ONNX fp32, ~1.2x), without
importing torch at run time.

Why: embedding is ~90% of an ingest, and ingest embeds every chunk and every sentence (index/vectors.py). Measured
(docs/scaling.md, "Issue 16 routes"): CTranslate2 int8 gives vectors within cosine 0.998 of fp32 (ONNX Runtime's
dynamic int8: 0.996) at about twice fp32's speed.

The conversion runs once, offline, from the local sentence-transformers folder with CTranslate2's own transformers
converter (torch and transformers are needed then, not afterwards), is checked against torch, and is moved into place
with `os.replace`, like the ONNX export (index/onnx_backend.py), whose tokenizer handling (the Latin-only tokenizer
copy, truncation, length-sorted batches by a token budget) this encoder shares. Mean pooling and normalisation are
done in numpy, so only mean-pooling models are supported.
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import numpy as np

from index.model_dirs import build_once
from index.onnx_backend import (
    _CHECK_TEXTS,
    OnnxEncoder,
    OnnxExportError,
    _pool,
    _st_config,
    _write_latin_tokenizer,
    fingerprint,
)
from index.query_tokenizer import PIECES, write_pieces

log = logging.getLogger("styrdok.index")

# backend → CTranslate2 quantization (of the stored weights) = compute type
BACKENDS = {"ct2-int8": "int8", "ct2": "float32"}
MARKER = "styrdok-ct2.json"
_FORMAT = 1
_MODEL = "ct2"  # the CTranslate2 model folder inside the export


def export_path(source: Path, cache_dir: Path, backend: str = "ct2-int8") -> Path:
    return cache_dir / f"{source.name}-{backend}"


def ensure_export(source: Path, cache_dir: Path, backend: str = "ct2-int8") -> Path:
    """The converted CTranslate2 folder for `source` (a sentence-transformers folder), converting it first when it is
    missing or stale. Safe against concurrent callers and killed processes (temp folder + os.replace)."""
    if backend not in BACKENDS:
        raise ValueError(f"not a CTranslate2 backend: {backend}")
    dest = export_path(source, cache_dir, backend)

    def make(tmp: Path) -> dict:
        meta = _convert(source, tmp, BACKENDS[backend])
        shutil.copy2(source / "tokenizer.json", tmp / "tokenizer.json")
        _write_latin_tokenizer(tmp / "tokenizer.json", tmp)
        write_pieces(tmp / "tokenizer.json", tmp / PIECES)
        return {**meta, "format": _FORMAT, "backend": backend, "compute_type": BACKENDS[backend]}

    started = time.perf_counter()
    if build_once(dest, MARKER, fingerprint(source), lambda m: m.get("format") == _FORMAT, make):
        log.info("converted %s to %s (%s) in %.1f s", source, dest, backend, time.perf_counter() - started)
    return dest


def _convert(source: Path, out: Path, compute_type: str) -> dict:
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as e:
        raise OnnxExportError("the ct2 backends need the `ctranslate2` package (pip install ctranslate2)") from e
    max_len, dim = _st_config(source)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI and in logs
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the converter logs to the root logger; not for a CLI user's eyes
    try:
        TransformersConverter(str(source)).convert(str(out / _MODEL), quantization=compute_type, force=True)
    finally:
        root.setLevel(level)
    _check(source, out, compute_type, min_cos=0.99 if compute_type == "int8" else 0.9999)
    return {"max_seq_length": max_len, "dim": dim}


def _check(source: Path, out: Path, compute_type: str, min_cos: float) -> None:
    """The conversion must give torch's vectors (padding included, up to int8 rounding) before it is trusted."""
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    from index.onnx_backend import _pad

    tok = Tokenizer.from_file(str(source / "tokenizer.json"))
    rows = [e.ids for e in tok.encode_batch(list(_CHECK_TEXTS))]
    ids, mask = _pad(rows)
    model = AutoModel.from_pretrained(str(source)).eval()
    with torch.no_grad():
        h = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).last_hidden_state.numpy()
    ref = _pool(h, mask)
    vec = _forward(_encoder(out / _MODEL, 1, compute_type), rows)
    cos = (ref * vec).sum(1)
    if float(cos.min()) < min_cos:
        raise OnnxExportError(f"converted model differs from torch (cosine {cos.min():.4f} < {min_cos})")


def _encoder(path: Path, threads: int, compute_type: str):  # noqa: ANN202 - ctranslate2.Encoder, imported lazily
    import ctranslate2

    return ctranslate2.Encoder(
        str(path), device="cpu", compute_type=compute_type, inter_threads=1, intra_threads=max(1, threads)
    )


def _forward(encoder, rows: list[list[int]]) -> np.ndarray:  # noqa: ANN001 - ctranslate2.Encoder
    hidden = np.asarray(encoder.forward_batch(rows).last_hidden_state)
    lengths = np.array([len(r) for r in rows])
    mask = (np.arange(hidden.shape[1])[None, :] < lengths[:, None]).astype(np.int64)
    return _pool(hidden, mask)


class Ct2Encoder(OnnxEncoder):
    """OnnxEncoder's tokenizer and batching with CTranslate2's forward pass (it pads and masks by itself)."""

    marker = MARKER

    def _open(self, folder: Path, meta: dict, threads: int) -> None:
        self.session = _encoder(folder / _MODEL, threads, meta.get("compute_type", "int8"))

    def _forward(self, rows: list[list[int]]) -> np.ndarray:
        return _forward(self.session, rows)
