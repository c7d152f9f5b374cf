"""Behind a reverse proxy under a path prefix, with staff functions off: the page loads, searches and refuses."""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api")  # an optional dependency: skip, not an error at collection
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]


def test_works_under_a_path_prefix_and_refuses_staff_functions(page: Page, proxied_app, screenshot):
    page.goto(proxied_app.url + "/")
    expect(page.locator("#fraga-notis")).to_be_visible()
    page.get_by_role("tab", name="Sök").click()
    page.locator("#sok-fraga textarea, #sok-fraga input").first.fill("fritidskort för unga")
    page.keyboard.press("Enter")
    expect(page.locator("#sok-resultat li.traff").first).to_contain_text("Fritidskort", timeout=60_000)
    # The original file is reached through the prefix too (the link is relative to the page).
    href = page.locator("#sok-resultat a.original").first.evaluate("a => a.href")
    assert href.startswith(proxied_app.url + "/original/"), href
    response = page.request.get(href)
    assert response.status == 200 and "Fritidskort" in response.text()

    page.get_by_role("tab", name="Dokument").click()
    page.get_by_role("button", name="För personal").click()  # closed by default when the functions are off
    expect(page.locator("#dok-avstangt")).to_contain_text("avstängda")
    expect(page.get_by_role("button", name="Välj filer och ladda upp")).to_have_count(0)
    expect(page.locator("input[type=file]")).to_have_count(0)  # nothing to upload through, not even hidden
    screenshot(page, "6-dokument-utan-personal")

    # Every request went through the prefix: nothing escaped to the proxy's root or outside. Except one: Gradio's
    # page template links its web-app manifest as "/manifest.json" whatever the root path (gradio 6.31); the browser
    # fetches it only for install-as-app and nothing on the page needs it.
    port_root = proxied_app.url.rsplit("/", 1)[0]
    stray = [
        u for u in page.requests.urls
        if u.startswith(port_root) and not u.startswith(proxied_app.url) and u != port_root + "/manifest.json"
    ]  # fmt: skip
    assert stray == [], stray
    assert page.requests.outside(proxied_app.url) == [], page.requests.outside(proxied_app.url)
