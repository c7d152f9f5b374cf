"""A deterministic OpenAI-compatible judge for the eval tests (stdlib only): POST /v1/chat/completions.

    python judge_llm_server.py PORT RULES.json LOG.jsonl

RULES is a list of {"when": "text", "reply": "…", "status": 200}: the first rule whose "when" occurs in the last user
message (case-insensitive) answers, so a test can plant a "nej" for one claim or make the server fail. With no rule
matching, it judges by itself, the same way every time:
- a claims request ("Svar:\\n…") gets the answer's sentences as a JSON list;
- a verdict request ("Påstående: …") gets "ja" when the claim, without its full stop, occurs in one of the
  <källa> passages (case and whitespace ignored), otherwise "nej".
Every request body is appended to LOG as one JSON line, so a test can read the prompts that were sent (the HTTP
side: tests/fake_openai.py).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: tests/ holds fake_openai
from fake_openai import serve  # noqa: E402

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


def reply(rule: dict | None, user: str) -> str:
    return rule["reply"] if rule is not None else judge(user)


if __name__ == "__main__":
    serve(reply)
