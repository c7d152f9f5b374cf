"""How well a sentence or passage matches a question: dense similarity per sentence, and IDF-weighted word overlap.

Search ranks chunks; answering needs sentences. The embedding of each candidate sentence is compared with the
question's (e5: "query: " vs "passage: "), cached by sentence text so a conversation does not re-embed its sources.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from assistant.text import content_terms
from index.analyzer_sv import split_compound
from index.catalog import Catalog
from index.embedder import Embedder

# (question, sentences) → one cosine similarity per sentence
Similarity = Callable[[str, Sequence[str]], list[float]]


class SentenceSimilarity:
    def __init__(self, embedder: Embedder, cache_size: int = 20_000) -> None:
        self.embedder = embedder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def prime(self, vectors: dict[str, np.ndarray]) -> None:
        """Add sentence vectors computed elsewhere (the ones ingest stored, index.engine.Index.sentence_vectors)."""
        with self._lock:
            for t, v in vectors.items():
                self._cache[t] = v
                self._cache.move_to_end(t)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def __call__(self, question: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        q = self.embedder.embed_query(question)
        with self._lock:
            new = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if new:
            vecs = self.embedder.embed_passages(new)
            with self._lock:
                for t, v in zip(new, vecs, strict=True):
                    self._cache[t] = v
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            return [float(self._cache[t] @ q) if t in self._cache else 0.0 for t in texts]


class TermWeights:
    """IDF of question terms in the lexical index: rare words decide whether a text is about the question."""

    def __init__(self, catalog: Catalog, terms: Sequence[str]) -> None:
        self.known = catalog.vocabulary().__contains__
        df, n = _doc_freqs(catalog, terms)
        self.weights = {t: math.log((n + 1) / (df.get(t, 0) + 0.5)) for t in terms}

    def coverage(self, terms: Sequence[str], text_terms: set[str], boost: set[str] | None = None) -> float:
        """Weighted share of `terms` present in `text_terms` (compounds count when all their parts are there).

        Terms in `boost` weigh double: the user's own words in a follow-up count more than the carried context.
        """
        total = found = 0.0
        for t in terms:
            w = self.weights.get(t, 1.0) * (2.0 if boost and t in boost else 1.0)
            total += w
            if self.present(t, text_terms):
                found += w
        return found / total if total else 0.0

    def in_corpus(self, t: str) -> bool:
        """The corpus has the word, or every part of it as a compound ("solcellssatsningen": solcell + satsning)."""
        return self.known(t) or bool(split_compound(t, self.known))

    def present(self, t: str, text_terms: set[str]) -> bool:
        if t in text_terms:
            return True
        parts = split_compound(t, self.known)
        return bool(parts) and all(p in text_terms for p in parts)


def _doc_freqs(catalog: Catalog, terms: Sequence[str]) -> tuple[dict[str, int], int]:
    return catalog.doc_freqs(list(terms)), max(1, catalog.count_chunks())


def terms_of(text: str) -> set[str]:
    return set(content_terms(text))
