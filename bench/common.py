"""Shared helpers for the benchmarks: timing statistics, the machine description, RSS, subprocess environments."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXEMPEL = ROOT / "data" / "exempel"
QUESTIONS = ROOT / "eval" / "sets" / "exempel.jsonl"
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def pct(values: list[float], p: float) -> float:
    """Percentile by linear interpolation (p in 0..100)."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def latency_stats(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {"n": len(ms), "p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2),
            "mean_ms": round(statistics.fmean(ms), 2) if ms else None}  # fmt: skip


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def questions(limit: int) -> list[str]:
    """Distinct question texts of the sample question set (so the query cache never answers for the model)."""
    qs = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(qs))[:limit]


def settings_for(home: Path, **kw):  # noqa: ANN201 - index.config.Settings
    """Settings for a bench index: the user's environment (model cache, threads), a fresh home."""
    from index.config import Settings

    base = Settings.from_env()
    return replace(base, home=home, model_cache=base.models_dir, **kw)


def machine() -> dict:
    """CPU, cores, memory, load and library versions: numbers from another machine are not comparable."""
    import importlib.metadata as md

    import psutil

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for pkg in ("torch", "onnxruntime", "onnx", "sentence-transformers", "transformers", "chromadb", "langchain-core",
                "numpy", "gradio"):  # fmt: skip
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "STYRDOK_THREADS", "STYRDOK_EMBED_BACKEND")},
    }


def child_env(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "STYRDOK_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
           "GRADIO_ANALYTICS_ENABLED": "False"}  # fmt: skip
    env.update(extra)
    return env


def peak_rss_mb(
    cmd: list[str], env: dict[str, str], timeout: float = 900, stdout: Path | None = None
) -> tuple[float, float, int]:
    """(peak RSS of the process and its children in MB, wall seconds, exit code), sampled every 50 ms; the
    command's output goes to `stdout` when given (a file: a pipe nobody reads meanwhile could fill and block it)."""
    import psutil

    t = time.perf_counter()
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
    finally:
        if stdout:
            out.close()  # the child has its own copy of the descriptor
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)]))
        except psutil.Error:
            pass
        if time.perf_counter() - t > timeout:
            proc.kill()
        time.sleep(0.05)
    return peak / 2**20, time.perf_counter() - t, proc.returncode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on {port} within {timeout}s")


class ChromaServer:
    """`chroma run` on a free loopback port (as tests/conftest.py starts it)."""

    def __init__(self, path: Path) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )  # fmt: skip
        wait_for_port(self.port, self.proc)
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def interleaved(variants: Iterable[str], repeats: int, run: Callable[[str], float]) -> dict[str, list[float]]:
    """Run each variant `repeats` times, round-robin, so a burst of load from elsewhere hits all of them alike."""
    names = list(variants)
    out: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(repeats):
        for n in names:
            out[n].append(run(n))
    return out
