"""The web app as a public service must ship it: WCAG 2.1 AA (axe-core), Swedish throughout, the original files one
click away and nothing else served, and a conversation that is really gone when cleared.

Real headless Chromium against the real server over the sample corpus (the session's one server). axe-core comes
bundled in the PyPI package axe-playwright-python: nothing is downloaded. Nothing here changes the index: the
upload test in test_web_browser.py does, and runs after this module. Every state the tests drive is checked by
`check()`: axe and the English-word scan; the axe results per state are written to test-output/axe.json.
"""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")  # an optional dependency: skip, not an error at collection
from conftest import TEST_OUTPUT
from playwright.sync_api import Page, expect

from ui import web_swedish

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE_RESULTS: dict[str, list[str]] = {}
GRADIO_ASSETS = Path(__import__("gradio").__file__).parent / "templates" / "frontend" / "assets"

# Words of Gradio's English interface (and English UI generally) that are not Swedish words.
ENGLISH = re.compile(
    r"\b(error|clear|copy|copied|message|conversation|chatbot|more tabs|loading|processing|queue|submit|upload|"
    r"uploading|invalid|file type|allowed|connection|server was lost|close|scroll|drop|click|retry|undo|like|"
    r"dislike|download|warning|remove|cancel|edit|settings|built with|share|dropdown|select|options|empty|"
    r"attempting|reconnection|search|please|only)\b",
    re.IGNORECASE,
)

# Visible text and accessible names of the interface. Document text (quotes, snippets, tables, titles) is left out:
# a document may quote English; the interface may not.
UI_TEXTS = """() => {
  const skip = "script,style,blockquote,.kalla-text,.traff-text,table.tabell,mark,.dok-titel,.traff-titel,"
    + ".kalla summary,a.original,.traff-stalle,[data-testid='user'],.mal-stycke,textarea";
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement, t = n.nodeValue.trim();
    if (!t || !el || el.closest(skip)) continue;
    if (!el.checkVisibility || !el.checkVisibility({ visibilityProperty: true })) continue;
    out.push(t);
  }
  for (const el of document.querySelectorAll("[aria-label],[title],[placeholder],[alt]")) {
    if (el.closest("script,style")) continue;
    for (const a of ["aria-label", "title", "placeholder", "alt"]) {
      const v = el.getAttribute(a);
      if (v && v.trim()) out.push(a + ": " + v.trim());
    }
  }
  return out;
}"""


