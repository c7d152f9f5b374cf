"""Chunks → embeddings, a Chroma vector store, a Swedish lexical index, and hybrid search. Imports ingest only."""
