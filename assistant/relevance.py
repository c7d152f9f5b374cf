"""Do the retrieved passages answer the question at all? The refusal gate, with its thresholds in one place.

Signals, all computed while answering anyway:
- `sim`: the best dense similarity between the question and one candidate sentence (multilingual-e5-small). e5
  puts everything in a narrow band (unrelated Swedish ~0.80, a close paraphrase ~0.90): alone it separates poorly,
  but a high value means a sentence says nearly what was asked.
- `coverage`: the IDF-weighted share of the question's content words found in the best passage (text, title,
  section; compounds split into known parts). A word the corpus has never seen ("parkera", "öppettider") weighs
  most: a question that hinges on it is probably not answered by these documents.
- `typed_ok`: a "hur mycket / när" question got a sentence with a number / a date among the best three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answer_extractive import Candidate

# Calibrated on eval/sets/exempel.jsonl over the sample corpus (answerable and off-corpus questions, follow-ups
# resolved first): `python -m assistant.calibrate` prints every question's signals, searches these values on a
# grid and reports both error rates; tests/assistant/test_refusal.py keeps the result from regressing.
# A question is answered when (coverage >= MIN_COVERAGE and sim >= MIN_SIM) or sim >= SURE_SIM.
MIN_COVERAGE = 0.55
MIN_SIM = 0.85
SURE_SIM = 0.89
# "Vilket mål passar …" asks for the nearest goal, which exists whenever the goals are indexed: a goal passage
# this similar is an answer even when the question's words (laddstolpar, lärlingsplatser) are not in it.
GOAL_FIT_SIM = 0.84


@dataclass
class Relevance:
    sim: float
    coverage: float
    kind: str
    typed_ok: bool
    has_goal: bool

    @property
    def answerable(self) -> bool:
        return decide(self, MIN_COVERAGE, MIN_SIM, SURE_SIM, GOAL_FIT_SIM)


def decide(r: Relevance, min_coverage: float, min_sim: float, sure_sim: float, goal_fit_sim: float) -> bool:
    if not r.typed_ok:
        return False
    if r.kind == "goal_fit" and r.has_goal and r.sim >= goal_fit_sim:
        return True
    return (r.coverage >= min_coverage and r.sim >= min_sim) or r.sim >= sure_sim


def assess(ranked: Sequence[Candidate], kind: str, typed_ok: bool, has_goal: bool) -> Relevance:
    if not ranked:
        return Relevance(0.0, 0.0, kind, False, False)
    return Relevance(
        sim=max(c.sim for c in ranked),
        coverage=max(c.plex for c in ranked),
        kind=kind,
        typed_ok=typed_ok,
        has_goal=has_goal,
    )