def check(page: Page, state: str) -> None:
    """axe: zero WCAG 2.1 A/AA violations; and no English interface words, in this state of the page."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_function("document.title.length > 0")  # Gradio sets it once the app has loaded
    page.wait_for_timeout(300)  # let the Swedish script and Gradio's transitions settle
    result = Axe().run(page, options=WCAG)
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:4]}"
        for v in result.response["violations"]
    ]
    AXE_RESULTS[state] = violations
    texts = page.evaluate(UI_TEXTS)
    english = sorted({t for t in texts if ENGLISH.search(t)})
    raw_html = [t for t in texts if t.startswith("aria-label") and "<" in t]  # a name read aloud, tags and all
    assert not violations, f"{state}: axe violations:\n" + "\n".join(violations)
    assert not english, f"{state}: English on the page: {english}"
    assert not raw_html, f"{state}: markup in accessible names: {raw_html}"


@pytest.fixture(scope="module", autouse=True)
def axe_report():
    yield
    TEST_OUTPUT.mkdir(exist_ok=True)
    (TEST_OUTPUT / "axe.json").write_text(json.dumps(AXE_RESULTS, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.fixture
def english_page(browser):
    """A tab whose browser says it is English: Gradio then picks English texts, the worst case for a resident."""
    pg = browser.new_page()
    pg.add_init_script(
        "Object.defineProperty(navigator, 'language', {get: () => 'en-US'});"
        "Object.defineProperty(navigator, 'languages', {get: () => ['en-US', 'en']});"
    )
    yield pg
    pg.close()


def bots(page: Page):
    return page.locator("#fraga-chatt [data-testid='bot']")


def ask(page: Page, question: str, n: int) -> str:
    """Type a question, wait for answer number n (1-based); returns its text."""
    page.locator("#fraga-text textarea").fill(question)
    page.keyboard.press("Enter")
    expect(bots(page)).to_have_count(n, timeout=60_000)
    answer = bots(page).nth(n - 1)
    expect(answer).not_to_contain_text("Söker i dokumenten", timeout=60_000)
    return answer.inner_text()


FOLLOW_UP = "Och hur mycket pengar får man?"


def test_cleared_conversation_is_forgotten(page: Page, web_app):
    page.goto(web_app.url + "/")
    fresh = ask(page, FOLLOW_UP, 1)  # the question alone, as a new visitor asks it

    page.goto(web_app.url + "/")
    ask(page, "Vem kan få fritidskortet?", 1)
    follow_up = ask(page, FOLLOW_UP, 2)
    assert follow_up != fresh  # the test can fail: with the conversation kept it is read as a follow-up

    # The chat's own trash icon forgets the conversation too, not only what is shown.
    page.locator("#fraga-chatt").get_by_role("button", name="Rensa chatten").click()
    expect(bots(page)).to_have_count(0)
    assert ask(page, FOLLOW_UP, 1) == fresh

    ask(page, "Vem kan få fritidskortet?", 2)
    page.get_by_role("button", name="Ny konversation").click()
    expect(bots(page)).to_have_count(0)
    assert ask(page, FOLLOW_UP, 1) == fresh


def test_ask_tab_swedish_and_accessible_in_every_state(english_page: Page, web_app, screenshot):
    page = english_page
    page.goto(web_app.url + "/")
    expect(page.locator("#fraga-chatt")).to_be_visible()
    expect(page.locator("#fraga-text")).to_contain_text("Skriv inte personuppgifter")
    expect(page.locator("#sidfot")).to_contain_text("Tillgänglighetsredogörelse")
    check(page, "fråga: start")
    ask(page, "Vilka mål handlar om klimat och miljö?", 1)
    answer = bots(page).last
    answer.locator("a.cite").first.click()
    expect(answer.locator("details.kalla").first).to_have_attribute("open", "")
    check(page, "fråga: svar med öppnad källa")
    screenshot(page, "fraga-desktop")

    # The original, from the citation: a new tab with the catalogued file.
    link = answer.locator("details.kalla").first.locator("a.original")
    with page.expect_popup() as popup:
        link.click()
    assert re.search(r"/original/[0-9a-f]{16}", popup.value.url), popup.value.url
    popup.value.close()

    refusal = ask(page, "Hur mycket kostar det att parkera i centrum?", 2)
    assert "Jag hittar inget" in refusal and "Kontakta kommunen" in refusal
    assert bots(page).last.locator("a.original").count() >= 1  # the nearest documents are links
    check(page, "fråga: avböjt svar")


def test_answer_starts_in_view_on_a_phone(browser, web_app, screenshot):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(web_app.url + "/")
        expect(page.locator("#fraga-chatt")).to_be_visible()
        check(page, "fråga: 390 px")
        ask(page, "Vilka mål handlar om klimat och miljö?", 1)
        ask(page, "Vad ska kommunen göra för barn och unga?", 2)  # a long answer, below an earlier one
        page.wait_for_timeout(500)
        top, height = page.evaluate(
            "() => { const b = [...document.querySelectorAll(\"#fraga-chatt [data-testid='bot']\")].pop();"
            " const r = b.getBoundingClientRect(); return [r.top, r.height]; }"
        )
        assert height > 300, f"the answer is only {height}px tall: too short to show anything"
        assert 0 <= top <= 844 * 0.6, f"the answer starts at y={top}, out of view"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        screenshot(page, "fraga-390", full_page=False)
        for tab, name in [("Hitta mål", "hitta-mal-390"), ("Sök", "sok-390"), ("Dokument", "dokument-390")]:
            page.get_by_role("tab", name=tab).click()
            page.wait_for_timeout(300)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, tab
            screenshot(page, name)
    finally:
        page.close()


def test_goals_and_search_tabs(english_page: Page, web_app, screenshot):
    page = english_page
    page.goto(web_app.url + "/")
    page.get_by_role("tab", name="Hitta mål").click()
    check(page, "hitta mål: start")
    page.get_by_role("button", name="Visa ett exempel").click()
    expect(page.locator("#mal-resultat li.mal").first).to_be_visible(timeout=60_000)
    check(page, "hitta mål: resultat")
    screenshot(page, "hitta-mal-desktop")

    page.get_by_role("tab", name="Sök").click()
    check(page, "sök: start")
    box = page.locator("#sok-fraga textarea, #sok-fraga input").first
    box.fill("solceller på skolor")
    page.keyboard.press("Enter")
    hits = page.locator("#sok-resultat li.traff")
    expect(hits.first).to_be_visible(timeout=60_000)
    titles = hits.locator(".traff-titel").all_inner_texts()
    assert len(titles) == len(set(titles)), titles  # one entry per document
    check(page, "sök: träffar")
    screenshot(page, "sok-desktop")
    with page.expect_popup() as popup:
        hits.first.locator("a.original").first.click()
    assert re.search(r"/original/[0-9a-f]{16}", popup.value.url)
    popup.value.close()


def test_documents_tab_and_staff_panel(english_page: Page, web_app, tmp_path: Path, screenshot, admin_password):
    page = english_page
    page.goto(web_app.url + "/")
    page.get_by_role("tab", name="Dokument").click()
    listing = page.locator("#dok-lista")
    expect(listing).to_contain_text("Lunds kommuns fokusområden och mål 2019")
    assert "avsnitt" not in listing.inner_text() and " id " not in listing.inner_text()
    check(page, "dokument: lista")
    screenshot(page, "dokument-desktop")

    # The staff panel is above the list, reachable at once.
    staff = page.locator("#dok-personal")
    assert staff.bounding_box()["y"] < listing.bounding_box()["y"]
    page.locator("#dok-filter textarea, #dok-filter input").first.fill("solceller")
    expect(listing).to_contain_text("Visar 1 av")
    expect(listing).not_to_contain_text("fokusområden")
    check(page, "dokument: filtrerad")

    staff.get_by_text("För personal").click()
    upload_button = page.get_by_role("button", name="Välj filer och ladda upp")
    expect(upload_button).to_be_visible()
    check(page, "dokument: personalpanel")
    bad = tmp_path / "program.exe"
    bad.write_bytes(b"MZ not a document")

    def upload(path: Path) -> None:
        with page.expect_file_chooser() as chooser:
            upload_button.click()
        chooser.value.set_files(str(path))

    status = page.locator("#dok-status")
    upload(bad)  # no password: refused
    expect(status).to_contain_text("Fel lösenord", timeout=30_000)
    first = status.inner_text()
    page.wait_for_timeout(1100)
    upload(bad)  # again: the message visibly changes
    expect(status).not_to_have_text(first, timeout=30_000)
    expect(status).to_contain_text("Fel lösenord")
    check(page, "dokument: fel lösenord")

    page.locator("#dok-losen input").fill(admin_password)
    upload(bad)
    expect(status).to_contain_text("Filtypen .exe stöds inte", timeout=30_000)
    check(page, "dokument: fel filtyp")

    page.locator("#dok-valj input").click()
    page.get_by_role("option").first.click()
    page.get_by_role("button", name="Ta bort …").click()
    expect(status).to_contain_text("Ta bort ")
    expect(page.get_by_role("button", name="Ja, ta bort")).to_be_visible()
    check(page, "dokument: bekräfta borttagning")
    page.get_by_role("button", name="Avbryt").click()
    expect(status).to_contain_text("Inget togs bort")
    expect(page.get_by_role("button", name="Ja, ta bort")).to_be_hidden()


def tab_to(page: Page, selector: str, presses: int = 40) -> None:
    """Press Tab until keyboard focus is on (or inside) `selector`, as a keyboard user moves through the page."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement && !!document.activeElement.closest(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_every_tab_by_keyboard_only(page: Page, web_app):
    page.goto(web_app.url + "/")
    expect(page.locator("#fraga-chatt")).to_be_visible()
    page.locator("h1").click()  # a start point above everything; from here on only the keyboard

    tab_to(page, "#flik-mal-button")
    page.keyboard.press("Enter")
    tab_to(page, "#mal-text")
    page.keyboard.type("Solceller på skolornas tak ska minska klimatpåverkan.")
    tab_to(page, "#mal-knapp")
    page.keyboard.press("Enter")
    expect(page.locator("#mal-resultat li.mal").first).to_be_visible(timeout=60_000)

    page.locator("h1").click()
    tab_to(page, "#flik-sok-button")
    page.keyboard.press("Enter")
    tab_to(page, "#sok-fraga")
    page.keyboard.type("fritidskort")
    page.keyboard.press("Enter")
    expect(page.locator("#sok-resultat li.traff").first).to_contain_text("Fritidskort", timeout=60_000)
    tab_to(page, "#sok-resultat a.original")  # the original is reachable by keyboard

    page.locator("h1").click()
    tab_to(page, "#flik-dokument-button")
    page.keyboard.press("Enter")
    tab_to(page, "#dok-filter")
    page.keyboard.type("fritidskort")
    expect(page.locator("#dok-lista")).to_contain_text("Visar 1 av")
    tab_to(page, "#dok-personal button, #dok-personal [role=button]")
    page.keyboard.press("Enter")
    expect(page.locator("#dok-losen input")).to_be_visible()


