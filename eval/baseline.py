"""What a user would otherwise build: LangChain's RecursiveCharacterTextSplitter (1000/200) + Chroma + the same
embedding model through HuggingFaceEmbeddings (with e5's prompts), dense only; the answer is the top passage.

Text extraction is styrdok's own loaders (so both sides see the same characters); everything after that is stock
LangChain. Used by `styrdok eval --baseline` and by the ingest benchmark.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingest.loaders import SUPPORTED_SUFFIXES, load
from ingest.model import LoadError


@dataclass
class BaselineHit:
    source_name: str
    text: str
    score: float
    goal: int = 0


def document_text(path: Path) -> str:
    return "\n\n".join(b.text for b in load(path).blocks)


class Baseline:
    def __init__(self, model_folder: str, persist_dir: Path | None = None) -> None:
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        self.splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.embeddings = HuggingFaceEmbeddings(
            model_name=model_folder,
            model_kwargs={"device": "cpu"},
            encode_kwargs={"prompt_name": "passage", "normalize_embeddings": True},
            query_encode_kwargs={"prompt_name": "query", "normalize_embeddings": True},
        )
        self._tmp = None if persist_dir else tempfile.TemporaryDirectory(prefix="styrdok-baseline-")
        self.store = Chroma(
            collection_name="baseline",
            embedding_function=self.embeddings,
            persist_directory=str(persist_dir or self._tmp.name),
            collection_metadata={"hnsw:space": "cosine"},
        )

    def ingest(self, folder: Path) -> int:
        """Index every readable file under `folder`; returns the number of chunks."""
        return self.ingest_files(
            [f for f in sorted(folder.rglob("*")) if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES]
        )

    def ingest_files(self, files: list[Path], name: Callable[[Path], str] = lambda f: f.name) -> int:
        """Index the readable ones of `files`, each hit named by `name(file)`; returns the number of chunks."""
        from langchain_core.documents import Document

        docs = []
        for f in files:
            try:
                docs.append(Document(page_content=document_text(f), metadata={"source": name(f)}))
            except LoadError:
                continue
        chunks = self.splitter.split_documents(docs)
        if chunks:
            self.store.add_documents(chunks)
        return len(chunks)

    def search(self, query: str, k: int = 10) -> list[BaselineHit]:
        res = self.store.similarity_search_with_relevance_scores(query, k=k)
        return [BaselineHit(d.metadata["source"], d.page_content, float(s)) for d, s in res]

    def ask(self, query: str) -> dict:
        """Answer = the top passage, cited; never refuses (a plain pipeline has no refusal)."""
        hits = self.search(query, k=1)
        if not hits:
            return {"question": query, "answer": "", "refused": True, "citations": []}
        h = hits[0]
        cite = {"n": 1, "text": h.text, "source": h.source_name, "quote": h.text}
        return {"question": query, "answer": f"{h.text} [1]", "refused": False, "citations": [cite]}
