from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.clean import clean_text, strip_running_lines


def test_hyphenation_is_joined_but_real_hyphens_kept():
    assert clean_text("kommun-\nfullmäktige") == "kommunfullmäktige"
    assert clean_text("miljö-\noch klimat") == "miljö- och klimat"
    assert clean_text("miljö- och klimatnämnden") == "miljö- och klimatnämnden"
    assert clean_text("barn-\n eller utbildningsfrågor") == "barn- eller utbildningsfrågor"
    assert clean_text("EU-\nprojekt") == "EU-projekt"
    assert clean_text("covid-\n19") == "covid-19"
    assert clean_text("a-\nb-\nc") == "abc"


def test_soft_hyphens_and_whitespace():
    assert clean_text("kommun\u00adfullmäktige") == "kommunfullmäktige"
    assert clean_text("kommun\u00ad\nfullmäktige") == "kommunfullmäktige"
    assert clean_text("  Lunds\u00a0kommun \t ska\u2009växa  ") == "Lunds kommun ska växa"
    assert clean_text("ett\n\n\n\ntvå\r\ntre") == "ett\n\ntvå\ntre"
    assert clean_text("noll\x00bredd\u200b") == "noll bredd"
    assert clean_text("\ufb01nansiering") == "finansiering"


def test_unicode_is_nfc():
    decomposed = "Go\u0308teborg a\u030angra"  # ö and å as base letter + combining mark
    assert clean_text(decomposed) == "Göteborg ångra"
    assert unicodedata.is_normalized("NFC", clean_text(decomposed))


def _page(number: int, body: list[str]) -> str:
    return "\n".join([f"2025 ÅRSBOKSLUT LUNDS KOMMUN SID {number} (36)", *body, f"Sida {number} av 36"])


def test_running_lines_differing_in_page_number_are_removed():
    # Body lines carry numbers too, but none that moves in step with the page number.
    bodies = [[f"Kostnaden var {n * n} miljoner.", f"Mer om budget {n * 7}.", f"Slut {n % 2}."] for n in range(1, 6)]
    pages = strip_running_lines([_page(n, body) for n, body in enumerate(bodies, start=1)])
    for page, body in zip(pages, bodies, strict=True):
        assert "ÅRSBOKSLUT" not in page and "Sida" not in page
        assert page.split("\n")[:2] == body[:2]


def test_bare_page_numbers_are_removed():
    pages = [f"Rubrik {n}\nInnehåll som skiljer sig {n * 3}\n- {n} -" for n in range(1, 5)]
    assert [p.split("\n")[-1] for p in strip_running_lines(pages)] == [
        f"Innehåll som skiljer sig {n * 3}" for n in range(1, 5)
    ]
    pages = [f"{n}\nBrödtext på sida {n * 11}" for n in range(1, 4)]
    assert strip_running_lines(pages) == [f"Brödtext på sida {n * 11}" for n in range(1, 4)]
    assert strip_running_lines(["Ensam sida\nSida 1 av 1"]) == ["Ensam sida"]


def test_exact_running_header_and_footer_removed_but_body_kept():
    pages = [f"Lunds kommun\nNämndsplan 2025\nStycke {n * n} om skolan.\nwww.lund.se" for n in range(1, 5)]
    assert strip_running_lines(pages) == [f"Stycke {n * n} om skolan." for n in range(1, 5)]


def test_goal_headings_opening_pages_are_not_running_lines():
    pages = [f"Mål {n}\nBeskrivning av målet {n * 13}.\nIndikatorer för {n * 17}" for n in range(1, 5)]
    assert strip_running_lines(pages) == pages


def test_single_page_and_empty_input():
    assert strip_running_lines([]) == []
    assert strip_running_lines(["Bara en sida\n3"]) == ["Bara en sida\n3"]
    assert strip_running_lines(["", ""]) == ["", ""]


# --- properties --------------------------------------------------------------------------------------------------

_TEXTISH = st.lists(
    st.sampled_from(list("abcåäöÅÄÖ XYZ019.,:;-–§\n\t\u00a0\u00ad\r\u0301") + ["-\n", "\n\n", "kommun", " och"]),
    max_size=80,
).map("".join)


def _visible(text: str) -> str:
    """What must survive cleaning: everything but whitespace, hyphens and soft hyphens, in NFC."""
    kept = "".join(c for c in text if not c.isspace() and c not in "-\u00ad")
    return unicodedata.normalize("NFC", kept)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_clean_text_never_crashes_and_is_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once
    # What the docstring promises: no soft hyphens or carriage returns, tidy lines, at most one blank line.
    assert "\u00ad" not in once and "\r" not in once and "\n\n\n" not in once
    assert all(line == line.strip() for line in once.split("\n")) and once == once.strip()


@settings(max_examples=300, deadline=None)
@given(_TEXTISH)
def test_clean_text_never_loses_visible_text(text):
    assert _visible(clean_text(text)) == _visible(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab1 -\n")), max_size=40), max_size=6))
def test_strip_running_lines_keeps_page_count_and_only_removes_lines(pages):
    result = strip_running_lines(pages)
    assert len(result) == len(pages)
    for before, after in zip(pages, result, strict=True):
        remaining = before.split("\n")
        for line in after.split("\n") if after else []:
            assert line in remaining
            remaining.remove(line)
