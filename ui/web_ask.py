"""The Fråga tab: a chat that answers from the documents, with numbered sources the reader can open and check."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gradio as gr

from assistant.service import Service
from assistant.types import Answer, Status
from ui import render
from ui.web_common import ERROR_TEXT, filter_dropdowns, log, to_filters
from ui.web_public import PERSONAL_DATA, PublicTexts

EXAMPLES = [
    "Vilka mål handlar om klimat och miljö?",
    "Vad ska kommunen göra för barn och unga?",
    "Hur många skolor får solceller?",
    "Vem kan få fritidskortet?",
]
MAX_QUESTION = 1000  # a question, not a document: longer input is cut rather than sent to the search
WAITING = "Söker i dokumenten …"

Chat = list[dict]
Step = tuple[str, Chat, list[Answer]]


def _events(service: Service, question: str, history: list[Answer], filters: object) -> Iterator[str | Status | Answer]:
    """Status lines and verified sentences while an LLM writes, then the finished Answer (ask_stream); or just the
    Answer (ask)."""
    stream = getattr(service, "ask_stream", None)
    if stream is not None:
        yield from stream(question, history=history, filters=filters)
    else:
        yield service.ask(question, history=history, filters=filters)


# After an answer: show its start, not its end. The chat box scrolls inside itself; on a phone a long answer would
# otherwise leave only its last lines in view.
SHOW_ANSWER_START = """() => {
  const bots = document.querySelectorAll("#fraga-chatt [data-testid='bot']");
  const last = bots[bots.length - 1];
  if (!last) return;
  let box = last.parentElement;
  while (box && box.scrollHeight <= box.clientHeight + 1) box = box.parentElement;
  if (box && box.contains(last)) box.scrollTop += last.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
  const top = last.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight * 0.6) window.scrollBy(0, top - 80);
}"""


def respond_handler(service: Service, contact: str = "") -> Callable[..., Iterator[Step]]:
    def respond(message: str, chat: Chat, history: list[Answer], *filters: str) -> Iterator[Step]:
        # filters: the filter dropdowns' values (ui/web_common.py)
        question = " ".join((message or "").split())[:MAX_QUESTION]
        if not question:
            yield "", chat, history
            return
        turn = len(chat) + 1  # index of the answer in the chat: makes its source anchors unique on the page
        chat = [*chat, {"role": "user", "content": render.esc(question)}, {"role": "assistant", "content": WAITING}]
        yield "", chat, history
        partial, answer = "", None
        try:
            for event in _events(service, question, history, to_filters(*filters)):
                if isinstance(event, Answer):
                    answer = event
                elif isinstance(event, Status):  # "Formulerar svaret …" until a sentence has passed verification
                    if not partial:
                        chat[-1] = {"role": "assistant", "content": render.esc(event.text)}
                        yield "", chat, history
                elif event:  # a sentence that has passed verification: never the model's draft
                    partial += str(event)
                    chat[-1] = {"role": "assistant", "content": render.streaming_message(partial)}
                    yield "", chat, history
        except Exception:
            log.exception("frågan kunde inte besvaras")
        if answer is None:
            chat[-1] = {"role": "assistant", "content": ERROR_TEXT}
            yield "", chat, history
            return
        chat[-1] = {"role": "assistant", "content": render.answer_message(answer, turn, contact)}
        yield "", chat, [*history, answer]

    return respond


def build(service: Service, texts: PublicTexts | None = None) -> list[gr.Dropdown]:
    """Lay out the tab; returns the filter dropdowns so the page can refresh their choices."""
    texts = texts or PublicTexts()
    gr.Markdown(render.NOTICE, elem_id="fraga-notis", elem_classes=["notis"])
    chat = gr.Chatbot(
        label="Samtal", show_label=False, elem_id="fraga-chatt", height=460, buttons=["copy"], feedback_options=None, autoscroll=False,
        placeholder="Ställ en fråga om kommunens mål, planer, budget eller beslut. Svaret visar varifrån det kommer.",
    )  # fmt: skip
    history = gr.State([])  # the Answers so far: follow-up questions are read in their light
    message = gr.Textbox(
        label="Din fråga", placeholder="Skriv din fråga och tryck Enter", elem_id="fraga-text", info=PERSONAL_DATA,
        max_length=MAX_QUESTION, submit_btn="Fråga", autofocus=True,
    )  # fmt: skip
    with gr.Row():
        filters = filter_dropdowns("fraga")
        new = gr.Button("Ny konversation", elem_id="fraga-ny", min_width=160)
    gr.Markdown("**Exempel på frågor** – klicka för att fråga:")
    with gr.Row(elem_classes=["exempel"]):
        examples = [gr.Button(q, size="sm", min_width=200) for q in EXAMPLES]

    respond = respond_handler(service, texts.contact_html())
    io = {"inputs": [message, chat, history, *filters], "outputs": [message, chat, history]}
    message.submit(respond, api_name="fraga", **io).then(None, js=SHOW_ANSWER_START)
    for button, q in zip(examples, EXAMPLES, strict=True):
        button.click(lambda q=q: q, None, message, queue=False).then(respond, **io).then(None, js=SHOW_ANSWER_START)
    # One way to start over: the button and the chat's own trash icon both forget the conversation, not only what
    # is shown, so the next person's question is never read as a follow-up to the last person's.
    new.click(lambda: ("", [], []), None, [message, chat, history], queue=False)
    chat.clear(lambda: ("", []), None, [message, history], queue=False)
    return filters
