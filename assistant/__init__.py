"""Conversation, retrieval for answering, grounded answers with verified citations. Imports index and ingest."""
