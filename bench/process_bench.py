"""Whole processes: `styrdok --help` / `docs` start-up, cold `styrdok search`, peak RSS of an ingest, RSS of the web
UI after its first requests. Each is a fresh subprocess of the installed `styrdok` command."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.common import EXEMPEL, VENV_BIN, child_env, free_port, log, peak_rss_mb, wait_for_port

STYRDOK = str(VENV_BIN / "styrdok")
HEAVY = ("torch", "sentence_transformers", "transformers", "chromadb", "gradio", "onnxruntime", "langchain_core")


def _wall(cmd: list[str], env: dict) -> tuple[float, float, str, float]:
    """(seconds to the first line of output, seconds to exit, first line, CPU seconds user + system)."""
    import os

    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    first = proc.stdout.readline()
    t_first = time.perf_counter() - t
    proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time: other load inflates wall time only
    proc.returncode = os.waitstatus_to_exitcode(status)
    return t_first, time.perf_counter() - t, first.strip(), usage.ru_utime + usage.ru_stime


def startup(home: Path, repeats: int) -> dict:
    """--help and docs must not import the heavy libraries; measured and checked."""
    env = child_env(home)
    out: dict = {}
    for name, args in (("help", ["--help"]), ("docs", ["docs"])):
        secs = [_wall([STYRDOK, *args], env)[1] for _ in range(repeats)]
        probe = (
            "import sys; from ui.cli import main\n"
            f"try:\n    main({args!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            f"print('HEAVY', sorted(m for m in {HEAVY!r} if m in sys.modules))"
        )
        res = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300)
        heavy = next((line[6:] for line in res.stdout.splitlines() if line.startswith("HEAVY ")), "?")
        out[name] = {"p50_s": round(statistics.median(secs), 3), "runs": [round(s, 3) for s in secs],
                     "heavy_modules_imported": heavy}  # fmt: skip
    return out


def cold_search(home: Path, repeats: int, backends: tuple[str, ...]) -> dict:
    """Process start → first result line of `styrdok search` on a built index (page cache warm, process cold), the
    median of `repeats` runs, with the CPU time of each (user + system) and the load average beside the wall time,
    since another process on the machine stretches the wall time only. Python's modules are byte-compiled by the
    first run, as an installed package's are (PYTHONDONTWRITEBYTECODE would make every run compile them)."""
    import os

    out: dict = {}
    q = "Vilka mål handlar om klimatet?"
    for b in backends:
        env = child_env(home, STYRDOK_EMBED_BACKEND=b)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        _wall([STYRDOK, "search", q, "-k", "3"], env)  # export/convert if needed; fill the OS page cache
        runs = [_wall([STYRDOK, "search", q, "-k", "3"], env) for _ in range(repeats)]
        out[b] = {"first_result_p50_s": round(statistics.median(r[0] for r in runs), 3),
                  "first_result_min_s": round(min(r[0] for r in runs), 3),
                  "exit_p50_s": round(statistics.median(r[1] for r in runs), 3),
                  "cpu_p50_s": round(statistics.median(r[3] for r in runs), 3), "runs": repeats,
                  "load_average_1min": round(os.getloadavg()[0], 2), "first_line": runs[0][2][:80]}  # fmt: skip
    return out


def ingest_rss(work: Path, backends: tuple[str, ...], folder: Path = EXEMPEL) -> dict:
    """Peak RSS (process tree) of `styrdok ingest` of the sample corpus into a fresh home."""
    import shutil

    out: dict = {}
    for b in backends:
        home = work / f"rss-ingest-{b}"
        shutil.rmtree(home, ignore_errors=True)
        peak, secs, rc = peak_rss_mb([STYRDOK, "ingest", str(folder), "--json"],
                                     child_env(home, STYRDOK_EMBED_BACKEND=b))  # fmt: skip
        out[b] = {"peak_rss_mb": round(peak, 1), "seconds": round(secs, 2), "exit_code": rc}
        shutil.rmtree(home, ignore_errors=True)
    return out


def ui_rss(home: Path, backend: str) -> dict:
    """`styrdok serve` on a free port: RSS after start-up, after the first search and after the first answer."""
    import psutil
    from gradio_client import Client

    port = free_port()
    env = child_env(home, STYRDOK_EMBED_BACKEND=backend)
    t = time.perf_counter()
    proc = subprocess.Popen([STYRDOK, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        wait_for_port(port, proc, timeout=300)
        up = time.perf_counter() - t

        def rss() -> float:
            ps = psutil.Process(proc.pid)
            return round(sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)]) / 2**20, 1)

        after_start = rss()
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        t = time.perf_counter()
        client.predict("solceller på skolor", "", "", api_name="/sok")
        first_search = time.perf_counter() - t
        after_search = rss()
        try:
            client.predict("Vad kostar fritidskortet?", [], "", "", api_name="/fraga")
            after_ask = rss()
        except Exception as e:  # noqa: BLE001 - the ask endpoint's inputs are the web layer's business
            log(f"ui: ask request failed ({type(e).__name__}: {e}); RSS after search only")
            after_ask = None
        return {"backend": backend, "listening_after_s": round(up, 2), "rss_after_start_mb": after_start,
                "first_search_s": round(first_search, 3), "rss_after_first_search_mb": after_search,
                "rss_after_first_ask_mb": after_ask}  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
