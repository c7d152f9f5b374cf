"""Follow-up questions made standalone: by rules, and by an LLM with the rules as fallback."""

from __future__ import annotations

import pytest

from assistant.conversation import Conversation, is_followup, resolve, rule_rewrite
from assistant.llm.base import GeneratorError
from assistant.prompts import REWRITE_MAX_TOKENS
from assistant.types import Answer


@pytest.mark.parametrize(
    ("previous", "question", "expected"),
    [
        ("Vilka mål ingår i Lundaborna i fokus?", "Och vad säger de om ekonomin?", "Vad säger målen om ekonomin?"),
        ("Vilka mål handlar om klimatet?", "Hur är det med arbetsgivaren?", "Vad säger målen om arbetsgivaren?"),
        (
            "Hur mycket ökade nettokostnaderna 2025?",
            "Och skatteintäkterna?",
            "Hur mycket ökade nettokostnaderna 2025, och skatteintäkterna?",
        ),
        (
            "Hur mycket pengar laddas fritidskortet med?",
            "Och hur många ungdomar omfattas?",
            "Hur många ungdomar omfattas? (pengar laddas fritidskortet)",
        ),
    ],
)
def test_rule_rewrites(previous: str, question: str, expected: str):
    assert rule_rewrite(question, previous) == expected


def test_standalone_questions_are_left_alone():
    assert not is_followup("Vad kostar det att parkera i centrum?")
    r = resolve("Vilka mål handlar om klimatet?", ["Vad kostar fritidskortet?"])
    assert r.standalone == "Vilka mål handlar om klimatet?" and not r.is_followup
    assert resolve("Och vad säger de om ekonomin?").standalone == "Och vad säger de om ekonomin?"  # no history


def test_history_may_hold_answers_and_chains_use_their_standalone_form():
    first = Answer("Vilka mål ingår i Lundaborna i fokus?", "…", False, "extractive")
    second = Answer(
        "Och vad säger de om ekonomin?", "…", False, "extractive", standalone_question="Vad säger målen om ekonomin?"
    )
    r = resolve("Och vad står det om skatten?", [first, second])
    assert r.standalone == "Vad säger målen om skatten?"
    conv = Conversation()
    conv.add(second)
    assert conv.history == ["Vad säger målen om ekonomin?"]
    conv.reset()
    assert conv.history == []


class ScriptedLLM:
    name = "scripted"

    def __init__(self, reply: str | Exception) -> None:
        self.reply = reply
        self.calls = 0
        self.options: list[dict] = []

    def generate(self, messages, max_tokens=None, stop=()):
        self.calls += 1
        self.options.append({"max_tokens": max_tokens, "stop": list(stop)})
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def stream(self, messages, max_tokens=None, stop=()):
        yield self.generate(messages, max_tokens, stop)


def test_llm_rewrites_and_rules_take_over_when_it_fails():
    prev = ["Vilka mål ingår i Lundaborna i fokus?"]
    llm = ScriptedLLM("Vad säger Lunds mål om kommunens ekonomi?")
    ok = resolve("Och vad säger de om ekonomin?", prev, llm=llm)
    assert (ok.standalone, ok.rewritten_by) == ("Vad säger Lunds mål om kommunens ekonomi?", "llm")
    # A rewrite is one short line: capped and cut at the line break, so a model that rambles costs no seconds.
    assert llm.options == [{"max_tokens": REWRITE_MAX_TOKENS, "stop": ["\n"]}] and REWRITE_MAX_TOKENS <= 64
    down = resolve("Och vad säger de om ekonomin?", prev, llm=ScriptedLLM(GeneratorError("nere")))
    assert (down.standalone, down.rewritten_by) == ("Vad säger målen om ekonomin?", "rules")
    rambling = ScriptedLLM("Här är frågan:\nVad säger målen om ekonomin?\nHoppas det hjälper!")
    assert resolve("Och vad säger de om ekonomin?", prev, llm=rambling).rewritten_by == "rules"


def test_a_leading_ellipsis_continues_the_last_question():
    """ "… och vad kostar det?" (as people write a continuation) keeps its subject like "Och vad kostar det?"."""
    for q in ("… och vad kostar det?", "...och vad kostar det?"):
        r = resolve(q, ["Vem kan få fritidskortet?"])
        assert r.is_followup and r.question == q
        assert "fritidskortet" in r.standalone and r.standalone.startswith("Vad kostar det?")
    assert resolve("… och vad kostar det?").standalone == "… och vad kostar det?"  # no history: left alone
