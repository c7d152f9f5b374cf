"""With the default ONNX backend, answering a query never loads torch, sentence-transformers or transformers: each
takes seconds to import and hundreds of MB (the cold start and web app memory targets of docs/scaling.md); on a small
embedded index not chromadb either. Checked in
fresh processes, through the same entry points a user starts: `styrdok search`, `styrdok ask` and the web app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

EXEMPEL = Path(__file__).resolve().parents[2] / "data" / "exempel"

TORCH_SIDE = ("torch", "sentence_transformers", "transformers")
REPORT = "import sys, json; print('MODULES', json.dumps(sorted(m for m in {mods!r} if m in sys.modules)))"

CLI = (
    "from ui.cli import main\n"
    "for args in (['search', 'Vilka mål handlar om klimatet?', '-k', '3'], ['ask', 'Vad kostar fritidskortet?']):\n"
    "    try:\n"
    "        main(args, standalone_mode=False)\n"
    "    except SystemExit:\n"
    "        pass\n"
)
WEB = (
    "from assistant.service import Service\n"
    "from ui.web import AdminGate, _warm_up, build_app\n"
    "service = Service()\n"
    "build_app(service, AdminGate.from_env())\n"
    "_warm_up(service)\n"
    "print(service.ask('Vad kostar fritidskortet?').answer[:80])\n"
)


@pytest.fixture
def built_home(make_index, settings) -> Path:
    idx = make_index()
    assert all(r.status == "ingested" for r in idx.ingest([EXEMPEL]))
    idx.close()
    return settings.home


@pytest.mark.parametrize("script", [CLI, WEB], ids=["cli-search-ask", "web-app"])
def test_query_path_never_imports_torch(built_home: Path, model_cache: Path, script: str):
    env = {**os.environ, "STYRDOK_HOME": str(built_home), "STYRDOK_MODEL_CACHE": str(model_cache)}
    env.pop("STYRDOK_EMBED_BACKEND", None)  # the default backend
    mods = (*TORCH_SIDE, "onnxruntime", "chromadb")
    code = script + REPORT.format(mods=mods)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Mål" in out.stdout or "fritidskort" in out.stdout.lower()  # it really searched and answered
    loaded = json.loads(next(x for x in out.stdout.splitlines() if x.startswith("MODULES "))[8:])
    assert "onnxruntime" in loaded  # the query really went through the model
    assert not set(loaded) & set(TORCH_SIDE), loaded
    # A small embedded index is searched over the catalog's copy of the vectors: Chroma is never imported
    # (index/exact.py; its import and client were half of a cold `styrdok search`).
    assert "chromadb" not in loaded, loaded
