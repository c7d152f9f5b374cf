"""The real-server suite (`make test-llm`): styrdok's LLM mode against llama.cpp's llama-server on loopback with the
small gemma3-270m GGUF — a weak base model that mostly echoes its prompt, which is what a deployment must survive.

Collected only when STYRDOK_LLAMA_SERVER (the binary) and STYRDOK_TEST_GGUF (the model file) are set, as
`make test-llm` does; `make test` never runs it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

BINARY, GGUF = os.environ.get("STYRDOK_LLAMA_SERVER", ""), os.environ.get("STYRDOK_TEST_GGUF", "")
# 2 on CI's free cores; on a machine other jobs keep busy, 1 avoids ggml's threads spinning on each other.
THREADS = os.environ.get("STYRDOK_TEST_LLM_THREADS", "2")
TEMPLATE = Path(__file__).resolve().parents[2] / "scripts" / "gemma-chat.jinja"
if not (BINARY and GGUF):
    collect_ignore_glob = ["test_*.py"]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log: Path) -> tuple[subprocess.Popen, str]:
    """llama-server on a free loopback port (THREADS threads, one slot, the Gemma chat template), ready to answer."""
    port = _port()
    cmd = [BINARY, "-m", GGUF, "--host", "127.0.0.1", "--port", str(port), "-t", THREADS, "-c", "4096", "-np", "1",
           "--jinja", "--chat-template-file", str(TEMPLATE), "--no-webui"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama-server stopped at start (exit {proc.returncode}): {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                if r.status == 200:
                    return proc, f"http://127.0.0.1:{port}/v1"
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("llama-server was not ready within 120 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def real_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_server(tmp_path_factory.mktemp("llama-server") / "server.log")
    yield url
    stop(proc)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Callable[[], tuple[subprocess.Popen, str]]]:
    """A server of the test's own, to be stopped by the test (the server going down mid-answer)."""
    procs: list[subprocess.Popen] = []

    def start() -> tuple[subprocess.Popen, str]:
        proc, url = start_server(tmp_path / f"server-{len(procs)}.log")
        procs.append(proc)
        return proc, url

    yield start
    for p in procs:
        stop(p)
