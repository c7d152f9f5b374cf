"""Answer, hits and goals → the HTML the page shows: marking, links, escaping. No browser needed."""

from __future__ import annotations

import re

from assistant.goal_finder import GoalMatch
from assistant.types import Answer, Citation, ClosestDoc
from index.hybrid import Hit
from ui import render

PASSAGE = "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat\nLund har i dag en framskjuten plats."


def cite(
    n: int = 1, text: str = PASSAGE, quote: str = "ledande inom miljö och klimat", title: str = "Mål 2019"
) -> Citation:
    start = text.index(quote)
    return Citation(
        n=n, doc_id="d1", chunk_id="d1:0003", title=title, doc_type="mål", date="2019-10-16", page=3,
        section="Fokusområde 2 › Mål 5", quote=quote, start=start, end=start + len(quote), text=text, source="/x.md",
    )  # fmt: skip


def test_passage_marks_exactly_the_quote():
    c = cite()
    out = render.passage_html(c.text, c.start, c.end)
    assert re.findall(r"<mark>(.*?)</mark>", out) == ["ledande inom miljö och klimat"]
    assert "<br>" in out and "\n" not in out  # no newline: the Markdown renderer must not end the HTML block


def test_bad_offsets_mark_nothing():
    assert "<mark>" not in render.passage_html("abc", 2, 9)
    assert "<mark>" not in render.passage_html("abc", 2, 2)


def test_document_text_is_escaped_everywhere():
    evil = 'Text <script>alert(1)</script> & <img src=x onerror="y"> slut.'
    c = cite(text=evil, quote="slut", title="<b>Titel</b>")
    a = Answer(question="q", answer="Svar <script>x</script> [1].", refused=False, mode="extractive", citations=[c])
    out = render.answer_message(a, turn=2)
    assert "<script>" not in out and "<img" not in out and "<b>Titel" not in out
    assert "&lt;script&gt;" in out and "<mark>slut</mark>" in out


def test_citations_link_to_their_own_answer_and_unknown_numbers_stay_text():
    a = Answer(
        question="q", answer="Mål 5 gäller klimat [1]. Se även [1, 2] och [7].", refused=False, mode="extractive",
        citations=[cite(1), cite(2, quote="framskjuten plats")],
    )  # fmt: skip
    out = render.answer_message(a, turn=4)
    assert out.count('href="#kalla-4-1"') == 2 and out.count('href="#kalla-4-2"') == 1
    assert "[7]" in out and "kalla-4-7" not in out
    assert 'id="kalla-4-1"' in out and 'id="kalla-4-2"' in out
    details = re.findall(r"<details.*?</details>", out)
    assert len(details) == 2 and all("\n" not in d for d in details)
    assert "s. 3" in out and "2019-10-16" in out and "Mål" in out


def test_refusal_names_the_closest_documents():
    a = Answer(
        question="Vad kostar parkering?", answer="Jag hittar inget om det i dokumenten.", refused=True,
        mode="extractive", closest=[ClosestDoc("d1", "Nämndsplan 2026", "2025-11-20", "Trafik", "/n.pdf")],
    )  # fmt: skip
    out = render.answer_message(a, turn=2, contact="Ring <a href='tel:1'>oss</a>")
    assert "Jag hittar inget" in out and "Nämndsplan 2026" in out and "<details" not in out
    # The nearest documents are links to their originals, and the contact path follows a refusal.
    assert re.search(r'<a class="original" href="original/d1"[^>]*>Nämndsplan 2026', out)
    assert "Ring <a href='tel:1'>oss</a>" in out
    answered = Answer(question="q", answer="Svar [1].", refused=False, mode="extractive", citations=[cite()])
    assert "tel:1" not in render.answer_message(answered, turn=3, contact="<a href='tel:1'>x</a>")


def test_every_citation_links_to_its_original_and_a_pdf_opens_at_the_page():
    pdf = cite()
    pdf.source, pdf.doc_id = "/data/plan.pdf", "0123456789abcdef"
    out = render.citation_html(pdf, turn=1)
    assert 'href="original/0123456789abcdef#page=3"' in out and "sidan 3" in out and 'target="_blank"' in out
    assert 'href="original/d1"' in render.citation_html(cite(), turn=1)  # not a PDF: no page fragment


def test_units_are_explained():
    assert render.explain_units("Budget 120 tkr och 3 mnkr") == (
        "<p class='forklaring'>tkr betyder tusen kronor. mnkr betyder miljoner kronor.</p>"
    )
    assert render.explain_units("Inga belopp här") == ""


def hit(goal: int = 5, text: str = "Solceller på skolor minskar utsläppen.", **kw) -> Hit:
    base = dict(
        rank=1, score=0.03, doc_id="d1", chunk_id="d1:0001", title="Mål 2019", doc_type="mål", date="2019-10-16",
        page=0, section=f"Fokusområde 2 › Mål {goal}. Lunds kommun ska vara ledande inom miljö och klimat",
        text=text, source="/x.md", goal=goal, focus_area="Smartare Lund", organ="Kommunfullmäktige",
    )  # fmt: skip
    base.update(kw)
    return Hit(**base)