def test_gradios_hard_coded_english_becomes_swedish(page: Page, web_app):
    """The connection-lost toast and the loading text can't be provoked without breaking the shared server; the
    exact strings are read from Gradio's own bundle (so an upgrade that changes them fails here) and shown."""
    bundle = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in GRADIO_ASSETS.glob("*.js"))
    lost = "Connection to the server was lost. Attempting reconnection..."
    assert lost in bundle and "processing |" in bundle and "Invalid file type" in bundle
    page.goto(web_app.url + "/")
    expect(page.locator("#fraga-chatt")).to_be_visible()
    page.evaluate(
        "texts => { for (const t of texts) { const p = document.createElement('p'); p.className = 'prov';"
        " p.textContent = t; document.body.appendChild(p); } }",
        [lost, "processing | 0.9s", "Invalid file type: program.exe. Only .pdf, .md allowed.", "Error"],
    )
    shown = page.locator("p.prov").all_inner_texts()
    assert shown == [
        web_swedish.EXACT[lost],
        "arbetar | 0.9s",
        "Filtypen stöds inte: program.exe. Tillåtna filtyper: .pdf, .md.",
        "Fel",
    ]


def test_only_catalogued_files_are_served(web_app):
    def get(path: str) -> tuple[int, dict, bytes]:
        try:
            with urllib.request.urlopen(web_app.url + path, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    with sqlite3.connect(web_app.home / "catalog.sqlite3") as db:  # the catalog is what the route answers from
        rows = db.execute("SELECT doc_id, source FROM documents").fetchall()
    by_suffix = {Path(src).suffix: (doc_id, Path(src)) for doc_id, src in rows}
    doc_id, path = by_suffix[".pdf"]
    status, headers, body = get(f"/original/{doc_id}")
    assert status == 200 and headers["content-type"] == "application/pdf" and body == path.read_bytes()
    assert headers["x-content-type-options"] == "nosniff"
    html_id, _ = by_suffix[".html"]
    status, headers, _ = get(f"/original/{html_id}")
    assert status == 200 and headers["content-type"].startswith("text/plain")  # never rendered as a page
    assert "sandbox" in headers["content-security-policy"]
    for bad in [
        "/original/../../etc/passwd", "/original/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/original/0000000000000000",
        f"/original/{doc_id}/../../catalog.sqlite3", "/original/" + str(path), "/original/catalog.sqlite3",
        f"/original/{doc_id.upper()}", "/gradio_api/file=" + str(path), "/file=" + str(path),
    ]:  # fmt: skip
        status, _, body = get(bad)
        assert status in (403, 404, 405), (bad, status)
        assert body != path.read_bytes()
    req = urllib.request.Request(web_app.url + f"/original/{doc_id}", data=b"x", method="PUT")
    try:
        urllib.request.urlopen(req, timeout=10)
        raise AssertionError("PUT accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 405
    statement = get("/tillganglighet")
    assert statement[0] == 200 and "Tillgänglighetsredogörelse" in statement[2].decode()
