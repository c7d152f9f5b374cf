"""The learned answer gate: how likely is the draft answer to be right, and which of three kinds of reply to give.

Features are the signals answering computes anyway (sentence similarity, word coverage, the search's own scores,
what kind of question it is …), collected by `features`. The model is fitted by `eval/train_gate.py` (`make
train-gate`) on labelled examples from SweQUAD-MC training (with and without the gold context), the verkliga dev
split and exempel, and stored as a few KB of JSON (`assistant/gate.json`): a logistic regression (a dot product) or
small gradient-boosted trees over all FEATURES or a subset (the file names the ones it reads), evaluated here without
scikit-learn. Two thresholds on the probability, chosen on held-out dev rows, give the reply: "svar" (answer), "osäkert" (show the nearest passages, assert nothing) or "inget" (refuse).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.answer_extractive import Candidate, Composed
from assistant.relevance import Relevance, decide
from assistant.scoring import TermWeights, terms_of
from assistant.text import numbers
from assistant.types import Confidence, Passage

MODEL_FILE = Path(__file__).resolve().parent / "gate.json"

KINDS = ("fact", "number", "date", "goals", "goal", "goal_fit", "goal_about")
BASE_FEATURES = (
    "sim_max",  # best dense similarity of any candidate sentence
    "sim_top",  # dense similarity of the top-ranked sentence
    "score_top",  # combined sentence score of the top sentence
    "score_gap",  # its lead over the best sentence of another passage
    "lex_top",  # IDF-weighted share of the question's words in the top sentence
    "plex_max",  # ... in the best passage
    "plex_top",  # ... in the top sentence's passage
    "rare_in_top",  # the question's rarest word is in the top sentence's passage
    "unknown",  # IDF weight share of question words the corpus has never seen (nor all parts of, for a compound)
    "n_terms",  # content words in the question (log)
    "dense_p0",  # best dense similarity of the first passage's chunks
    "dense_gap",  # first passage's dense similarity minus the second's
    "lexical_p0",  # BM25 of the first passage (log)
    "top_in_p0",  # the top sentence comes from the first passage
    "typed_ok",  # a number/date question got a number/date in a sentence about it
    "named",  # the question names a focus area whose goals the metadata lists
    "has_goal",  # the answer quotes a goal
    "table_row",  # the top sentence is a table row
    "top_len",  # words in the top sentence (log)
    "top_has_number",
    "n_passages",
    # Relative to the question's own baseline (added after the first gate): e5 puts every text in a narrow,
    # question-dependent band, so how far the best sentence stands out of the retrieved ones carries over between
    # corpora better than its raw similarity.
    "sim_contrast",  # best sentence similarity minus the mean over all candidate sentences
    "sim_z",  # the same in standard deviations
    "dense_spread",  # first passage's dense similarity minus the last one's
    "miss_rare",  # IDF of the rarest question word no passage holds, relative to the rarest word's
    "top_agree",  # the top sentence is also the one with the most question words
    # The whole draft, not only its top sentence (added when the draft began quoting up to three near-best
    # sentences): what the reply would assert.
    "ans_lex",  # IDF-weighted share of the question's words in the quoted text
    "rare_in_ans",  # the question's rarest word is in the quoted text
    "n_quotes",  # quotes (citations) in the draft
    "goal_strong",  # a goal answer whose goals' own words hold every topic word of the question
) + tuple(f"kind_{k}" for k in KINDS)
# Computed from the features above (so cached training rows need no recomputation): the hand-set rule that was the
# gate before (assistant/relevance.py), tuned on this project's own documents — a signal the model may weigh.
DERIVED = ("old_rule",)
FEATURES = BASE_FEATURES + DERIVED


def derive(f: dict[str, float]) -> dict[str, float]:
    """`f` with the DERIVED features added."""
    kind = next((k for k in KINDS if f.get(f"kind_{k}")), "fact")
    rel = Relevance(f.get("sim_max", 0.0), f.get("plex_max", 0.0), kind, bool(f.get("typed_ok")),
                    bool(f.get("has_goal")), bool(f.get("named")))  # fmt: skip
    return f | {"old_rule": float(decide(rel))}


@dataclass
class Gate:
    """A fitted gate: probability that the draft answer is right, and the two thresholds of the three replies."""

    kind: str  # "logistic" | "trees"
    features: tuple[str, ...]
    svar: float  # p >= svar: answer
    inget: float  # p < inget: refuse; in between: osäkert
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    trees: tuple[dict, ...] = ()
    learning_rate: float = 0.1
    info: dict | None = None

    @classmethod
    def from_json(cls, data: dict) -> Gate:
        return cls(
            kind=data["kind"], features=tuple(data["features"]), svar=data["thresholds"]["svar"],
            inget=data["thresholds"]["inget"], mean=tuple(data.get("mean", ())), scale=tuple(data.get("scale", ())),
            coef=tuple(data.get("coef", ())), intercept=data.get("intercept", 0.0), trees=tuple(data.get("trees", ())),
            learning_rate=data.get("learning_rate", 0.1), info=data.get("info"),
        )  # fmt: skip

    def probability(self, feats: dict[str, float]) -> float:
        x = [float(feats.get(f, 0.0)) for f in self.features]
        if self.kind == "logistic":
            z = self.intercept + sum(
                c * (v - m) / (s or 1.0) for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True)
            )
        else:
            z = self.intercept + self.learning_rate * sum(_tree(t, x) for t in self.trees)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def reply(self, p: float) -> Confidence:
        return "svar" if p >= self.svar else "osäkert" if p >= self.inget else "inget"


def _tree(t: dict, x: Sequence[float]) -> float:
    """One regression tree as sklearn stores it (children, feature, threshold, value per node)."""
    node = 0
    left, right, feat, thr, val = t["left"], t["right"], t["feature"], t["threshold"], t["value"]
    while left[node] != -1:
        node = left[node] if x[feat[node]] <= thr[node] else right[node]
    return val[node]


@lru_cache(maxsize=4)
def load(path: Path = MODEL_FILE) -> Gate:
    return Gate.from_json(json.loads(path.read_text(encoding="utf-8")))


def features(
    question_terms: Sequence[str],
    kind: str,
    ranked: Sequence[Candidate],
    composed: Composed,
    passages: Sequence[Passage],
    weights: TermWeights,
) -> dict[str, float]:
    """The gate's inputs for one prepared answer (all zero when nothing was found)."""
    f = dict.fromkeys(BASE_FEATURES, 0.0)
    f[f"kind_{kind}"] = 1.0
    f["n_terms"] = math.log1p(len(question_terms))
    f["n_passages"] = float(len(passages))
    total = sum(weights.weights.get(t, 1.0) for t in question_terms) or 1.0
    f["unknown"] = sum(weights.weights.get(t, 1.0) for t in question_terms if not weights.in_corpus(t)) / total
    if passages:
        f["dense_p0"] = passages[0].dense
        f["dense_gap"] = passages[0].dense - (passages[1].dense if len(passages) > 1 else 0.7)
        f["lexical_p0"] = math.log1p(max(0.0, passages[0].lexical))
    f["typed_ok"] = float(composed.typed_ok)
    f["named"] = float(composed.named)
    f["has_goal"] = float(composed.has_goal)
    f["goal_strong"] = float(composed.strong)
    if not ranked:
        return derive(f)
    top = ranked[0]
    f["sim_max"] = max(c.similarity for c in ranked)
    f["sim_top"] = top.similarity
    f["score_top"] = top.score
    other = next((c.score for c in ranked if c.passage != top.passage), top.score - 0.05)
    f["score_gap"] = top.score - other
    f["lex_top"] = top.overlap
    f["plex_max"] = max(c.passage_overlap for c in ranked)
    f["plex_top"] = top.passage_overlap
    f["top_in_p0"] = float(top.passage == 0)
    f["table_row"] = float("|" in top.span.text)
    f["top_len"] = math.log1p(len(top.span.text.split()))
    f["top_has_number"] = float(bool(numbers(top.span.text)))
    sims = [c.similarity for c in ranked]
    mean = sum(sims) / len(sims)
    sd = math.sqrt(sum((x - mean) ** 2 for x in sims) / len(sims))
    f["sim_contrast"] = f["sim_max"] - mean
    f["sim_z"] = (f["sim_max"] - mean) / sd if sd > 1e-6 else 0.0
    f["dense_spread"] = passages[0].dense - passages[-1].dense if passages else 0.0
    best_lex = max(ranked, key=lambda c: (c.overlap, c.score))
    f["top_agree"] = float(best_lex is top or best_lex.overlap == top.overlap)
    quoted = terms_of(" ".join(c.quote for c in composed.citations))
    f["ans_lex"] = weights.coverage(question_terms, quoted)
    f["n_quotes"] = float(len(composed.citations))
    if question_terms:
        rare = max(question_terms, key=lambda t: weights.weights.get(t, 1.0))
        f["rare_in_ans"] = float(weights.present(rare, quoted))
        p = passages[top.passage]
        f["rare_in_top"] = float(weights.present(rare, terms_of(f"{p.title}\n{p.section}\n{p.text}")))
        every = terms_of("\n".join(f"{x.title}\n{x.section}\n{x.text}" for x in passages))
        missing = [weights.weights.get(t, 1.0) for t in question_terms if not weights.present(t, every)]
        f["miss_rare"] = max(missing, default=0.0) / (weights.weights.get(rare, 1.0) or 1.0)
    return derive(f)
