"""A scripted OpenAI-compatible chat server for tests (stdlib only): POST /v1/chat/completions, with SSE streaming.

    python fake_llm_server.py PORT SCRIPT.json LOG.jsonl

SCRIPT is a list of rules {"when": "text", "reply": "…", "status": 200}; the first rule whose "when" occurs in the
last user message (case-insensitive) answers. In a reply, {n:TEXT} becomes the number of the source (<källa nr="N">)
that contains TEXT, so an adversarial answer can cite "the source with the planted instruction" whatever the
retrieval order. Every request body is appended to LOG as one JSON line.
"""

from __future__ import annotations

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOURCE = re.compile(r'<källa nr="(\d+)">(.*?)</källa>', re.S)


def render(template: str, user: str) -> str:
    sources = [(int(n), " ".join(body.split()).lower()) for n, body in SOURCE.findall(user)]

    def number(m: re.Match[str]) -> str:
        want = " ".join(m.group(1).split()).lower()
        return next((str(n) for n, body in sources if want in body), "99")

    return re.sub(r"\{n:([^}]*)\}", number, template)


class Handler(BaseHTTPRequestHandler):
    rules: list[dict] = []
    log_path = ""

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
        if rule is None:
            rule = {"reply": "Jag hittar inget om det i dokumenten."}
        if rule.get("status", 200) != 200:
            self._json(rule["status"], {"error": {"message": "scripted failure", "type": "server_error"}})
            return
        text = render(rule["reply"], user)
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


def main() -> None:
    port, script, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    Handler.rules = json.loads(open(script, encoding="utf-8").read())
    Handler.log_path = log
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
