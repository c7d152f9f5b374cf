"""A deterministic OpenAI-compatible judge for the eval tests (stdlib only): POST /v1/chat/completions.

    python judge_llm_server.py PORT RULES.json LOG.jsonl

RULES is a list of {"when": "text", "reply": "…", "status": 200}: the first rule whose "when" occurs in the last user
message (case-insensitive) answers, so a test can plant a "nej" for one claim or make the server fail. With no rule
matching, it judges by itself, the same way every time:
- a claims request ("Svar:\\n…") gets the answer's sentences as a JSON list;
- a verdict request ("Påstående: …") gets "ja" when the claim, without its full stop, occurs in one of the
  <källa> passages (case and whitespace ignored), otherwise "nej".
Every request body is appended to LOG as one JSON line, so a test can read the prompts that were sent.
"""

from __future__ import annotations

import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SOURCE = re.compile(r'<källa nr="\d+">(.*?)</källa>', re.S)


def _norm(s: str) -> str:
    return " ".join(s.split()).lower()


def judge(user: str) -> str:
    if "Påstående:" in user:
        claim = _norm(user.split("Påstående:", 1)[1].split("\n\n", 1)[0]).rstrip(".")
        return "ja" if any(claim in _norm(body) for body in SOURCE.findall(user)) else "nej"
    answer = user.split("Svar:\n", 1)[-1]
    sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", answer) if s.strip()]
    return json.dumps(sentences, ensure_ascii=False)


class Handler(BaseHTTPRequestHandler):
    rules: list[dict] = []
    log_path = ""

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with open(self.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(body, ensure_ascii=False) + "\n")
        user = next((m["content"] for m in reversed(body.get("messages", [])) if m["role"] == "user"), "")
        rule = next((r for r in self.rules if r["when"].lower() in user.lower()), None)
        if rule is not None and rule.get("status", 200) != 200:
            self._json(rule["status"], {"error": {"message": "scripted failure", "type": "server_error"}})
            return
        text = rule["reply"] if rule is not None else judge(user)
        self._json(200, {
            "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model", "fake"),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        })  # fmt: skip

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    port, rules, log = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    Handler.rules = json.loads(open(rules, encoding="utf-8").read())
    Handler.log_path = log
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
