"""Staff login back-off and anonymous storage, against a real server over real HTTP (Gradio's own routes)."""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("gradio")  # an optional dependency: skip, not an error at collection
from conftest import ADMIN_PASSWORD, WebApp, start_server, stop_server

pytestmark = pytest.mark.slow

CLEANUP_S = 2


@pytest.fixture(scope="module")
def app(web_home: Path, model_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebApp]:
    home = tmp_path_factory.mktemp("sakerhet") / "home"
    shutil.copytree(web_home.with_name(web_home.name + "-kopia"), home)  # its own index: this module writes
    gradio_tmp = tmp_path_factory.mktemp("gradio-tmp")
    env = {"STYRDOK_ADMIN_PASSWORD": ADMIN_PASSWORD, "STYRDOK_UPLOAD_CLEANUP_S": str(CLEANUP_S),
           "GRADIO_TEMP_DIR": str(gradio_tmp)}  # fmt: skip
    app = start_server(home, model_cache, env=env)
    app.gradio_tmp = gradio_tmp  # type: ignore[attr-defined]
    yield app
    stop_server(app)


def fn_index(url: str, elem_id: str, trigger: str = "click") -> int:
    with urllib.request.urlopen(url + "/config", timeout=30) as r:
        config = json.load(r)
    comp = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(d["id"] for d in config["dependencies"] if [comp, trigger] in d["targets"])


def call(url: str, fn: int, data: list) -> str:
    """One event through Gradio's queue, as the page sends it: join, then read the server-sent events."""
    session = uuid.uuid4().hex[:11]
    body = json.dumps({"data": data, "fn_index": fn, "session_hash": session, "event_data": None}).encode()
    req = urllib.request.Request(url + "/gradio_api/queue/join", body, {"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=30).read()
    with urllib.request.urlopen(f"{url}/gradio_api/queue/data?session_hash={session}", timeout=60) as r:
        for raw in r:
            line = raw.decode("utf-8").strip()
            if not line.startswith("data:"):
                continue
            msg = json.loads(line[5:])
            if msg.get("msg") == "process_completed":
                out = msg["output"]
                assert msg.get("success", True), out
                value = out["data"][0]
                return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    raise AssertionError("no result")


def test_wrong_passwords_back_off_and_say_when_to_retry(app: WebApp):
    # The leftover-clearing button: its handler takes the password alone and checks it like upload and removal.
    clear = fn_index(app.url, "dok-rensa")
    start = time.monotonic()
    for _ in range(3):  # free tries: refused, no wait
        out = call(app.url, clear, ["fel-lösen"])
        assert "Fel lösenord" in out
    assert "Försök igen om 1 sekund (kl. " in out  # the third failure starts the back-off
    out = call(app.url, clear, [ADMIN_PASSWORD])  # the right password straight after: refused as well
    assert out.startswith("**Nekad** (kl. ") and "För många felaktiga lösenord. Försök igen om 1 sekund (kl. " in out
    time.sleep(1.2)
    assert "Fel lösenord. Inget har ändrats. För många felaktiga lösenord. Försök igen om 2 sekunder" in call(
        app.url, clear, ["fel-igen"]
    )
    out = call(app.url, clear, [ADMIN_PASSWORD])
    assert "Försök igen om 2 sekunder" in out  # doubled
    time.sleep(2.2)
    assert call(app.url, clear, [ADMIN_PASSWORD]) == "Inga kvarlämnade filer."  # in; nothing to clear
    assert "Fel lösenord" in call(app.url, clear, ["fel"])  # a success clears the count: free tries again
    assert time.monotonic() - start < 30
    log = app.log_text()
    assert "för många felaktiga lösenord, spärrad" in log and "fel-lösen" not in log and ADMIN_PASSWORD not in log


def test_anonymous_upload_is_deleted_within_the_cleanup_interval(app: WebApp):
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="anonym.pdf"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"x" * 100_000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        app.url + "/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        stored = [Path(p) for p in json.load(r)]
    assert stored and stored[0].exists()  # Gradio's route stores first; it cannot ask for the staff password
    assert stored[0].resolve().is_relative_to(Path(app.gradio_tmp).resolve())  # type: ignore[attr-defined]
    deadline = time.monotonic() + CLEANUP_S + 15
    while stored[0].exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not stored[0].exists()
    assert not (app.home / "uploads").exists() or not any((app.home / "uploads").iterdir())


def test_with_staff_functions_off_the_upload_route_stores_nothing(proxied_app: WebApp):
    boundary = uuid.uuid4().hex
    body = (
        (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="anonym.md"\r\n\r\n').encode()
        + b"# Rubrik\n\nText.\n" * 100
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        proxied_app.url + "/gradio_api/upload", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(req, timeout=30)
    assert refused.value.code == 413
