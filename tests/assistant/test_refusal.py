"""The refusal gate on the question sets: both error rates, and faithfulness of every answer given.

Guards the calibration recorded in assistant/relevance.py; the eval sets may grow, so the bounds leave some room.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.calibrate import load, rates, run

pytestmark = pytest.mark.slow

SETS = Path(__file__).resolve().parents[2] / "eval" / "sets"


@pytest.fixture(scope="module")
def rows(sample_assistant):
    questions = load(SETS / "exempel.jsonl") + load(SETS / "offcorpus_calibration.jsonl")
    return run(sample_assistant, questions)


def test_offcorpus_questions_are_refused(rows):
    m = rates(rows)
    assert m["offcorpus"] >= 20
    assert m["false_answer_rate"] <= 0.10, [r.question for r in rows if not r.answerable and not r.answer.refused]


def test_answerable_questions_are_mostly_answered_from_the_right_document(rows):
    m = rates(rows)
    # The learned gate (issue 12) refuses more of these than the hand-set one fitted on them (0.29): measured 0.42,
    # with "osäkert" (the nearest passages shown) counted as a refusal.
    assert m["false_refusal_rate"] <= 0.45
    assert m["gold_cited_rate"] >= 0.80


def test_every_sentence_of_every_answer_is_supported(rows):
    m = rates(rows)
    assert m["sentences"] > 80
    bad = [(r.id, r.answer.answer) for r in rows if r.supported != r.sentences]
    assert m["sentence_support_rate"] == 1.0, bad
