"""The HTTP side of the scripted OpenAI-compatible chat servers the tests start (stdlib only): GET /v1/models,
POST /v1/chat/completions with or without SSE streaming. Each server script supplies only how it replies.

    serve(reply)   # in a server script; argv: PORT RULES.json LOG.jsonl
    with scripted_servers(script, tmp_path) as start:   # in a test fixture
        base_url, log = start(rules)

RULES is a list of {"when": "text", "reply": "…", "status": 200}: the first rule whose "when" occurs in the last user
message (case-insensitive) is handed to `reply(rule, user)` (None when no rule matches); a rule with another status
answers with that HTTP error instead. Every request body is appended to LOG as one JSON line, so a test can read the
prompts that were sent.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from netutil import free_port, wait_for_port

Reply = Callable[[dict | None, str], str]


class Handler(BaseHTTPRequestHandler):
    rules: list[dict] = []
    log_path = ""
    reply: Reply

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._json(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(body, ensure_ascii=False) + "\n")
        user = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
        rule = next((r for r in self.rules if r["when"].lower() in user.lower()), None)
        if rule is not None and rule.get("status", 200) != 200:
            self._json(rule["status"], {"error": {"message": "scripted failure", "type": "server_error"}})
            return
        text = type(self).reply(rule, user)
        model = body.get("model", "fake")
        if not body.get("stream"):
            self._json(200, {
                "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })  # fmt: skip
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for piece in re.findall(r"\S+\s*", text):
            self._event({"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}, model)
        self._event({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}, model)
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, payload: dict, model: str) -> None:
        chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        self.wfile.write(f"data: {json.dumps({**chunk, **payload}, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def serve(reply: Reply) -> None:
    port, rules, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    Handler.rules = json.loads(open(rules, encoding="utf-8").read())
    Handler.log_path = log
    Handler.reply = staticmethod(reply)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


@contextmanager
def scripted_servers(script: Path, tmp_path: Path) -> Iterator[Callable[[list[dict]], tuple[str, Path]]]:
    """Start server `script` as real processes on loopback, one per call: rules → (base URL, request log); all are
    stopped on exit."""
    procs: list[subprocess.Popen] = []

    def start(rules: list[dict]) -> tuple[str, Path]:
        port = free_port()
        rules_path, log = tmp_path / f"rules-{port}.json", tmp_path / f"requests-{port}.jsonl"
        rules_path.write_text(json.dumps(rules, ensure_ascii=False), encoding="utf-8")
        log.touch()
        proc = subprocess.Popen([sys.executable, str(script), str(port), str(rules_path), str(log)])
        procs.append(proc)
        wait_for_port(port, proc, timeout=20)
        return f"http://127.0.0.1:{port}/v1", log

    try:
        yield start
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=10)
