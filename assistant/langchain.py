"""The assistant inside LangChain: a retriever over styrdok's hybrid search and a Runnable that answers.

from assistant.langchain import StyrdokRetriever, ask_runnable
docs = StyrdokRetriever(service=svc, k=4).invoke("Vilka mål handlar om klimatet?")
answer = ask_runnable(svc).invoke({"question": "Och vad säger de om ekonomin?", "history": [previous]})
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda
from pydantic import ConfigDict

from assistant.service import Service
from assistant.types import Answer
from index.catalog import Filters


class StyrdokRetriever(BaseRetriever):
    """Hybrid search as LangChain Documents; the hit's metadata (title, date, section, page …) rides along."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: Service
    k: int = 5
    filters: Filters | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.service.search(query, k=self.k, filters=self.filters)
        out = []
        for h in hits:
            meta = {k: v for k, v in h.to_json().items() if k != "text"}
            out.append(Document(page_content=h.text, metadata={**meta, "goal": h.goal, "organ": h.organ}))
        return out


def ask_runnable(service: Service) -> Runnable[Any, Answer]:
    """A Runnable: a question (str) or {"question", "history", "filters", "mode"} → Answer."""

    def run(inp: Any) -> Answer:
        if isinstance(inp, str):
            return service.ask(inp)
        return service.ask(inp["question"], inp.get("history"), inp.get("filters"), inp.get("mode"))

    return RunnableLambda(run, name="styrdok_ask")
