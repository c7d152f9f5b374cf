"""The catalog: one SQLite file holding documents, chunk texts, the Swedish BM25 index (FTS5) and a write journal.

SQLite is the source of truth. Chroma holds vectors keyed by chunk id; a vector whose chunk is not in the catalog is
ignored by search and removed by the next ingest (see `Journal`), so a crash between the two stores never shows a
half-replaced document. The catalog also keeps a copy of each chunk's vectors (`vectors`, keyed by the chunk's row id,
swapped in the same transaction as the chunk): search scans it for a small index without opening Chroma
(index/exact.py).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.analyzer_sv import analyze, stem, words
from ingest.model import DOC_TYPES, Chunk

if TYPE_CHECKING:
    from ingest.pipeline import PreparedDoc

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
  doc_id TEXT PRIMARY KEY, source TEXT NOT NULL UNIQUE, file_sha TEXT NOT NULL, title TEXT NOT NULL,
  doc_type TEXT NOT NULL, date TEXT NOT NULL, year INTEGER NOT NULL, organ TEXT NOT NULL,
  n_chunks INTEGER NOT NULL, size INTEGER NOT NULL, mtime REAL NOT NULL, ingested_at REAL NOT NULL,
  publisher TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL UNIQUE, doc_id TEXT NOT NULL REFERENCES documents(doc_id),
  text TEXT NOT NULL, meta TEXT NOT NULL, n_sentences INTEGER);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id);
CREATE INDEX IF NOT EXISTS documents_ingested ON documents(ingested_at);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_vocab USING fts5vocab(chunks_fts, row);
CREATE TABLE IF NOT EXISTS journal (doc_id TEXT PRIMARY KEY, new_ids TEXT NOT NULL, old_ids TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vectors (id INTEGER PRIMARY KEY, chunk BLOB NOT NULL, sentences BLOB NOT NULL);
"""


@dataclass
class DocRecord:
    doc_id: str
    source: str
    file_sha: str
    title: str
    doc_type: str
    date: str
    year: int
    organ: str
    n_chunks: int
    size: int = 0
    mtime: float = 0.0
    ingested_at: float = 0.0
    publisher: str = ""  # last: catalogs from before it got the column appended

    @classmethod
    def from_prepared(cls, doc: PreparedDoc) -> DocRecord:
        """The catalog row of a document ingest prepared (metadata it could not find gets its neutral value)."""
        m = doc.meta
        return cls(
            doc.doc_id, doc.source, doc.file_sha, m.get("title") or doc.path.stem, m.get("doc_type") or "övrigt",
            m.get("date") or "", int(m.get("year") or 0), m.get("organ") or "", len(doc.chunks), doc.size, doc.mtime,
            publisher=m.get("publisher") or "",
        )  # fmt: skip


@dataclass(frozen=True)
class FilterField:
    """One filter as people meet it: on the command line, on the web page and in messages. `name` is the Filters
    field, the `documents` column and the vector metadata key alike."""

    name: str
    word: str  # in messages: "typ 'x'"
    plural: str  # "Dokumenttyper i indexet: …"
    options: tuple[str, ...]  # command-line options
    help: str  # their help text
    label: str = ""  # the web page's dropdown; "" when the filter is not offered there
    slug: str = ""  # the dropdown's element id after the tab's: sok-<slug>, fraga-<slug>
    any_label: str = ""  # the dropdown's "no filter" choice
    choices: tuple[str, ...] | None = None  # a fixed list; None: the values the indexed documents have
    kind: type = str
    bounds: tuple[int, int] | None = None  # for a number: the range the command line accepts, and what it is
    what: str = ""

    def parse(self, value: str | int | None) -> str | int | None:
        """A value as given (a dropdown's string, a typed option) → the field's value; empty → no filter."""
        return self.kind(value) if value not in (None, "") else None

    def present(self, docs: Iterable[DocRecord]) -> list:
        """The values the documents have, as a list to choose from (numbers newest first, text alphabetically)."""
        return sorted({v for d in docs if (v := getattr(d, self.name))}, reverse=self.kind is int)


def _filter(**spec: object) -> Any:  # noqa: ANN401 - a dataclass field
    return field(default=None, metadata={"filter": spec})


