"""Metrics as pure functions over plain data (questions, hits and answers as dicts), so they are easy to test.

Support checks use the same Swedish analyzer as the lexical index: a sentence is supported by a passage when every
number in it appears verbatim in the passage and (nearly) all its content words' stems occur there.
"""

from __future__ import annotations

import math
import re
from statistics import mean

from index.analyzer_sv import analyze

# A colon belongs to a number only between digits ("11:28"): "hösten 2019: 2019-10-16" is two numbers.
NUMBER = re.compile(r"\d(?:[\d\s.,/-]|:(?=\d))*\d|\d")
CITES_RUN = re.compile(r"(?:\s*\[\d+\])+")
SUPPORT_MIN = 0.8  # share of a sentence's content stems that must occur in its cited passages


def norm(s: str) -> str:
    """Lower case, table cell separators and runs of whitespace as one space: for "is this phrase in that text"."""
    return re.sub(r"[\s|]+", " ", s or "").strip().lower()


# --- retrieval ---------------------------------------------------------------------------------------------------
def first_relevant_rank(relevant: list[bool]) -> int | None:
    return next((i + 1 for i, r in enumerate(relevant) if r), None)


def recall_at(relevant: list[bool], k: int) -> float:
    return float(any(relevant[:k]))


def reciprocal_rank(relevant: list[bool]) -> float:
    r = first_relevant_rank(relevant)
    return 1.0 / r if r else 0.0


def ndcg_at(relevant: list[bool], k: int = 10) -> float:
    """Binary nDCG with one gold passage per question: 1/log2(rank+1) of the first relevant hit within k."""
    r = first_relevant_rank(relevant[:k])
    return 1.0 / math.log2(r + 1) if r else 0.0


def hit_is_relevant(q: dict, source_name: str, text: str, goal: int = 0, by_doc: bool = False) -> bool:
    """The passage holds the evidence text (in whichever document), or it belongs to the asked-for goal: for
    "which goal …" questions a board plan's section on Mål 5 answers as well as the goal text itself.

    by_doc (sets with a declared corpus, where many documents share wording): the passage must also come from the
    gold document, or from the document an evidence_alt names; source_name is then the path relative to the
    corpus root."""
    if by_doc and source_name not in {q.get("gold_doc")} | {a["doc"] for a in q.get("evidence_alt") or []}:
        return False
    goals = q.get("gold_goal")
    goals = goals if isinstance(goals, list) else [goals] if goals else []
    if goals and goal in goals:
        return True
    # evidence_alt: the same answer stated verbatim elsewhere (another document, or a table row), added where a
    # reviewer found that a passage other than the gold one answers the question just as directly.
    phrases = [q.get("evidence") or ""] + [a["text"] for a in q.get("evidence_alt") or []]
    body = norm(text)
    return any(p and norm(p) in body for p in phrases)


# --- answers -----------------------------------------------------------------------------------------------------
def numbers(text: str) -> list[str]:
    return [m.group(0).strip(" .,:-/") for m in NUMBER.finditer(text)]


def split_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """Answer text → claims: each piece of a line up to its citation markers, with the numbers it cites.

    A marker covers the text before it back to the previous marker or line start (a quoted sentence, or a list
    item). Text with no marker after it (an opening line such as "Tre mål hör till …:") gets [] and is checked
    against all passages the answer cites.
    """
    out = []
    for line in answer.splitlines():
        line = line.strip().lstrip("-•*").strip()
        pos = 0
        for m in CITES_RUN.finditer(line):
            piece = line[pos : m.start()].strip()
            if piece:
                out.append((piece, [int(n) for n in re.findall(r"\d+", m.group(0))]))
            pos = m.end()
        rest = line[pos:].strip(" .")
        if rest:
            out.append((rest, []))
    return out


def supported(sentence: str, passages: list[str]) -> bool:
    if not passages:
        return False
    joined = "\n".join(passages)
    if any(n not in joined for n in numbers(sentence)):
        return False
    if norm(sentence).rstrip(".:") in norm(joined):
        return True
    terms = set(analyze(sentence))
    if not terms:
        return True
    have = set(analyze(joined))
    return len(terms & have) / len(terms) >= SUPPORT_MIN


def answer_scores(q: dict, ans: dict) -> dict[str, float | None]:
    """Per-question answer metrics; None where a metric does not apply (e.g. support of a refusal)."""
    refused = bool(ans.get("refused"))
    out: dict[str, float | None] = {"refused": float(refused)}
    if not q.get("answerable", True):
        out["refusal_correct"] = float(refused)
        out["false_answer"] = float(not refused)
        return out
    out["false_refusal"] = float(refused)
    kf = norm(q.get("key_fact") or "")
    if kf:  # the target of issue 12: over all answerable questions, a refusal or an "osäkert" counts as a miss
        out["key_fact_answerable"] = 0.0 if refused else float(kf in norm(ans.get("answer", "")))
    if refused:
        return out
    text = ans.get("answer", "")
    cites = {c["n"]: c for c in ans.get("citations", [])}
    sents = split_sentences(text)
    ok = []
    pairs_ok = []
    everything = [_source_text(c) for c in cites.values()]
    # A line that only introduces the cited items ("Närmast frågan ligger:", "Tre mål hör till …:") is framing;
    # its count is checked by the tests of the answerer, not here.
    sents = [(t, ns) for t, ns in sents if ns or not t.endswith(":")]
    for sent, ns in sents:
        passages = [_source_text(cites[n]) for n in ns if n in cites] if ns else everything
        ok.append(supported(sent, passages))
        if ns:
            pairs_ok += [supported(sent, [p]) or _partly(sent, p) for p in passages]
    out["sentence_support"] = mean(ok) if ok else 0.0
    out["citation_precision"] = mean(pairs_ok) if pairs_ok else 0.0
    gold = norm(q.get("evidence") or "")
    out["citation_recall"] = float(any(gold and gold in norm(c["text"]) for c in cites.values())) if gold else None
    kf = norm(q.get("key_fact") or "")
    out["key_fact"] = float(kf in norm(text)) if kf else None
    return out


def _source_text(c: dict) -> str:
    """What a citation shows the reader: the passage and the header it is cited with (title, date, section,
    publisher and document type, which the attribution restates)."""
    head = " ".join(str(c.get(k) or "") for k in ("title", "date", "section", "publisher", "doc_type"))
    return f"{head}\n{c.get('text', '')}"


def _partly(sentence: str, passage: str) -> bool:
    """A citation that supports part of a sentence citing several passages still counts as precise."""
    terms = set(analyze(sentence))
    return bool(terms) and len(terms & set(analyze(passage))) / len(terms) >= 0.5


def aggregate(rows: list[dict[str, float | None]]) -> dict[str, float]:
    keys = sorted({k for r in rows for k in r})
    out = {}
    for k in keys:
        vals = [r[k] for r in rows if r.get(k) is not None]
        if vals:
            out[k] = round(mean(vals), 4)
    return out
