"""Do the retrieved passages answer the question at all? The hand-set rule that was the refusal gate.

Since issue 12 the decision is the learned gate's (assistant/gate_model.py); this rule is one of its features
("old_rule"), and `Relevance` stays the record of the signals (assistant/calibrate.py prints them).

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

# Calibrated on the sample corpus with eval/sets/exempel.jsonl (92 answerable, 18 off-corpus) and
# eval/sets/offcorpus_calibration.jsonl (16 more off-corpus), follow-ups resolved first: `python -m
# assistant.calibrate eval/sets/exempel.jsonl eval/sets/offcorpus_calibration.jsonl --grid` prints every question's
# signals and ranks threshold sets by false refusals + 2 × false answers (answering off-corpus shows unrelated
# quotes as if they answered). Measured 2026-11-27 with these values: 1 of 34 off-corpus questions answered (2.9 %;
# 1 of the 18 in exempel.jsonl), 27 of 92 answerable refused (29.3 %) — mostly paraphrases whose words are not in
# the documents and whose retrieved passages often do not hold the answer either (fused search has the evidence in
# its top 5 for 68 of 92; dense alone 78). The optimum is flat: neighbouring values trade one error for the other.
# tests/assistant/test_refusal.py guards the rates.
# A question is answered when (coverage >= MIN_COVERAGE and sim >= MIN_SIM) or sim >= SURE_SIM, or when
# (coverage >= FULL_COVERAGE and sim >= FULL_COVERAGE_SIM), or for a goal-fit question as below.
MIN_COVERAGE = 0.5
MIN_SIM = 0.875
SURE_SIM = 0.89
# Every content word of the question in one passage (coverage ~1): a lower similarity is enough.
FULL_COVERAGE = 0.95
FULL_COVERAGE_SIM = 0.855
# "Vilket mål passar …" asks for the nearest goal, which exists whenever the goals are indexed: a goal passage
# this similar is an answer even when the question's words (laddstolpar, lärlingsplatser) are not in it.
GOAL_FIT_SIM = 0.83


@dataclass
class Relevance:
    sim: float
    coverage: float
    kind: str
    typed_ok: bool
    has_goal: bool
    named: bool = False  # the question names metadata the answer lists (a focus area's goals)

    @property
    def answerable(self) -> bool:
        return decide(self)


def decide(
    r: Relevance,
    min_coverage: float = MIN_COVERAGE,
    min_sim: float = MIN_SIM,
    sure_sim: float = SURE_SIM,
    goal_fit_sim: float = GOAL_FIT_SIM,
    full_sim: float = FULL_COVERAGE_SIM,
) -> bool:
    if not r.typed_ok:
        return False
    if r.named:
        return True
    if r.kind == "goal_fit" and r.has_goal and r.sim >= goal_fit_sim:
        return True
    if r.coverage >= FULL_COVERAGE and r.sim >= full_sim:
        return True
    return (r.coverage >= min_coverage and r.sim >= min_sim) or r.sim >= sure_sim


def assess(ranked: Sequence[Candidate], kind: str, typed_ok: bool, has_goal: bool, named: bool = False) -> Relevance:
    if not ranked:
        return Relevance(0.0, 0.0, kind, False, False)
    return Relevance(
        sim=max(c.similarity for c in ranked),
        coverage=max(c.passage_overlap for c in ranked),
        kind=kind,
        typed_ok=typed_ok,
        has_goal=has_goal,
        named=named,
    )
