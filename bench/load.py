"""Concurrent users against the running web app, over its HTTP API (the Fråga tab's /fraga endpoint).

    .venv/bin/python bench/load.py                    # starts `styrdok serve` over data/exempel, 50 users
    .venv/bin/python bench/load.py --url http://127.0.0.1:7860/ --users 20 --requests 3

Each user is its own Gradio session (a gradio_client.Client) and holds a conversation: follow-up questions are
answered from that session's history, so an answer read in the light of another user's history shows up as a
difference. After the load every conversation is run again alone, one request at a time; each answer given under
load must equal that reference exactly (extractive answers are deterministic), and the chat a user gets back must
hold only that user's questions. Reports p50/p95 latency as JSON (bench/results/load.json) and one Markdown line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script, or loaded by file in a test
from bench.common import EXEMPEL, QUESTIONS, RESULTS, free_port, wait_for_port  # noqa: E402

STYRDOK = Path(sys.executable).parent / "styrdok"
ERROR_TEXT = "Något gick fel"  # the start of ui.web_common.ERROR_TEXT

# Each user opens with one of these pairs. The follow-up means something else after each opening ("det" is the
# solar panels, the traffic budget …): answered from another session's history it would cite other passages.
OPENINGS = [
    ("Hur många skolor får solceller?", "Och vad kostar det?"),
    ("Vad gör tekniska nämnden för trafiksäkerheten?", "Och vad kostar det?"),
    ("Vilka mål handlar om klimat och miljö?", "Och vad säger de om ekonomin?"),
    ("Vem kan få fritidskortet?", "Och när börjar det gälla?"),
]
FOLLOW_UPS = ["Och vem ansvarar för det?", "Och när ska det vara klart?"]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mixed: list[str] = field(default_factory=list)  # answers that differ from their reference, or foreign chats
    requests: int = 0


def conversation(user: int, requests: int) -> list[str]:
    """A user's questions: an opening pair, then questions of the sample set (different for each user, so that
    the query cache does not answer for the model), each followed by a follow-up."""
    pool = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    out = list(OPENINGS[user % len(OPENINGS)])
    per_user = max(1, (requests - 1) // 2)  # sample-set questions each user asks
    for i in range(max(0, requests - 2)):
        n = user * per_user + i // 2
        out.append(FOLLOW_UPS[n % len(FOLLOW_UPS)] if i % 2 else pool[n % len(pool)])
    return out[:requests]


def _client(url: str):  # noqa: ANN202 - gradio_client.Client
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False, analytics_enabled=False)


def _text(message: dict) -> str:
    content = message.get("content")
    if isinstance(content, list):  # Gradio 6 returns [{"type": "text", "text": …}]
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return str(content or "")


def run_conversation(url: str, questions: list[str], deadline: float, out: Outcome, lock: threading.Lock) -> list:
    """One user: its own session, one question after the other; returns the answers (None where none came)."""
    answers: list[str | None] = []
    try:
        client = _client(url)
    except Exception as e:  # noqa: BLE001 - a user who cannot even connect is an error to report
        with lock:
            out.errors.append(f"connect: {type(e).__name__}: {e}")
        return answers
    chat: list = []
    for turn, question in enumerate(questions):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            _, chat = client.predict(question, chat, "", "", "", api_name="/fraga")  # no type, year or publisher
        except Exception as e:  # noqa: BLE001
            with lock:
                out.requests += 1
                out.errors.append(f"turn {turn}: {type(e).__name__}: {e}")
            answers.append(None)
            break  # the session's history is now unknown: later answers could not be checked
        elapsed = time.perf_counter() - start
        asked = [_text(m) for m in chat if m.get("role") == "user"]
        answer = _text(chat[-1]) if chat and chat[-1].get("role") == "assistant" else ""
        with lock:
            out.requests += 1
            out.latencies.append(elapsed)
            if asked != questions[: turn + 1]:
                out.mixed.append(f"turn {turn}: the chat holds {asked!r}")
            if answer.startswith(ERROR_TEXT) or not answer:
                out.errors.append(f"turn {turn}: the app answered with its error message")
        answers.append(answer)
    return answers


def references(url: str, scripts: list[list[str]]) -> dict[tuple[str, ...], list]:
    """Every distinct conversation run alone, one request at a time: what each answer must be under load."""
    out, lock = Outcome(), threading.Lock()
    refs = {}
    for script in dict.fromkeys(tuple(s) for s in scripts):
        refs[script] = run_conversation(url, list(script), float("inf"), out, lock)
    if out.errors or out.mixed:
        raise RuntimeError(f"the reference run failed: {out.errors + out.mixed}")
    return refs


def run_load(url: str, users: int = 50, requests: int = 3, time_limit: float = 300.0) -> dict:
    """`users` sessions at once, `requests` questions each (none started after `time_limit` seconds)."""
    out, lock = Outcome(), threading.Lock()
    scripts = [conversation(u, requests) for u in range(users)]
    deadline = time.monotonic() + time_limit
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        futures = [pool.submit(run_conversation, url, s, deadline, out, lock) for s in scripts]
        results = [f.result() for f in futures]
    wall = time.perf_counter() - start
    refs = references(url, scripts)  # afterwards: run first, it would fill the query cache for the load
    for user, (script, answers) in enumerate(zip(scripts, results, strict=True)):
        for turn, (got, want) in enumerate(zip(answers, refs[tuple(script)], strict=False)):
            if got is not None and got != want:
                out.mixed.append(f"user {user} turn {turn}: the answer differs from the one given alone")
    ms = sorted(x * 1000 for x in out.latencies)
    return {
        "users": users,
        "requests_per_user": requests,
        "requests": out.requests,
        "answered": len(ms),
        "errors": len(out.errors),
        "mixed": len(out.mixed),
        "p50_ms": round(_pct(ms, 50), 1),
        "p95_ms": round(_pct(ms, 95), 1),
        "max_ms": round(ms[-1], 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
        "wall_s": round(wall, 2),
        "throughput_rps": round(len(ms) / wall, 2) if wall else None,
        "error_samples": out.errors[:5],
        "mixed_samples": out.mixed[:5],
    }


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def markdown(r: dict) -> str:
    return (
        f"| {r['users']} användare × {r['requests_per_user']} frågor | {r['answered']}/{r['requests']} besvarade | "
        f"p50 {r['p50_ms']:.0f} ms | p95 {r['p95_ms']:.0f} ms | {r['errors']} fel | {r['mixed']} sammanblandade |"
    )


# --- a server of our own --------------------------------------------------------------------------------------------
def start_server(home: Path, env: dict[str, str], timeout: float = 180) -> tuple[subprocess.Popen, str]:
    """`styrdok serve` over `home` on a free loopback port; returns the process and its URL once it answers."""
    port = free_port()
    proc = subprocess.Popen(
        [str(STYRDOK), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "STYRDOK_HOME": str(home)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        wait_for_port(port, proc, timeout)
    except RuntimeError:
        raise RuntimeError(f"styrdok serve exited with {proc.returncode}: {proc.stderr.read()[-2000:]}") from None
    except TimeoutError:
        proc.kill()
        raise TimeoutError(f"styrdok serve did not listen within {timeout:.0f} s") from None
    return proc, f"http://127.0.0.1:{port}/"


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running app; without it `styrdok serve` is started over data/exempel")
    ap.add_argument("--home", type=Path, help="STYRDOK_HOME for the started app (default: a fresh temporary one)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=3, help="questions per user")
    ap.add_argument("--time-limit", type=float, default=300, help="no new question after this many seconds")
    ap.add_argument("--out", type=Path, default=RESULTS / "load.json")
    args = ap.parse_args()

    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
    proc, tmp = None, None
    url = args.url
    try:
        if not url:
            home = args.home or Path(tmp := tempfile.mkdtemp(prefix="styrdok-load-"))
            if not (home / "catalog.sqlite3").exists():
                print(f"läser in {EXEMPEL} i {home} …", file=sys.stderr)
                subprocess.run([str(STYRDOK), "ingest", str(EXEMPEL), "--json"], env={**env, "STYRDOK_HOME": str(home)},
                               check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            proc, url = start_server(home, env)
        result = run_load(url, args.users, args.requests, args.time_limit)
    finally:
        if proc is not None:
            stop_server(proc)
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    result.update(url=url if args.url else "styrdok serve (data/exempel)", concurrency=os.environ.get(
        "STYRDOK_WEB_CONCURRENCY", "4 (standard)"), cpu_count=os.cpu_count(), python=platform.python_version(),
        date=time.strftime("%Y-%m-%d %H:%M"))  # fmt: skip
    result["markdown"] = markdown(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(result["markdown"])
    sys.exit(1 if result["errors"] or result["mixed"] or result["answered"] < result["requests"] else 0)


if __name__ == "__main__":
    main()
