"""The audit log: one JSON line per answered question in STYRDOK_HOME/logs/audit.jsonl.

By default a line holds when, which mode, whether the assistant refused, which documents it cited, what the language
model did (`llm`: tried, sentences kept and dropped, why it fell back) and how long it took — never the question. A resident's question can name a person or a case ("när fick min granne bygglov på
Storgatan 3?"), so the text is personal data. An operator may keep it for a stated time: STYRDOK_AUDIT_QUESTIONS=1
together with STYRDOK_AUDIT_RETENTION_DAYS=N stores the question and prunes lines older than N days. Asking for the
text without a retention period stores none, and the log says so once.

Lines from several threads (the web app) and processes (`styrdok ask` beside the app) are appended under a file
lock; an audit failure is logged and never stops an answer.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from assistant.types import Answer

log = logging.getLogger("styrdok.audit")

PRUNE_EVERY_S = 3600.0  # pruning rewrites the file: once an hour is plenty for a limit counted in days
NO_RETENTION = (
    "STYRDOK_AUDIT_QUESTIONS=1 men ingen giltig STYRDOK_AUDIT_RETENTION_DAYS (antal dagar): frågornas text sparas "
    "inte. Ange hur länge frågorna får sparas för att slå på det."
)


@dataclass(frozen=True)
class AuditSettings:
    store_questions: bool = False
    retention_days: int | None = None  # None: keep lines until the operator removes them

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AuditSettings:
        env = os.environ if env is None else env
        wanted = env.get("STYRDOK_AUDIT_QUESTIONS", "").strip().lower() in ("1", "true", "ja", "yes", "on")
        try:
            days: int | None = int(env.get("STYRDOK_AUDIT_RETENTION_DAYS", "").strip())
        except ValueError:
            days = None
        if days is not None and days <= 0:
            days = None
        return cls(store_questions=wanted, retention_days=days)

    @property
    def questions_refused(self) -> bool:
        """Question text asked for without a retention period: not stored."""
        return self.store_questions and self.retention_days is None

    @property
    def keeps_questions(self) -> bool:
        return self.store_questions and self.retention_days is not None


class AuditLog:
    def __init__(
        self, home: Path, settings: AuditSettings | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.path = home / "logs" / "audit.jsonl"
        self.settings = settings or AuditSettings.from_env()
        self._clock = clock
        self._lock = FileLock(str(self.path) + ".lock", thread_local=False)
        self._thread_lock = threading.Lock()
        self._notice_written = False
        self._pruned_at = float("-inf")
        self._failed = False

    def record(self, answer: Answer | None, latency_s: float, *, mode: str = "", error: str = "") -> None:
        """One line for one question: the finished Answer, or `error` (an exception's name) when there was none."""
        now = self._clock()
        entry: dict[str, object] = {"time": _iso(now), "event": "answer" if answer is not None else "error"}
        if answer is not None:
            # llm: tried, sentences kept/dropped and why it fell back (no text: a sentence can repeat the question)
            entry.update(mode=answer.mode, refused=answer.refused, doc_ids=_cited(answer), llm=answer.llm.to_json())
        else:
            entry.update(mode=mode or None, error=error)
        entry["latency_ms"] = round(latency_s * 1000)
        if answer is not None and self.settings.keeps_questions:
            entry["question"] = answer.question
            if answer.standalone_question and answer.standalone_question != answer.question:
                entry["standalone_question"] = answer.standalone_question
        lines = []
        if self.settings.questions_refused and not self._notice_written:
            lines.append({"time": _iso(now), "event": "notice", "message": NO_RETENTION})
        lines.append(entry)
        self._write(lines, now)

    def _write(self, entries: Sequence[dict], now: float) -> None:
        text = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._thread_lock, self._lock:
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(text)
                self._notice_written = self._notice_written or self.settings.questions_refused
                if self.settings.retention_days is not None and now - self._pruned_at >= PRUNE_EVERY_S:
                    self._prune(now - self.settings.retention_days * 86400)
                    self._pruned_at = now
        except OSError as e:
            if not self._failed:  # once: a full disk must not fill the other log as well
                log.error("auditloggen kan inte skrivas (%s): frågor besvaras ändå", e)
                self._failed = True

    def prune(self) -> None:
        """Drop lines older than the retention period now (also done by `record`, at most once an hour)."""
        if self.settings.retention_days is None:
            return
        now = self._clock()
        with self._thread_lock, self._lock:
            self._prune(now - self.settings.retention_days * 86400)
            self._pruned_at = now

    def _prune(self, cutoff: float) -> None:
        if not self.path.exists():
            return
        kept = []
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                try:
                    when = datetime.fromisoformat(json.loads(line)["time"]).timestamp()
                except (ValueError, KeyError, TypeError):
                    continue  # a torn or foreign line is no record worth keeping past the period
                if when >= cutoff:
                    kept.append(line)
        tmp = self.path.with_suffix(".jsonl.tmp")
        tmp.write_text("".join(kept), encoding="utf-8")
        os.replace(tmp, self.path)


def _cited(answer: Answer) -> list[str]:
    return list(dict.fromkeys(c.doc_id for c in answer.citations))


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
