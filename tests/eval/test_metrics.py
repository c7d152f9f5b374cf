"""The metrics are pure functions; these cases pin what counts as supported, relevant and refused."""

import math

import pytest

from eval import metrics as M

PASSAGE = {"n": 1, "title": "Årsbokslut 2025", "date": "2025-12-31", "section": "Mål 9",
           "text": "Kommunen redovisar för 2025 ett resultat på 112,4 mnkr. Nettokostnaderna ökade med 4,1 procent."}  # fmt: skip
Q = {"answerable": True, "evidence": "ett resultat på 112,4 mnkr", "key_fact": "112,4 mnkr"}


def test_retrieval_math():
    rel = [False, False, True, False]
    assert M.recall_at(rel, 2) == 0 and M.recall_at(rel, 3) == 1
    assert M.reciprocal_rank(rel) == pytest.approx(1 / 3)
    assert M.ndcg_at(rel, 10) == pytest.approx(1 / math.log2(4))
    assert M.ndcg_at([False] * 12 + [True], 10) == 0


def test_relevance_by_evidence_or_goal():
    q = {"gold_doc": "a.md", "gold_goal": 5, "evidence": "ledande inom miljö och klimat"}
    assert M.hit_is_relevant(q, "b.pdf", "Mål 5 handlar om annat", goal=5)
    assert M.hit_is_relevant(q, "a.md", "Lund ska vara  ledande inom\nmiljö och klimat")
    assert not M.hit_is_relevant(q, "a.md", "Lund ska ha en hållbar ekonomi", goal=9)


def test_relevance_by_doc_needs_the_gold_document_by_its_path():
    q = {"gold_doc": "x/a.md", "gold_goal": 5, "evidence": "ledande inom miljö och klimat",
         "evidence_alt": [{"doc": "y/b.md", "text": "miljö och klimat går först"}]}  # fmt: skip
    text = "Lund ska vara ledande inom miljö och klimat"
    assert M.hit_is_relevant(q, "x/a.md", text, by_doc=True)
    assert not M.hit_is_relevant(q, "z/a.md", text, by_doc=True)  # the same name in another folder
    assert not M.hit_is_relevant(q, "z/a.md", "Mål 5", goal=5, by_doc=True)
    assert M.hit_is_relevant(q, "y/b.md", "Här: miljö och klimat går först.", by_doc=True)
    assert M.hit_is_relevant(q, "z/a.md", text)  # without by_doc (exempel), any document holding the evidence


def test_verbatim_answer_is_supported():
    ans = {"answer": "Kommunen redovisar för 2025 ett resultat på 112,4 mnkr. [1]", "citations": [PASSAGE]}
    s = M.answer_scores(Q, ans)
    assert s["sentence_support"] == 1 and s["citation_precision"] == 1
    assert s["citation_recall"] == 1 and s["key_fact"] == 1


def test_number_not_in_source_is_unsupported():
    ans = {"answer": "Kommunen redovisar för 2025 ett resultat på 121,4 mnkr. [1]", "citations": [PASSAGE]}
    assert M.answer_scores(Q, ans)["sentence_support"] == 0


def test_words_not_in_source_are_unsupported():
    ans = {"answer": "Parkering i centrum blir gratis för alla invånare från nästa år. [1]", "citations": [PASSAGE]}
    s = M.answer_scores(Q, ans)
    assert s["sentence_support"] == 0 and s["citation_precision"] == 0


def test_uncited_claim_is_checked_against_all_citations_but_framing_is_not():
    ans = {"answer": "Ett resultat redovisas:\n- Kommunen redovisar för 2025 ett resultat på 112,4 mnkr. [1]\n"
                     "Skatten sänks med 3 procent.", "citations": [PASSAGE]}  # fmt: skip
    claims = M.split_sentences(ans["answer"])
    assert [ns for _, ns in claims] == [[], [1], []]
    assert M.answer_scores(Q, ans)["sentence_support"] == pytest.approx(1 / 2)


def test_refusals():
    off = {"answerable": False}
    assert M.answer_scores(off, {"refused": True})["refusal_correct"] == 1
    assert M.answer_scores(off, {"refused": False, "answer": "x"})["refusal_correct"] == 0
    assert M.answer_scores(Q, {"refused": True})["false_refusal"] == 1


def test_aggregate_ignores_missing():
    assert M.aggregate([{"a": 1.0, "b": None}, {"a": 0.0}]) == {"a": 0.5}


def test_a_colon_joins_numbers_only_between_digits():
    assert M.numbers("Beslutsgång hösten 2019: 2019-10-16: förslaget") == ["2019", "2019-10-16"]
    assert M.numbers("kl. 11:28 och 86 200 tkr") == ["11:28", "86 200"]
    label = "Enligt Mål 2019 (2019-10-16), Beslutsgång hösten 2019: 2019-10-16: Förslaget presenteras."
    assert M.supported(label, ["Mål 2019 2019-10-16 Beslutsgång hösten 2019\n2019-10-16: Förslaget presenteras."])
