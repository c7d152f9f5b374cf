"""The assistant as a LangChain retriever and Runnable."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")  # an optional dependency: skip, not an error at collection

from assistant.config import LLMSettings
from assistant.langchain import StyrdokRetriever, ask_runnable
from assistant.service import Service
from assistant.types import Answer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(sample_index):
    return Service(settings=sample_index.settings, index=sample_index, llm=LLMSettings())


def test_retriever_returns_documents_with_metadata(service):
    docs = StyrdokRetriever(service=service, k=3).invoke("Vilka mål handlar om klimatet?")
    assert len(docs) == 3
    assert any("klimat" in d.page_content for d in docs)
    assert {"title", "date", "section", "chunk_id", "source"} <= set(docs[0].metadata)


def test_runnable_answers_and_follows_up(service):
    chain = ask_runnable(service)
    first = chain.invoke("Vilka mål ingår i Lundaborna i fokus?")
    assert isinstance(first, Answer) and not first.refused
    second = chain.invoke({"question": "Och vad säger de om ekonomin?", "history": [first]})
    assert "Mål 9" in second.answer
    assert [a.refused for a in chain.batch(["Vilka mål handlar om klimatet?", "Vad kostar parkering i centrum?"])] == [
        False,
        True,
    ]
