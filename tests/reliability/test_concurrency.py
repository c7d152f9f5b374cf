"""A small version of `make bench-load`: concurrent users against a real `styrdok serve` over the sample corpus get
no errors, and every answer is the one that user's own conversation gives when run alone (no mixed sessions)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _bench_load():  # noqa: ANN202 - the bench/load.py module (bench/ is scripts, not a package)
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, model_cache: Path):
    load = _bench_load()
    home = tmp_path_factory.mktemp("load-home")
    env = {**os.environ, "STYRDOK_HOME": str(home), "STYRDOK_MODEL_CACHE": str(model_cache), "OMP_NUM_THREADS": "1"}
    env.pop("STYRDOK_CRASH_AT", None)
    styrdok = Path(sys.executable).parent / "styrdok"
    subprocess.run([str(styrdok), "ingest", str(ROOT / "data" / "exempel"), "--json"], env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=600)  # fmt: skip
    proc, url = load.start_server(home, env)
    try:
        yield load, url
    finally:
        load.stop_server(proc)


def test_concurrent_users_get_their_own_answers(app_url):
    load, url = app_url
    result = load.run_load(url, users=8, requests=3, time_limit=240)
    print(load.markdown(result))
    assert result["requests"] == result["answered"] == 24, result
    assert result["errors"] == 0, result["error_samples"]
    assert result["mixed"] == 0, result["mixed_samples"]
    assert result["p95_ms"] < 60_000


def test_conversations_differ_so_mixing_would_show(app_url):
    """The check has teeth: the same follow-up gets different answers after different openings."""
    load, url = app_url
    refs = load.references(url, [load.conversation(0, 2), load.conversation(1, 2)])
    (a, b) = refs.values()
    assert a[1] != b[1] and "Och vad kostar det?" == load.conversation(0, 2)[1] == load.conversation(1, 2)[1]
