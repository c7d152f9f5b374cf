"""styrdok's embeddings as a LangChain `Embeddings`, plugged into LangChain's own Chroma wrapper."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("langchain_chroma")  # an optional dependency: skip, not an error at collection

pytestmark = pytest.mark.slow


def test_embeddings_plug_into_langchain_chroma(embedder, tmp_path: Path):
    from langchain_chroma import Chroma
    from langchain_core.documents import Document

    from index.langchain import StyrdokEmbeddings

    emb = StyrdokEmbeddings(embedder)
    store = Chroma(collection_name="lc-test", embedding_function=emb, persist_directory=str(tmp_path / "lc"))
    store.add_documents(
        [
            Document(page_content="Lunds kommun ska vara ledande inom miljö och klimat.", metadata={"goal": 5}),
            Document(page_content="Lunds kommun ska ha en långsiktigt hållbar ekonomi.", metadata={"goal": 9}),
        ]
    )
    top = store.similarity_search("Vad gör kommunen för klimatet?", k=1)[0]
    assert top.metadata["goal"] == 5
    # The query prefix is applied: the same text as query and as passage gives different vectors.
    q, p = emb.embed_query("klimat"), emb.embed_documents(["klimat"])[0]
    assert len(q) == len(p) == 384 and q != p
