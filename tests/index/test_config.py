"""Settings read from the environment: the thread counts for queries and for a batch ingest."""

from __future__ import annotations

import os

import pytest

from index.config import Settings


def test_ingest_uses_every_core_unless_told(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("STYRDOK_INGEST_THREADS", raising=False)
    monkeypatch.delenv("STYRDOK_THREADS", raising=False)
    s = Settings.from_env()
    assert s.threads == 1  # queries share the machine with other users' queries
    assert s.for_ingest().threads == (os.cpu_count() or 1)
    assert s.for_ingest().home == s.home and s.threads == 1  # a copy; the original is unchanged
    monkeypatch.setenv("STYRDOK_INGEST_THREADS", "3")
    assert Settings.from_env().for_ingest().threads == 3
