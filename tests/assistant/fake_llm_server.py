"""A scripted OpenAI-compatible chat server for tests (stdlib only): POST /v1/chat/completions, with SSE streaming.

    python fake_llm_server.py PORT SCRIPT.json LOG.jsonl

SCRIPT is a list of rules {"when": "text", "reply": "…", "status": 200}; the first rule whose "when" occurs in the
last user message (case-insensitive) answers. In a reply, {n:TEXT} becomes the number of the source (<källa nr="N">)
that contains TEXT, so an adversarial answer can cite "the source with the planted instruction" whatever the
retrieval order. Every request body is appended to LOG as one JSON line (the HTTP side: tests/fake_openai.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: tests/ holds fake_openai
from fake_openai import serve  # noqa: E402

SOURCE = re.compile(r'<källa nr="(\d+)">(.*?)</källa>', re.S)


def render(template: str, user: str) -> str:
    sources = [(int(n), " ".join(body.split()).lower()) for n, body in SOURCE.findall(user)]

    def number(m: re.Match[str]) -> str:
        want = " ".join(m.group(1).split()).lower()
        return next((str(n) for n, body in sources if want in body), "99")

    return re.sub(r"\{n:([^}]*)\}", number, template)


def reply(rule: dict | None, user: str) -> str:
    return render(rule["reply"] if rule else "Jag hittar inget om det i dokumenten.", user)


if __name__ == "__main__":
    serve(reply)
