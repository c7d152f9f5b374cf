"""The CTranslate2 backend ("ct2-int8") gives the fp32 model's vectors up to int8 rounding, batch-independently, with
the same token counts, from a conversion that is cached, checked and replaced atomically."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("ctranslate2")

from index.ct2_backend import MARKER, Ct2Encoder, ensure_export  # noqa: E402

TEXTS = [
    "passage: Kommunen ska minska utsläppen av växthusgaser med 50 procent till 2030.",
    "query: Vad kostar fritidskortet för barn?",
    "passage: Mål 3",
    "passage: " + "Nämnden redovisar måluppfyllelsen i årsbokslutet varje år. " * 80,  # past 512 tokens: truncated
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ct2_folder(embedder, model_cache: Path) -> Path:
    return ensure_export(Path(embedder.model_path()), model_cache)


def test_vectors_match_fp32_and_do_not_depend_on_the_batch(embedder, ct2_folder: Path):
    enc = Ct2Encoder(ct2_folder)
    ref = embedder._encode(TEXTS, None)  # the default backend: ONNX fp32, torch's vectors
    got = enc.encode(TEXTS, max_batch_tokens=64)  # small batches, padding inside each
    assert got.shape == ref.shape
    cos = (got * ref).sum(axis=1)
    assert float(cos.min()) > 0.99  # int8 rounding; measured 0.998 on the sample corpus's texts
    assert float(cos.min()) < 0.99999  # really the int8 model, not a float copy
    # Unlike ONNX Runtime's dynamic int8, a text's vector is the same alone and in any batch.
    alone = np.stack([enc.encode([t])[0] for t in TEXTS])
    assert float((alone * got).sum(axis=1).min()) > 0.99999
    assert [enc.count_tokens(t) for t in TEXTS] == [embedder._onnx.count_tokens(t) for t in TEXTS]


def test_conversion_is_reused_and_replaced_when_stale(embedder, ct2_folder: Path, tmp_path: Path):
    source = Path(embedder.model_path())
    assert ensure_export(source, ct2_folder.parent) == ct2_folder  # cached
    folder = ensure_export(source, tmp_path)
    marker = json.loads((folder / MARKER).read_text())
    assert marker["backend"] == "ct2-int8"
    (folder / MARKER).write_text(json.dumps({**marker, "source": "another-model"}))
    assert ensure_export(source, tmp_path) == folder  # stale: converted again, in place
    assert json.loads((folder / MARKER).read_text())["source"] == marker["source"]
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_query_with_ct2_never_imports_torch(embedder, ct2_folder: Path, settings):
    """Once converted, the backend needs neither torch nor transformers (a fresh process)."""
    from index.embedder import Embedder

    e = Embedder(replace(settings, embed_backend="ct2-int8", model_cache=ct2_folder.parent))
    want = e.embed_query("Vad kostar fritidskortet?")
    assert e.backend == "ct2-int8"
    code = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from index.config import Settings\n"
        "from index.embedder import Embedder\n"
        f"s = Settings(home=Path({str(settings.home)!r}), model_cache=Path({str(ct2_folder.parent)!r}),"
        " embed_backend='ct2-int8')\n"
        "v = Embedder(s).embed_query('Vad kostar fritidskortet?')\n"
        "print(json.dumps({'v': v.tolist(), 'mods': [m for m in ('torch', 'transformers') if m in sys.modules]}))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["mods"] == []
    assert float(np.dot(got["v"], want)) > 0.99999
