"""The sentence with the asked-for number leads the answer, even when it lacks the question's words (issue 12:
"… och vad kostar det?" missed "1 500 kronor"). Hand-scored candidates over a real passage text: no model needed."""

from __future__ import annotations

from assistant.answer_extractive import Candidate, compose, units
from assistant.types import Passage

TEXT = (
    "Nu införs fritidskortet för unga i kommunen. Kortet laddas med 1 500 kronor per kalenderår. "
    "Ansökan görs i e-tjänsten. Korten skickas hem med posten. Handläggningen sköts centralt. "
    "Kommunen har avsatt 9,8 mnkr för satsningen."
)


def _ranked(p: Passage, order: list[int], lex: dict[int, float]) -> list[Candidate]:
    """Candidates for the passage's sentences, best first in `order` (indexes into its sentences)."""
    spans = [u for u, _ in units(p)]
    return [Candidate(0, spans[k], 0.9 - 0.001 * r, lex.get(k, 0.0), 0.5, 0.9 - 0.001 * r) for r, k in enumerate(order)]


def _passage(text: str = TEXT) -> Passage:
    return Passage("d", ["d:0"], "Fritidskort för unga", "pressmeddelande", "2026-01-10", 0, "", text, "f.md")


def test_the_neighbouring_sentence_with_the_amount_leads():
    p = _passage()
    # The best sentence names the card but holds no amount; the one after it holds the amount, not the question's words.
    c = compose("Och vad kostar fritidskortet?", "", [p], _ranked(p, [0, 2, 3, 1, 4, 5], {0: 0.6}))
    assert c.typed_ok
    assert "1 500 kronor" in c.text
    assert c.citations[0].quote.startswith("Nu införs fritidskortet")  # joined with the sentence it follows


def test_a_number_far_from_the_best_sentence_is_not_pulled_in():
    p = _passage()
    # "9,8 mnkr" stands five sentences away and shares no word with the question: not about the same thing.
    text = TEXT.replace("Kortet laddas med 1 500 kronor per kalenderår.", "Kortet laddas varje år.")
    p = _passage(text)
    c = compose("Och vad kostar fritidskortet?", "", [p], _ranked(p, [0, 2, 3, 1, 4, 5], {0: 0.6}))
    assert not c.typed_ok and "9,8 mnkr" not in c.text
