"""What the chat (CLI) and the web app's Fråga tab show while an LLM answers: a status line until a sentence has
passed verification, then verified sentences, then the finished answer — never the model's draft."""

from __future__ import annotations

from collections.abc import Iterator

from click.testing import CliRunner

from assistant.types import FORMULATING, Answer, Citation, LLMReport, Status

SENTENCES = ["Tolv skolor får solceller [1].", " De ska vara klara 2026 [1]."]


def _answer(question: str, text: str, mode: str = "llm", notice: str = "") -> Answer:
    c = Citation(1, "d", "d:0", "Solceller", "pressmeddelande", "2025-03-01", 0, "", "tolv skolor", 0, 11,
                 "tolv skolor får solceller", "/x.md")  # fmt: skip
    return Answer(question, text, False, mode, [c], notice=notice, llm=LLMReport(True, 2, 0, None))  # type: ignore[arg-type]


class StreamingService:
    def __init__(self, fallback: bool = False) -> None:
        self.fallback = fallback

    def documents(self) -> list:
        return []

    def ask_stream(self, question: str, history: object = None, filters: object = None, mode: object = None
                   ) -> Iterator[str | Status | Answer]:  # fmt: skip
        yield Status(FORMULATING)
        yield from SENTENCES
        if self.fallback:
            yield _answer(question, "Citat ur dokumentet [1].", "extractive", "Språkmodellens svar gick inte …")
        else:
            yield _answer(question, "".join(SENTENCES))


def test_web_shows_the_status_then_only_verified_sentences():
    from ui.web_ask import WAITING, respond_handler

    steps = [chat[-1]["content"] for _, chat, _ in respond_handler(StreamingService())("Fråga?", [], [], "", "")]
    assert steps[0] == WAITING and steps[1] == FORMULATING
    assert steps[2].startswith("Tolv skolor får solceller [1].") and "klara" not in steps[2]
    assert "klara 2026" in steps[3]
    assert 'href="#kalla-' in steps[-1]  # the finished answer, with its source links


def test_chat_prints_the_status_and_the_sentences_once(monkeypatch):
    import ui.cli as cli

    for fallback in (False, True):
        monkeypatch.setattr(cli, "_service", lambda fb=fallback: StreamingService(fb))
        out = CliRunner().invoke(cli.main, ["chat"], input="Hur många skolor får solceller?\n").output
        assert FORMULATING in out and "kontrollerat svar" not in out
        assert out.count("Tolv skolor får solceller [1].") == 1  # streamed, not printed again
        assert ("Citat ur dokumentet [1]." in out) is fallback  # a fallback's answer follows the streamed sentences