def test_snippet_marks_inflected_query_words():
    out = render.snippet("Kommunen sätter solceller på tolv skolor. " * 3, "solceller skolorna")
    assert "<mark>solceller</mark>" in out and "<mark>skolor</mark>" in out


def test_hits_html_states_empty_and_filled():
    assert "Inga träffar" in render.hits_html([], "något")
    assert "Skriv vad du letar efter" in render.hits_html([], "  ")
    out = render.hits_html([hit()], "solceller")
    assert "1 dokument" in out and "Mål 2019" in out and "<mark>Solceller</mark>" in out
    assert 'href="original/d1"' in out
    assert "Kontakta" in render.hits_html([], "något", contact="Kontakta oss")


def test_hits_are_grouped_by_document_without_repeated_passages():
    a1 = hit(chunk_id="d1:0001", text="Solceller på skolor.", page=2)
    a1_again = hit(chunk_id="d1:0001", text="Solceller på skolor.", page=2)
    a_same_text = hit(chunk_id="d1:0009", text="Solceller  på skolor.", page=7)
    b = hit(doc_id="d2", chunk_id="d2:0001", title="Budget 2025", text="Solceller i budgeten.")
    a2 = hit(chunk_id="d1:0002", text="Fler solceller på förskolor.", page=4)
    groups = render.group_hits([a1, b, a1_again, a_same_text, a2])
    assert [[h.chunk_id for h in g] for g in groups] == [["d1:0001", "d1:0002"], ["d2:0001"]]
    out = render.hits_html([a1, b, a1_again, a_same_text, a2], "solceller")
    assert out.count("<li class='traff'>") == 2 and out.count("Solceller</mark> på skolor") == 1
    assert "Träffar i 2 dokument" in out


def test_table_rows_become_a_small_table():
    text = "Driftbudget per nämnd\n| Nämnd | 2025 | 2026 |\n|---|---|---|\n| **Barn** | 120 tkr | 130 \\* tkr |"
    out = render.hits_html([hit(text=text)], "driftbudget")
    assert "<table class='tabell'>" in out and "<td>Barn</td>" in out and "<td>130 * tkr</td>" in out
    assert "|" not in out.split("<table")[1] and "**" not in out and "---" not in out
    assert "tkr betyder tusen kronor" in out


def test_goal_paragraphs_take_the_clear_links():
    def match(goal: int, strong: bool) -> GoalMatch:
        return GoalMatch(
            goal=goal, name="namn", focus_area="", doc_id="d1", doc_title="Mål 2019", date="2019-10-16",
            organ="Kommunfullmäktige", score=1.0, parts_matched=1, evidence=hit(goal), draft_excerpt="…",
            strong=strong, paragraph=f"Ärendet bidrar till mål {goal}.",
        )  # fmt: skip

    assert render.goals_paragraphs([match(5, True), match(6, False)]) == "Ärendet bidrar till mål 5."
    assert render.goals_paragraphs([match(6, False), match(2, False)]) == "Ärendet bidrar till mål 6."
    out = render.goals_html([match(5, True), match(6, False)], "text")
    assert "Tydlig koppling" in out and "Möjlig koppling" in out and out.count("<li class='mal'>") == 2
    assert out.count('href="original/d1"') == 2  # each goal's document, one click away
    assert "Klistra in" in render.goals_html([], "")


def test_goal_row_shows_related_work_with_the_goal_marked():
    related = hit(goal=0, text="Satsningen är en del av arbetet mot kommunfullmäktiges Mål 5 <b>om klimat</b>.")
    related.title, related.doc_type = "Solceller på tolv skolor", "pressmeddelande"
    m = GoalMatch(
        goal=5, name="Lunds kommun ska vara ledande inom miljö och klimat", focus_area="Smartare Lund", doc_id="d1",
        doc_title="Mål 2019", date="2019-10-16", organ="Kommunfullmäktige", score=1.0, parts_matched=2,
        evidence=hit(5), draft_excerpt="Solceller byggs på skolor.", strong=True, related=related, paragraph="p",
    )  # fmt: skip
    out = render.goals_html([m], "text")
    assert "<mark>Mål 5</mark>" in out and "Solceller på tolv skolor" in out and "<b>om" not in out


def test_documents_list():
    from index.catalog import DocRecord

    assert "Inga dokument" in render.documents_html([])
    d = DocRecord("abc123", "/x.md", "sha", "<i>Plan</i>", "nämndsplan", "2025-11-20", 2025, "", 12)
    out = render.documents_html([d])
    assert "&lt;i&gt;Plan" in out and "Nämndsplan · 2025-11-20" in out and "1 dokument" in out
    assert "avsnitt" not in out and "abc123" not in out.replace('href="original/abc123"', "")  # no jargon, no ids
    assert "Visar 0" not in render.documents_html([], total=3) and "matchar filtret" in render.documents_html([], 3)
    assert "Visar 1 av 3 dokument" in render.documents_html([d], total=3)
    d.publisher = "Lunds kommun"
    assert "Nämndsplan · 2025-11-20 · Lunds kommun" in render.documents_html([d])  # whose document it is
