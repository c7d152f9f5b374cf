"""The HTTP side of the scripted OpenAI-compatible chat servers the tests start (stdlib only): GET /v1/models,
POST /v1/chat/completions with or without SSE streaming. Each server script supplies only how it replies.

    serve(reply)   # argv: PORT RULES.json LOG.jsonl

RULES is a list of {"when": "text", "reply": "…", "status": 200}: the first rule whose "when" occurs in the last user
message (case-insensitive) is handed to `reply(rule, user)` (None when no rule matches); a rule with another status
answers with that HTTP error instead. Every request body is appended to LOG as one JSON line, so a test can read the
prompts that were sent.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
