"""LangChain adapters so styrdok's embeddings and search plug into any chain."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from index.embedder import Embedder


class StyrdokEmbeddings(Embeddings):
    """A LangChain `Embeddings` over styrdok's embedder, with the model's query/passage prefixes applied."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
