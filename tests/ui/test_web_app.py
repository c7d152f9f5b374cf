"""The app's wiring without a browser: queueing lets users answer in parallel; staff functions off means refused."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("gradio")  # an optional dependency: skip, not an error at collection

from assistant.api import Limits
from assistant.types import Answer, Citation
from ui.upload import AdminGate
from ui.web_docs import remove_handler, upload_handler

SLOW = 2.0  # seconds one fake answer takes


class FakeSettings:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.limits = Limits()  # the upload bound is ingest's own


class SlowService:
    """Stands in for Service: an answer that takes SLOW seconds, like a language model writing."""

    def __init__(self, home: Path) -> None:
        self.settings = FakeSettings(home)
        self.ingested: list[Path] = []

    def documents(self) -> list:
        return []

    def search(self, query: str, k: int = 5, filters: object = None) -> list:
        return []

    def find_goals(self, text: str) -> list:
        return []

    def ingest(self, paths: list[Path]) -> list:
        self.ingested += paths
        return []

    def remove(self, target: str) -> object:
        raise AssertionError("must not be reached without the password")

    def ask_stream(self, question: str, history: object = None, filters: object = None) -> Iterator[str | Answer]:
        yield "Ett "
        time.sleep(SLOW)
        text = "Ett svar [1]."
        c = Citation(1, "d", "d:0", "Titel", "mål", "2019-10-16", 0, "", "svar", 4, 8, "Ett svar här.", "/x.md")
        yield Answer(question=question, answer=text, refused=False, mode="llm", citations=[c])


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_two_users_are_answered_in_parallel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from gradio_client import Client

    from ui.web import WebSettings, build_app

    monkeypatch.delenv("STYRDOK_WEB_CONCURRENCY", raising=False)
    app = build_app(SlowService(tmp_path), AdminGate(""))
    app.queue(default_concurrency_limit=WebSettings().concurrency)
    port = _port()
    app.launch(server_port=port, prevent_thread_lock=True, quiet=True, footer_links=[], ssr_mode=False)
    try:
        url = f"http://127.0.0.1:{port}/"
        results: list[tuple] = []

        def ask(q: str) -> None:
            client = Client(url, verbose=False)
            results.append(client.predict(q, [], "", "", "", api_name="/fraga"))

        start = time.monotonic()
        users = [threading.Thread(target=ask, args=(f"Fråga {i}",)) for i in range(2)]
        for u in users:
            u.start()
        for u in users:
            u.join(timeout=60)
        elapsed = time.monotonic() - start
    finally:
        app.close()
    assert len(results) == 2
    for _, chat in results:
        assert 'href="#kalla-1-1"' in str(chat[-1]["content"])  # the finished, cited answer
    # In series (Gradio's default of one at a time) two answers take 2 × SLOW; in parallel about SLOW.
    assert elapsed < 1.75 * SLOW, f"two answers took {elapsed:.1f}s: the second waited for the first"


def test_concurrency_setting():
    from assistant.api import SettingsError
    from ui.web import DEFAULT_CONCURRENCY, WebSettings

    assert WebSettings.from_env({}).concurrency == DEFAULT_CONCURRENCY > 1
    assert WebSettings.from_env({"STYRDOK_WEB_CONCURRENCY": "8"}).concurrency == 8
    for bad in ("noll", "-2", "0"):
        with pytest.raises(SettingsError, match="^Miljövariabeln STYRDOK_WEB_CONCURRENCY har värdet"):
            WebSettings.from_env({"STYRDOK_WEB_CONCURRENCY": bad})


def test_staff_functions_off_refuse_upload_and_removal(tmp_path: Path):
    svc = SlowService(tmp_path / "home")
    upload = tmp_path / "plan.md"
    upload.write_text("# Plan\n\nText.\n", encoding="utf-8")
    out = upload_handler(svc, AdminGate(""))([str(upload)], "vad som helst")
    assert out.startswith("**Nekad** (kl. ") and "avstängda" in out
    assert not (tmp_path / "home" / "uploads").exists() and svc.ingested == []
    assert remove_handler(svc, AdminGate(""))("d", "x").startswith("**Nekad** (kl. ")


def test_upload_handler_stores_safe_names_and_reports_refused_types(tmp_path: Path):
    svc = SlowService(tmp_path / "home")
    good = tmp_path / "in" / "Mål 2026.md"
    bad = tmp_path / "in" / "skript.sh"
    good.parent.mkdir()
    good.write_text("# Mål\n\nText.\n", encoding="utf-8")
    bad.write_text("echo hej\n", encoding="utf-8")
    out = upload_handler(svc, AdminGate("lösen"))([str(good), str(bad)], "lösen")
    assert "Filtypen .sh stöds inte" in out
    assert svc.ingested == [tmp_path / "home" / "uploads" / "Mål 2026.md"]
