"""Swedish sentence splitting: abbreviations, initials, amounts and list items stay whole; real ends still cut."""

from __future__ import annotations

import pytest

from ingest.sentences import sentence_spans, split_sentences


@pytest.mark.parametrize(
    "text",
    [
        "Nämnden ska t.ex. se över avgifterna för fritidsgårdarna.",
        "Kommunen har bl.a. byggt nya cykelvägar i centrum.",
        "Den s.k. Lundamodellen används i alla skolor.",
        "Mötet börjar kl. 18 i stadshuset.",
        "Beslutet finns i protokoll nr. 12 från mars.",
        "Skolor, förskolor m.fl. ska få solceller på taken.",
        "Priset tilldelades Leif H. Hjärre för hans arbete.",
        "Kortet kostar 1 500 kr per termin för alla som bor i kommunen.",
        "Nämnden redovisar ett överskott på 1,07 mnkr mot budget.",
        "Läs mer på s. 12 i rapporten.",
        "Avgiften gäller fr.o.m. 1 januari och t.o.m. sista december.",
    ],
)
def test_one_sentence_stays_whole(text):
    assert split_sentences(text) == [text]


def test_real_sentence_ends_are_cut():
    text = "Kortet kostar 1 500 kr. Det gäller i ett år. Vem får det? Alla mellan 13 och 19 år!"
    assert split_sentences(text) == [
        "Kortet kostar 1 500 kr.",
        "Det gäller i ett år.",
        "Vem får det?",
        "Alla mellan 13 och 19 år!",
    ]


def test_an_abbreviation_that_often_closes_a_sentence_closes_it_before_a_capital():
    text = "Vi köper papper, pennor osv. Nästa år byter vi leverantör."
    assert split_sentences(text) == ["Vi köper papper, pennor osv.", "Nästa år byter vi leverantör."]


def test_a_single_capital_after_a_lower_case_word_is_no_initial():
    assert split_sentences("Se bilaga B. Den visar kostnaderna.") == ["Se bilaga B.", "Den visar kostnaderna."]


def test_list_items_are_units_and_keep_their_number():
    text = "Nämnden ska:\n1. Minska utsläppen från fordon.\n2. Öka andelen ekologisk mat.\n- Följa upp arbetet"
    assert split_sentences(text) == [
        "Nämnden ska:",
        "1. Minska utsläppen från fordon.",
        "2. Öka andelen ekologisk mat.",
        "Följa upp arbetet",
    ]


def test_goal_heading_number_does_not_end_a_sentence():
    assert split_sentences("Mål 5. Lunds kommun ska vara ledande inom miljö och klimat") == [
        "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat"
    ]


def test_a_line_broken_inside_a_sentence_runs_on():
    assert split_sentences("Kommunen ska minska\nutsläppen till 2030.") == ["Kommunen ska minska\nutsläppen till 2030."]


def test_spans_point_at_the_text():
    text = "  Första meningen. Andra meningen.  "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Första meningen.", "Andra meningen."]
