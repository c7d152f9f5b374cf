"""The web app in real headless Chromium: what a resident and a case officer see and do.

Each test saves a screenshot under test-output/screenshots/ for a reviewer to look at. The upload test changes the
index and runs last (pytest keeps the order of the file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api")  # an optional dependency: skip, not an error at collection
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

CLIMATE = "Vilka mål handlar om klimat och miljö?"
SOLAR_DRAFT = (
    "Tjänsteskrivelse\n\n"
    "Installation av solceller på kommunens skolor\n\n"
    "Serviceförvaltningen föreslår att solcellsanläggningar byggs på taken till tolv grundskolor under 2026. "
    "Anläggningarna ska producera förnybar el, minska kommunens klimatpåverkan och sänka elkostnaderna.\n\n"
    "Beslutsförslag\n\nKommunstyrelsen föreslås godkänna investeringen."
)


def open_app(page: Page, app, tab: str | None = None) -> None:
    page.goto(app.url + "/")
    expect(page.locator("#fraga-chatt")).to_be_visible()
    if tab:
        page.get_by_role("tab", name=tab).click()


def assert_nothing_fetched_from_outside(page: Page, app) -> None:
    assert page.requests.outside(app.url) == [], page.requests.outside(app.url)


def test_ask_shows_a_cited_answer_and_the_quoted_passage(page: Page, web_app, screenshot):
    open_app(page, web_app)
    notice = page.locator("#fraga-notis")
    expect(notice).to_contain_text("inte ett beslut")
    expect(notice).to_contain_text("Kontrollera")
    expect(page.locator("html")).to_have_attribute("lang", "sv")

    page.get_by_role("button", name=CLIMATE).click()  # an example question: one click asks it
    answer = page.locator("#fraga-chatt [data-testid='bot']").last
    expect(answer.locator("details.kalla").first).to_be_attached(timeout=60_000)
    expect(answer).to_contain_text("Mål 5")
    expect(answer).to_contain_text("klimat")

    # Clicking the [1] in the text opens source 1, with its quote marked and its origin stated.
    first = answer.locator("details.kalla").first
    expect(first).not_to_have_attribute("open", "")
    answer.locator("a.cite").first.click()
    expect(first).to_have_attribute("open", "")
    mark = first.locator("mark")
    expect(mark).to_be_visible()
    assert len(mark.inner_text().strip()) > 10
    meta = first.locator(".kalla-meta").inner_text()
    assert re.search(r"\d{4}-\d{2}-\d{2}", meta) and "Mål" in meta
    screenshot(page, "1-fraga")

    # Keyboard: a source opens with Enter on its summary; a follow-up is typed and sent with Enter.
    second = answer.locator("details.kalla").nth(1)
    if second.count():
        second.locator("summary").focus()
        page.keyboard.press("Enter")
        expect(second).to_have_attribute("open", "")
    box = page.locator("#fraga-text textarea")
    box.focus()
    page.keyboard.type("Hur mycket kostar det att parkera i centrum?")
    page.keyboard.press("Enter")
    refusal = page.locator("#fraga-chatt [data-testid='bot']").nth(1)
    expect(refusal).to_contain_text("Jag hittar inget", timeout=60_000)

    page.get_by_role("button", name="Ny konversation").click()
    expect(page.locator("#fraga-chatt [data-testid='bot']")).to_have_count(0)
    assert_nothing_fetched_from_outside(page, web_app)


def test_filters_narrow_the_chat(page: Page, web_app):
    open_app(page, web_app)
    choose(page, "#fraga-typ", "Pressmeddelande")
    page.locator("#fraga-text textarea").fill("Vem kan få fritidskortet?")
    page.keyboard.press("Enter")
    answer = page.locator("#fraga-chatt [data-testid='bot']").last
    expect(answer.locator("details.kalla").first).to_be_attached(timeout=60_000)
    metas = answer.locator(".kalla-meta").all_text_contents()  # closed <details>: not "visible" text
    assert metas and all(m.startswith("Pressmeddelande") for m in metas), metas


def choose(page: Page, dropdown: str, option: str) -> None:
    page.locator(f"{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(page.locator(f"{dropdown} input")).to_have_value(option)
    expect(page.get_by_role("option")).to_have_count(0)  # the list has closed (and is not in a screenshot)


def test_goal_finder_lists_the_climate_goal_for_solar_panels(page: Page, web_app, screenshot):
    open_app(page, web_app, "Hitta mål")
    page.locator("#mal-text textarea").fill(SOLAR_DRAFT)
    page.get_by_role("button", name="Hitta mål", exact=True).click()
    first = page.locator("#mal-resultat li.mal").first
    expect(first).to_be_visible(timeout=60_000)
    expect(first.locator(".mal-titel")).to_contain_text("Mål 5.")
    expect(first).to_contain_text("Tydlig koppling")
    expect(first.locator("blockquote").first).to_contain_text("klimat")  # the passage that shows why
    paragraph = page.locator("#mal-stycke textarea")
    expect(paragraph).to_have_value(re.compile(r"^Ärendet bidrar till kommunfullmäktiges mål 5 .*\(.*2019.*\)\.$"))
    titles = page.locator("#mal-resultat .mal-titel").all_inner_texts()
    assert len(titles) == len(set(titles)), titles  # one row per goal
    screenshot(page, "2-hitta-mal")
    assert_nothing_fetched_from_outside(page, web_app)


def test_search_with_filter_shows_snippets(page: Page, web_app, screenshot):
    open_app(page, web_app, "Sök")
    page.locator("#sok-fraga textarea, #sok-fraga input").first.fill("solceller på skolor")
    page.keyboard.press("Enter")
    hits = page.locator("#sok-resultat li.traff")
    expect(hits.first).to_be_visible(timeout=60_000)
    expect(hits.first.locator("mark").first).to_be_visible()
    choose(page, "#sok-typ", "Nämndsplan")
    expect(page.locator("#sok-resultat .kalla-meta").first).to_contain_text("Nämndsplan")
    metas = page.locator("#sok-resultat .kalla-meta").all_inner_texts()
    assert metas and all(m.startswith("Nämndsplan") for m in metas), metas
    choose(page, "#sok-typ", "Alla typer")
    expect(page.locator("#sok-resultat .kalla-meta").first).to_contain_text("Pressmeddelande")
    # The publishers in the index are the choices ("Lunds kommun" issued the sample press releases and plan).
    choose(page, "#sok-utgivare", "Lunds kommun")
    expect(page.locator("#sok-resultat li.traff").first).to_be_visible()
    choose(page, "#sok-utgivare", "Alla utgivare")
    screenshot(page, "3-sok")
    assert_nothing_fetched_from_outside(page, web_app)


def test_readable_at_phone_width(browser, web_app, screenshot):
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(web_app.url + "/")
        expect(page.locator("#fraga-notis")).to_be_visible()
        page.get_by_role("button", name=CLIMATE).click()
        answer = page.locator("#fraga-chatt [data-testid='bot']").last
        expect(answer.locator("details.kalla").first).to_be_attached(timeout=60_000)
        answer.locator("a.cite").first.click()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page is {width}px wide on a 390px screen"
        screenshot(page, "5-mobil-fraga")
    finally:
        page.close()


def test_documents_upload_refused_without_password_then_allowed(
    page: Page, web_app, tmp_path: Path, screenshot, admin_password: str
):
    open_app(page, web_app, "Dokument")
    table = page.locator("#dok-lista")
    expect(table).to_contain_text("Lunds kommuns fokusområden och mål 2019")
    expect(table).to_contain_text("Solceller på tolv skolor")

    doc = tmp_path / "cykelplan-2026.md"
    doc.write_text(
        "---\ntitle: Cykelplan 2026 (testdokument)\ndoc_type: övrigt\ndate: 2026-03-01\n---\n\n# Cykelplan 2026\n\n"
        "Kommunen bygger fyra kilometer ny cykelväg längs Ringvägen och sätter upp 300 cykelställ vid stationen.\n",
        encoding="utf-8",
    )

    page.get_by_text("För personal").click()  # the staff panel starts closed, above the list

    def upload() -> None:  # as a person does it: the button opens the file chooser, the file is chosen
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="Välj filer och ladda upp").click()
        chooser.value.set_files(str(doc))

    upload()  # no password
    status = page.locator("#dok-status")
    expect(status).to_contain_text("Nekad", timeout=30_000)
    expect(status).to_contain_text("Fel lösenord")
    assert not (web_app.home / "uploads").exists() or not any((web_app.home / "uploads").iterdir())
    assert "nekad uppladdning: fel lösenord (från 127.0.0.1" in web_app.log_text()

    page.locator("#dok-losen input").fill(admin_password)
    upload()  # the same file again, now with the password
    expect(status).to_contain_text("inläst", timeout=90_000)
    expect(table).to_contain_text("Cykelplan 2026 (testdokument)")
    stored = web_app.home / "uploads" / doc.name
    assert stored.is_file()
    screenshot(page, "4-dokument")

    page.get_by_role("tab", name="Sök").click()
    page.locator("#sok-fraga textarea, #sok-fraga input").first.fill("cykelställ vid stationen")
    page.keyboard.press("Enter")
    expect(page.locator("#sok-resultat li.traff").first).to_contain_text("Cykelplan 2026", timeout=60_000)

    # Removal: staff only as well; the uploaded file goes with its document.
    page.get_by_role("tab", name="Dokument").click()
    choose(page, "#dok-valj", "Cykelplan 2026 (testdokument) (2026-03-01)")
    page.get_by_role("button", name="Ta bort …", exact=True).click()
    expect(status).to_contain_text("Ta bort Cykelplan 2026 (testdokument)?")  # asked first; nothing removed yet
    assert stored.exists()
    page.get_by_role("button", name="Ja, ta bort").click()
    expect(status).to_contain_text("Borttaget: Cykelplan 2026", timeout=30_000)
    expect(table).not_to_contain_text("Cykelplan 2026")
    assert not stored.exists()
    assert_nothing_fetched_from_outside(page, web_app)