@dataclass(frozen=True)
class Filters:
    """What a search may be limited to, declared once. Each field is a column of `documents` and a key of the vector
    metadata under the same name, so the SQL, the Chroma `where` and the cache key are derived from the fields, and
    the command-line options and the web page's dropdowns from `table()`: a filter on another existing column is a
    new field here and nothing else."""

    doc_type: str | None = _filter(
        word="typ", plural="dokumenttyper", options=("--type",), help="Dokumenttyp: " + ", ".join(DOC_TYPES) + ".",
        label="Dokumenttyp", slug="typ", any_label="Alla typer", choices=DOC_TYPES,
    )  # fmt: skip
    year: int | None = _filter(
        word="år", plural="år", options=("--year",), help="Bara dokument från detta år.", label="År", slug="ar",
        any_label="Alla år", kind=int, bounds=(1000, 9999), what="ett årtal",
    )  # fmt: skip
    organ: str | None = _filter(
        word="organ", plural="organ", options=("--organ",), help="Bara dokument från denna nämnd/styrelse."
    )
    publisher: str | None = _filter(
        word="utgivare", plural="utgivare", options=("--publisher", "--utgivare"),
        help="Bara dokument från denna utgivare, t.ex. Regeringen.", label="Utgivare", slug="utgivare",
        any_label="Alla utgivare",
    )  # fmt: skip

    @staticmethod
    def table() -> list[FilterField]:
        """Every filter, in the order the command line and the web page show them."""
        return [FilterField(name=f.name, **f.metadata["filter"]) for f in fields(Filters)]

    @classmethod
    def parse(cls, values: Mapping[str, str | int | None]) -> Filters:
        """Filters from raw values by field name (missing or empty: not filtered)."""
        return cls(**{f.name: f.parse(values.get(f.name)) for f in cls.table()})

    def items(self) -> list[tuple[str, str | int]]:
        """(field, value) of the filters that are set."""
        return [(f.name, v) for f in fields(self) if (v := getattr(self, f.name))]

    def is_empty(self) -> bool:
        return not self.items()

    def key(self) -> tuple:
        return tuple(getattr(self, f.name) for f in fields(self))


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection per thread: the web app searches from worker threads while an upload writes, and a
        # shared connection would let readers see (and trip over) the writer's open transaction. WAL lets the
        # readers go on against the last committed state.
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self.db.executescript(SCHEMA)
        if "n_sentences" not in {r[1] for r in self.db.execute("PRAGMA table_info(chunks)")}:
            # Catalogs from before filtered search by id: NULL means "not known", filled in by the next ingest.
            self.db.execute("ALTER TABLE chunks ADD COLUMN n_sentences INTEGER")
        # The index's vector count (`vector_total`, asked at every document write) from a small index, not a scan of
        # the chunk texts: ~0.5 ms instead of ~6 ms at 6k chunks (here, not in SCHEMA: the column may be new).
        self.db.execute("CREATE INDEX IF NOT EXISTS chunks_sentences ON chunks(n_sentences)")
        if "publisher" not in {r[1] for r in self.db.execute("PRAGMA table_info(documents)")}:
            # Catalogs from before the publisher field: empty until the document is ingested again.
            self.db.execute("ALTER TABLE documents ADD COLUMN publisher TEXT NOT NULL DEFAULT ''")
        self._vocab: set[str] | None = None

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # --- settings stored with the index -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def state(self) -> tuple:
        """Changes whenever a document is added, replaced or removed (also by another process). Asked at every
        search: two index look-ups, ~0.01 ms at 10.7k documents, where one aggregate query scanned the table (~3.9 ms)."""
        return tuple(
            self.db.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT max(ingested_at) FROM documents)"
            ).fetchone()
        )

    def clear(self) -> None:
        """Every document, the journal and the recorded model gone (a rebuild; the caller drops the vector store)."""
        for d in self.documents():
            self.remove_document(d.doc_id)
        self.db.execute("DELETE FROM journal")
        self.db.execute("DELETE FROM meta WHERE key='model'")

    # --- documents -----------------------------------------------------------------------------------------------
    def document_by_source(self, source: str) -> DocRecord | None:
        row = self.db.execute("SELECT * FROM documents WHERE source=?", (source,)).fetchone()
        return DocRecord(*row) if row else None

    def document_by_sha(self, file_sha: str) -> DocRecord | None:
        row = self.db.execute("SELECT * FROM documents WHERE file_sha=?", (file_sha,)).fetchone()
        return DocRecord(*row) if row else None

    def document(self, doc_id: str) -> DocRecord | None:
        row = self.db.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return DocRecord(*row) if row else None

    def documents(self) -> list[DocRecord]:
        rows = self.db.execute("SELECT * FROM documents ORDER BY date DESC, title").fetchall()
        return [DocRecord(*r) for r in rows]

    def chunk_ids(self, doc_id: str) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE doc_id=? ORDER BY id", (doc_id,))]

    def all_chunk_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")]

    def focus_areas(self) -> set[str]:
        """The focus areas (Fokusområde) any chunk belongs to."""
        q = "SELECT DISTINCT json_extract(meta, '$.focus_area') FROM chunks"
        return {r[0] for r in self.db.execute(q) if r[0]}

    def count_chunks(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def replace_document(
        self,
        doc: DocRecord,
        chunks: list[Chunk],
        old_doc_id: str | None,
        n_sentences: list[int] | None = None,
        vectors: list[tuple[bytes, bytes]] | None = None,
        drop_copy: bool = False,
    ) -> None:
        """Swap a document's chunks in one transaction: readers see the old version or the new, never a mix.
        `n_sentences[i]`: how many sentence vectors chunk i has in the vector store (index/vectors.py);
        `vectors[i]`: chunk i's vector and its sentence vectors, float32 bytes (the copy index/exact.py scans);
        `drop_copy`: this write takes the index past what exact search scans, so the whole copy goes with it."""
        counts = n_sentences if n_sentences is not None else [None] * len(chunks)
        vecs = vectors if vectors is not None else [None] * len(chunks)
        vocab = self.vocabulary()
        new_terms = {t for c in chunks for t in analyze(c.text)}
        known = vocab.__contains__ if not new_terms else (lambda t: t in vocab or t in new_terms)
        with self.transaction() as db:
            if old_doc_id:
                self._delete_rows(db, old_doc_id)
            if drop_copy:
                db.execute("DELETE FROM vectors")
            db.execute(
                "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (doc.doc_id, doc.source, doc.file_sha, doc.title, doc.doc_type, doc.date, doc.year, doc.organ,
                 len(chunks), doc.size, doc.mtime, time.time(), doc.publisher),
            )  # fmt: skip
            for c, n, v in zip(chunks, counts, vecs, strict=True):
                cur = db.execute(
                    "INSERT INTO chunks(chunk_id, doc_id, text, meta, n_sentences) VALUES (?,?,?,?,?)",
                    (c.chunk_id, doc.doc_id, c.text, json.dumps(c.meta.to_dict(), ensure_ascii=False), n),
                )
                # Title and section are searchable too: a goal's name often only stands in its heading.
                terms = analyze(f"{c.meta.title}\n{c.meta.section}\n{c.text}", known=known)
                db.execute("INSERT INTO chunks_fts(rowid, terms) VALUES (?, ?)", (cur.lastrowid, " ".join(terms)))
                if v is not None:
                    db.execute("INSERT INTO vectors(id, chunk, sentences) VALUES (?,?,?)", (cur.lastrowid, *v))
        vocab.update(new_terms)

    def remove_document(self, doc_id: str) -> list[str]:
        ids = self.chunk_ids(doc_id)
        with self.transaction() as db:
            self._delete_rows(db, doc_id)
        return ids

    @staticmethod
    def _delete_rows(db: sqlite3.Connection, doc_id: str) -> None:
        db.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE doc_id=?)", (doc_id,))
        db.execute("DELETE FROM vectors WHERE id IN (SELECT id FROM chunks WHERE doc_id=?)", (doc_id,))
        db.execute("DELETE FROM chunks WHERE doc_id=?", (doc_id,))
        db.execute("DELETE FROM documents WHERE doc_id=?", (doc_id,))

    # --- chunk look-up -------------------------------------------------------------------------------------------
    def chunks_by_id(self, chunk_ids: Iterable[str]) -> dict[str, tuple[str, dict]]:
        return {cid: (text, json.loads(meta)) for cid, (_, text, meta) in self.chunk_rows(chunk_ids).items()}

    def chunk_rows(self, chunk_ids: Iterable[str]) -> dict[str, tuple[str, str, str]]:
        """Chunk id → (document id, text, metadata as stored JSON): search parses the metadata of the hits only."""
        ids = list(chunk_ids)
        out: dict[str, tuple[str, str, str]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT chunk_id, doc_id, text, meta FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})"
            out.update((cid, (doc, text, meta)) for cid, doc, text, meta in self.db.execute(q, part))
        return out

    def chunk_ids_where(self, filters: Filters) -> list[tuple[str, int | None]]:
        """(chunk id, number of sentence vectors) of every chunk whose document passes `filters`; the number is
        None for chunks written by a version that did not record it."""
        sql = "SELECT c.chunk_id, c.n_sentences FROM documents d JOIN chunks c ON c.doc_id = d.doc_id WHERE 1"
        sql, args = _where(sql, [], filters)
        return [(c, n) for c, n in self.db.execute(sql, args)]

    def sentence_sources(self, chunk_ids: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        """Text and number of sentence vectors (None: not recorded) of each chunk."""
        ids = list(chunk_ids)
        out: dict[str, tuple[str, int | None]] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT chunk_id, text, n_sentences FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})"
            out.update((cid, (text, n)) for cid, text, n in self.db.execute(q, part))
        return out

    def chunks_without_sentence_counts(self) -> list[str]:
        """Chunks written by a version that did not record their number of sentence vectors."""
        return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE n_sentences IS NULL")]

    def set_sentence_counts(self, counts: dict[str, int]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE chunks SET n_sentences=? WHERE chunk_id=?", [(n, c) for c, n in counts.items()])

    # --- the copy of the vectors (index/exact.py) -------------------------------------------------------------------
    def vector_counts(self) -> tuple[int, int, int]:
        """(chunks, chunks whose vectors are copied here, bytes of the copied vectors): the copy is usable when the
        first two are equal (a catalog from before the copy has fewer until the next ingest fills it in)."""
        n, copied, size = self.db.execute(
            "SELECT (SELECT count(*) FROM chunks), (SELECT count(*) FROM vectors), "
            "(SELECT coalesce(sum(length(chunk) + length(sentences)), 0) FROM vectors)"
        ).fetchone()
        return int(n), int(copied), int(size)

    def vector_total(self, doc_id: str | None = None) -> int:
        """Vectors (chunks + sentences) of the index, or of one document, as recorded with the chunks."""
        q = "SELECT count(*) + coalesce(sum(n_sentences), 0) FROM chunks"
        return int(self.db.execute(q + " WHERE doc_id=?" if doc_id else q, (doc_id,) if doc_id else ()).fetchone()[0])

    def drop_vectors(self) -> int:
        """Delete the whole copy (the index outgrew exact search); how many chunks had theirs copied."""
        return int(self.db.execute("DELETE FROM vectors").rowcount)

    def all_vectors(self) -> list[tuple[str, bytes, bytes]]:
        """(chunk id, chunk vector, sentence vectors) of every chunk whose vectors are copied here, in one read."""
        q = "SELECT c.chunk_id, v.chunk, v.sentences FROM chunks c JOIN vectors v ON v.id = c.id ORDER BY c.id"
        return self.db.execute(q).fetchall()

    def chunks_without_vectors(self) -> list[tuple[str, int | None]]:
        """(chunk id, sentence count) of chunks whose vectors are not copied here."""
        q = "SELECT chunk_id, n_sentences FROM chunks WHERE id NOT IN (SELECT id FROM vectors)"
        return self.db.execute(q).fetchall()

    def set_vectors(self, vectors: dict[str, tuple[bytes, bytes]]) -> None:
        """Copy vectors of existing chunks in (a catalog written before the copy existed)."""
        with self.transaction() as db:
            for cid, (chunk, sentences) in vectors.items():
                db.execute(
                    "INSERT OR REPLACE INTO vectors(id, chunk, sentences) SELECT id, ?, ? FROM chunks WHERE chunk_id=?",
                    (chunk, sentences, cid),
                )

    def neighbours(self, doc_id: str, chunk_index: int, span: int = 1) -> list[tuple[str, str, dict]]:
        """Chunks of one document around `chunk_index`, in order (used to merge adjacent passages)."""
        rows = self.db.execute("SELECT chunk_id, text, meta FROM chunks WHERE doc_id=? ORDER BY id", (doc_id,))
        out = []
        for cid, text, meta in rows:
            m = json.loads(meta)
            if abs(m.get("chunk_index", 0) - chunk_index) <= span:
                out.append((cid, text, m))
        return out

    # --- lexical search ------------------------------------------------------------------------------------------
    def forget_vocabulary(self) -> None:
        """Read the vocabulary again on next use (another process may have added terms)."""
        self._vocab = None

    def vocabulary(self) -> set[str]:
        if self._vocab is None:
            self._vocab = {r[0] for r in self.db.execute("SELECT term FROM fts_vocab")}
        return self._vocab

    def _query_freqs(self, query: str) -> dict[str, int]:
        """The query's terms (compound parts the index knows added for unknown words), each with its chunk count."""
        terms = analyze(query)
        df = self.doc_freqs(terms)
        unknown = [w for w in words(query) if stem(w) not in df]
        out = {t: df.get(t, 0) for t in terms}
        if unknown:
            vocab = self.vocabulary()
            extra = [t for t in analyze(" ".join(unknown), known=vocab.__contains__) if t not in out]
            if extra:
                extra_df = self.doc_freqs(extra)
                out.update((t, extra_df.get(t, 0)) for t in extra)
        return out

    def doc_freqs(self, terms: list[str]) -> dict[str, int]:
        """How many chunks contain each term (terms the index has never seen are left out)."""
        unique = list(dict.fromkeys(terms))
        if not unique:
            return {}
        q = f"SELECT term, doc FROM fts_vocab WHERE term IN ({','.join('?' * len(unique))})"
        return {t: int(d) for t, d in self.db.execute(q, unique)}

    def lexical_search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[str, float]]:
        """(chunk_id, BM25 score) best first; score is positive, higher is better."""
        df = self._query_freqs(query)
        terms = list(df)
        if not terms:
            return []
        # Terms in over half of the chunks ("mål", "kommun" in a goal corpus) carry almost no BM25 weight but make
        # FTS5 score most of the index; leave them out unless nothing else is left (top-10 overlap 0.97 at 100k).
        half = self.count_chunks() / 2
        terms = [t for t in terms if df.get(t, 0) <= half] or [min(terms, key=lambda t: df.get(t, 0))]
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        if filters is None or filters.is_empty():
            # Rank inside FTS5 first and join only the top k: joining every match before ranking cost ~10× at 100k
            # chunks, where a question's terms match most chunks (bench/results, scale section).
            ranked = self.db.execute(
                "SELECT rowid, -bm25(chunks_fts) FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?",
                (match, k),
            ).fetchall()
            if not ranked:
                return []
            q = f"SELECT id, chunk_id FROM chunks WHERE id IN ({','.join('?' * len(ranked))})"
            ids = dict(self.db.execute(q, [r for r, _ in ranked]))
            return [(ids[r], float(s)) for r, s in ranked if r in ids]
        sql = (
            "SELECT c.chunk_id, -bm25(chunks_fts) AS s FROM chunks_fts "
            "JOIN chunks c ON c.id = chunks_fts.rowid JOIN documents d ON d.doc_id = c.doc_id "
            "WHERE chunks_fts MATCH ?"
        )
        args: list = [match]
        sql, args = _where(sql, args, filters)
        sql += " ORDER BY s DESC LIMIT ?"
        args.append(k)
        return [(cid, float(s)) for cid, s in self.db.execute(sql, args)]

    def compact_words(self) -> None:
        """Merge the word index's segments into one. Every write adds a segment and a search reads them all: merged,
        a 100k-chunk word search took ~25 % less time (0.4 s to merge; bench/results, scale section)."""
        self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('optimize')")

    # --- write journal (crash safety) ----------------------------------------------------------------------------
    def journal_add(self, doc_id: str, new_ids: list[str], old_ids: list[str]) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO journal VALUES (?,?,?)", (doc_id, json.dumps(new_ids), json.dumps(old_ids))
        )

    def journal_entries(self) -> list[tuple[str, list[str], list[str]]]:
        rows = self.db.execute("SELECT doc_id, new_ids, old_ids FROM journal").fetchall()
        return [(d, json.loads(n), json.loads(o)) for d, n, o in rows]

    def journal_clear(self, doc_id: str) -> None:
        self.db.execute("DELETE FROM journal WHERE doc_id=?", (doc_id,))


def _where(sql: str, args: list, filters: Filters | None) -> tuple[str, list]:
    if filters is None:
        return sql, args
    for name, value in filters.items():
        sql += f" AND d.{name} = ?"  # a Filters field name, never user text
        args.append(value)
    return sql, args
