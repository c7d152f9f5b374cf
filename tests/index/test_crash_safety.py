"""SIGKILL an ingest (a real subprocess) at every write step and at random moments: the catalog never shows a
half-replaced document, every catalog chunk has its vector, and the next ingest converges to the same state as an
uninterrupted run."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

DOCS = ["lunds-kommun-mal-2019-sammanfattning.md", "pressmeddelande-solceller-2025.md",
        "kommunstyrelsen-protokollsutdrag-2025.txt"]  # fmt: skip
STEP_KILLS = ["journal:1", "vectors:1", "vectors:2", "catalog:1", "catalog:3", "stale:2"]


def make_corpus(root: Path, src: Path) -> Path:
    root.mkdir()
    for name in DOCS:
        shutil.copy(src / name, root / name)
    return root


def edit_all(root: Path) -> None:
    for i, f in enumerate(sorted(root.iterdir())):
        f.write_text(
            f.read_text(encoding="utf-8") + f"\n\nTillägg {i}: beslutet gäller från 2026-0{i + 1}-01.\n", "utf-8"
        )


def state(idx) -> set[tuple[str, str, tuple[str, ...]]]:
    rows = set()
    for d in idx.documents():
        texts = tuple(t for t, _ in (idx.catalog.chunks_by_id(idx.catalog.chunk_ids(d.doc_id)).values()))
        rows.add((Path(d.source).name, d.file_sha, tuple(sorted(texts))))
    return rows


def run_ingest(home: Path, model_cache: Path, corpus: Path, crash: str | None = None, kill_after: float | None = None):
    env = {**os.environ, "STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache)}
    env.pop("STYRDOK_CRASH_AT", None)
    if crash:
        env["STYRDOK_CRASH_AT"] = crash
    proc = subprocess.Popen([sys.executable, "-m", "ui.cli", "ingest", str(corpus)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    if kill_after is not None:
        time.sleep(kill_after)
        proc.kill()
    return proc.wait(timeout=300)


def assert_consistent(idx, v1: set, v2: set) -> None:
    check = idx.check()
    assert check["only_in_catalog"] == [], "a catalog chunk without its vector"
    by_name_v1 = {n: (sha, t) for n, sha, t in v1}
    by_name_v2 = {n: (sha, t) for n, sha, t in v2}
    for name, sha, texts in state(idx):
        assert (sha, texts) in (by_name_v1[name], by_name_v2[name]), f"{name} is half-replaced"


def test_kill_at_every_step_and_at_random(tmp_path: Path, embedder, model_cache: Path):
    from index.config import Settings
    from index.engine import Index

    exempel = Path(__file__).resolve().parents[2] / "data" / "exempel"

    def fresh(name: str) -> tuple[Index, Path]:
        corpus = make_corpus(tmp_path / f"{name}-corpus", exempel)
        idx = Index(Settings(home=tmp_path / f"{name}-home", model_cache=model_cache), embedder=embedder)
        idx.ingest([corpus])
        return idx, corpus

    # Reference: v1 ingested, then every file edited (v2) and ingested without interruption (also timed).
    ref, ref_corpus = fresh("ref")
    v1 = state(ref)
    edit_all(ref_corpus)
    t0 = time.monotonic()
    assert run_ingest(ref.settings.home, model_cache, ref_corpus) == 0
    full = time.monotonic() - t0
    ref.close()
    ref = Index(ref.settings, embedder=embedder)
    v2 = state(ref)
    assert v1 != v2 and ref.check() == {"only_in_vectors": [], "only_in_catalog": []}

    rng = random.Random(20261127)
    kills = [("step", s) for s in STEP_KILLS] + [("time", rng.uniform(0.3, full)) for _ in range(3)]
    for n, (kind, where) in enumerate(kills):
        idx, corpus = fresh(f"k{n}")
        edit_all(corpus)
        home = idx.settings.home
        idx.close()
        if kind == "step":
            assert run_ingest(home, model_cache, corpus, crash=str(where)) == -9, where
        else:
            run_ingest(home, model_cache, corpus, kill_after=float(where))
        idx = Index(idx.settings, embedder=embedder)
        assert_consistent(idx, v1, v2)
        res = idx.ingest([corpus])  # the next ingest recovers and completes
        assert all(r.status in ("ingested", "skipped") for r in res), res
        assert state(idx) == v2, f"kill at {kind} {where} did not converge"
        assert idx.check() == {"only_in_vectors": [], "only_in_catalog": []}, f"kill at {kind} {where}"
        idx.close()
