"""What the index's writer and searcher share: the settings, the catalog, the embedder and the vector store, opened
once and kept current with what other processes write."""

from __future__ import annotations

import logging
import threading

from index.catalog import Catalog
from index.config import Settings, configure_logging
from index.embedder import Embedder
from index.exact import EXACT_MAX_VECTORS, ExactVectors
from index.store import ModelMismatchError, VectorStore

log = logging.getLogger("styrdok.index")


class Stores:
    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        configure_logging(settings.home)
        self.catalog = Catalog(settings.catalog_path)
        self.embedder = embedder or Embedder(settings)
        self._sentence_embedder = None  # see sentence_embedder
        self._store: VectorStore | None = None
        self._focus_areas: set[str] | None = None
        self._open_lock = threading.Lock()
        self._seen_state: tuple | None = None  # the catalog state the caches were last read at (see fresh)
        self._store_state: tuple | None = None  # the catalog state the open vector store has seen
        self._exact: tuple[tuple, ExactVectors | None] | None = None  # (catalog state, the copy or None)
        self.exact_max_vectors = EXACT_MAX_VECTORS  # 0: always Chroma (tests compare the two)

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            with self._open_lock:  # two first requests at once must not open Chroma twice
                return self._open_store()
        return self._store

    def _open_store(self) -> VectorStore:
        if self._store is None:
            model_id, dim = self.embedder.model_id, self.embedder.dim
            self._check_model(model_id, dim)
            store = VectorStore(
                path=self.settings.chroma_dir, url=self.settings.chroma_url, collection=self.settings.collection
            )
            store.open(model_id, dim)
            self.catalog.set_meta("model", f"{model_id}|{dim}")
            self.catalog.set_meta("sentence_space", self.sentence_space)
            self._store_state = self.catalog_state()
            self._store = store
        return self._store

    def _check_model(self, model_id: str, dim: int) -> None:
        recorded = self.catalog.get_meta("model")
        if recorded and recorded != f"{model_id}|{dim}":
            rec_model, _, rec_dim = recorded.rpartition("|")
            raise ModelMismatchError(
                f"Indexet byggdes med modellen {rec_model} ({rec_dim} dimensioner), men inställningen anger "
                f"{model_id} ({dim} dimensioner). Bygg om indexet med `styrdok ingest --rebuild <mappar>`, "
                "eller välj samma modell som förut (STYRDOK_MODEL)."
            )
        if recorded and (self.catalog.get_meta("sentence_space") or "") != self.sentence_space:
            raise ModelMismatchError(
                "Indexets meningsvektorer byggdes med en annan inställning (STYRDOK_SENTENCE_BACKEND) än den som "
                "gäller nu. Bygg om indexet med `styrdok ingest --rebuild <mappar>`, eller välj samma som förut."
            )

    def exact(self) -> ExactVectors | None:
        """The catalog's copy of the vectors when search may scan it instead of querying Chroma (index/exact.py):
        an embedded store of e5 sentence vectors whose every chunk has its copy, at most EXACT_MAX_VECTORS vectors.
        Read once per catalog state, so another process's committed write is seen by the next search, like `fresh`."""
        if not self._copy_fits_here():
            return None
        state = self.catalog_state()
        cached = self._exact
        if cached is not None and cached[0] == state:
            return cached[1]
        model_id, dim = self.embedder.model_id, self.embedder.dim
        with self._open_lock:
            n, copied, size = self.catalog.vector_counts()
            exact = None
            if n == copied and size <= self.exact_max_vectors * 4 * dim:
                self._check_model(model_id, dim)
                rows = self.catalog.all_vectors()
                if all(len(c) == 4 * dim for _, c, _ in rows):
                    exact = ExactVectors(rows, dim)
            self._exact = (state, exact)
        return exact

    def keeps_copy(self, extra: int = 0) -> bool:
        """Whether the catalog's copy of the vectors is worth keeping after a write that adds `extra` vectors (chunks +
        sentences; negative when it removes more): only where `exact` can use it. Past EXACT_MAX_VECTORS the copy of
        a 100k-chunk index was ~800 MB of catalog that no search read."""
        return self._copy_fits_here() and self.catalog.vector_total() + extra <= self.exact_max_vectors

    def _copy_fits_here(self) -> bool:
        # A Chroma server serves its own vectors, and static sentence vectors live in another space and size.
        return not (self.settings.chroma_url or self.exact_max_vectors <= 0 or self.sentence_space)

    @property
    def sentence_space(self) -> str:
        """Empty when sentence vectors share the chunk vectors' space (any e5 backend), else the static model's name."""
        return "static" if self.settings.sentence_backend == "static" else ""

    @property
    def sentence_embedder(self):  # noqa: ANN201 - Embedder or index.static_backend.StaticEmbedder
        """What embeds sentences (settings.sentence_backend; the chunk embedder by default). Loaded on first use:
        a reader needs it only for static sentence vectors (the question's static vector)."""
        if not self.settings.sentence_backend:
            return self.embedder
        if self._sentence_embedder is None:
            with self._open_lock:
                if self._sentence_embedder is None:
                    self._sentence_embedder = self._load_sentence_embedder()
        return self._sentence_embedder

    def _load_sentence_embedder(self):  # noqa: ANN202
        from dataclasses import replace

        backend = self.settings.sentence_backend
        if backend != "static":
            return Embedder(replace(self.settings, embed_backend=backend, sentence_backend=""))
        from pathlib import Path

        from index.onnx_backend import ensure_export
        from index.static_backend import StaticEmbedder

        source = Path(self.embedder.model_path())
        onnx = ensure_export(source, self.settings.models_dir, "onnx")
        return StaticEmbedder(source, onnx, self.settings.models_dir)

    def fresh(self) -> None:
        """Make this process see what another process's committed ingest or removal changed (issue 15).

        A long-lived reader (the web app, a LangChain retriever) kept the vector index it loaded first, so new
        chunks had word scores but no dense scores and fusion dropped them. The catalog's change marker
        (`catalog_state`, one indexed SQL query per search) tells when anything was written; the vector store is
        then reopened, which reloads its index from disk, and the word caches are dropped. A process's own writes
        leave its store current: the writer's `_write` and `_remove` record that (`written`).
        """
        state = self.catalog_state()
        if state == self._seen_state:
            return
        with self._open_lock:
            self._seen_state = state
            self._focus_areas = None
            self.catalog.forget_vocabulary()
            if self._store is not None and state != self._store_state:
                log.info("index changed by another process; reopening the vector store")
                store = self._store.reopened()
                store.open(self.embedder.model_id, self.embedder.dim)
                self._store, self._store_state = store, state

    def written(self) -> None:
        """This process has just written: its open store has the new vectors (no reopening for them), and the
        focus areas are read again (and the copy of the vectors, which a write may have completed)."""
        self._focus_areas = None
        self._exact = None
        self._store_state = self.catalog_state()

    def drop_vectors(self) -> None:
        """Empty the vector store, whatever model built it (so no model check here)."""
        VectorStore(
            path=self.settings.chroma_dir, url=self.settings.chroma_url, collection=self.settings.collection
        ).drop()
        self._store = None

    def close(self) -> None:
        self.catalog.close()

    def catalog_state(self) -> tuple:
        """Changes whenever a document is added, replaced or removed (also by another process)."""
        return self.catalog.state()

    def check(self) -> dict[str, list[str]]:
        """Ids in one store but not the other (both lists empty when consistent)."""
        in_store = set(self.store.all_ids()) | self.store.sentence_parents()
        in_catalog = set(self.catalog.all_chunk_ids())
        return {"only_in_vectors": sorted(in_store - in_catalog), "only_in_catalog": sorted(in_catalog - in_store)}

    def focus_areas(self) -> set[str]:
        if self._focus_areas is None:
            self._focus_areas = self.catalog.focus_areas()
        return self._focus_areas


class UsesStores:
    """The writer's and the searcher's view of the shared stores, under the names the code always used."""

    stores: Stores

    @property
    def settings(self) -> Settings:
        return self.stores.settings

    @property
    def catalog(self) -> Catalog:
        return self.stores.catalog

    @property
    def embedder(self) -> Embedder:
        return self.stores.embedder

    @property
    def store(self) -> VectorStore:
        return self.stores.store

    @property
    def sentence_embedder(self):  # noqa: ANN201 - see Stores.sentence_embedder
        return self.stores.sentence_embedder

    def _fresh(self) -> None:
        self.stores.fresh()

    def _catalog_state(self) -> tuple:
        return self.stores.catalog_state()
