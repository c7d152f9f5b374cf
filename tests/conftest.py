"""Shared fixtures: the real embedding model (converted once per session), real Chroma, the sample corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from netutil import free_port, wait_for_port

# The suite must never reach the network: a hidden download fails instead of silently passing.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

ROOT = Path(__file__).resolve().parent.parent
EXEMPEL = ROOT / "data" / "exempel"
QUESTIONS = ROOT / "eval" / "sets" / "exempel.jsonl"
TEST_OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the built-in model is converted, once per test session (STYRDOK_TEST_MODEL_CACHE reuses one)."""
    reuse = os.environ.get("STYRDOK_TEST_MODEL_CACHE")
    return Path(reuse) if reuse else tmp_path_factory.mktemp("models")


@pytest.fixture(scope="session")
def embedder(model_cache: Path):
    from index.config import Settings
    from index.embedder import Embedder

    e = Embedder(Settings(home=model_cache.parent, model_cache=model_cache))
    _ = e.dim  # load (and convert) now, so the first test's timing is not odd
    return e


@pytest.fixture
def settings(tmp_path: Path, model_cache: Path):
    from index.config import Settings

    return Settings(home=tmp_path / "home", model_cache=model_cache)


@pytest.fixture
def make_index(embedder, settings):
    """Build an Index over a fresh home; closes what it opened."""
    from index.engine import Index

    made = []

    def _make(s=None, **kw):
        idx = Index(s or settings, embedder=embedder, **kw)
        made.append(idx)
        return idx

    yield _make
    for idx in made:
        idx.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus."""
    dst = tmp_path / "exempel"
    shutil.copytree(EXEMPEL, dst)
    return dst


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, embedder, model_cache: Path):
    """The sample corpus ingested once per session (read-only for tests)."""
    from index.config import Settings
    from index.engine import Index

    s = Settings(home=tmp_path_factory.mktemp("sample-home"), model_cache=model_cache)
    idx = Index(s, embedder=embedder)
    results = idx.ingest([EXEMPEL])
    assert all(r.status == "ingested" for r in results), results
    yield idx
    idx.close()


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real `chroma run` server on a free loopback port; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
