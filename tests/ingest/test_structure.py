from __future__ import annotations

from ingest.model import Block
from ingest.structure import annotate, annotate_goals, focus_name, goal_number


def _levels(texts: list[str | Block]) -> list[tuple[int, str]]:
    blocks = [t if isinstance(t, Block) else Block(text=t) for t in texts]
    return [(b.level, b.text) for b in annotate(blocks)]


def test_focus_areas_and_goals():
    assert _levels(
        [
            "Fokusområde 1: Smartare Lund",
            "Mål 5",
            "Text om målet.",
            "Mål 6. Lunds kommun ska vara ledande inom miljö och klimat",
            "Fokusområde 2 – Tryggare Lund",
            "Mål 7: Alla ska känna sig trygga",
        ]
    ) == [
        (1, "Fokusområde 1: Smartare Lund"),
        (2, "Mål 5"),
        (0, "Text om målet."),
        (2, "Mål 6. Lunds kommun ska vara ledande inom miljö och klimat"),
        (1, "Fokusområde 2 – Tryggare Lund"),
        (2, "Mål 7: Alla ska känna sig trygga"),
    ]


def test_numbered_goals_need_goal_context_and_forward_numbering():
    blocks = [
        "1. Inledningen beskriver hur dokumentet är upplagt.",  # no goal context yet: not a goal
        "KOMMUNFULLMÄKTIGES MÅL",
        "5. Lunds kommun ska vara ledande inom miljö och klimat",
        "Beskrivning av målet.",
        "1. Minska utsläppen från transporter",  # a numbered list inside goal 5
        "2. Öka andelen förnybar energi",
        "Mer text.",
        "6. Lund ska vara en trygg kommun",
    ]
    annotated = annotate_goals([Block(text=t) for t in blocks])
    assert [(b.level, goal) for b, goal in annotated] == [
        (0, 0),
        (1, 0),
        (2, 5),
        (0, 0),
        (0, 0),
        (0, 0),
        (0, 0),
        (2, 6),
    ]


def test_sections_caps_and_paragraph_marks():
    assert _levels(["INLEDNING", "2.1 Budget", "2.1.3 Investeringar", "3 Resultat", "§ 12 Årsredovisning 2024"]) == [
        (1, "INLEDNING"),
        (2, "2.1 Budget"),
        (3, "2.1.3 Investeringar"),
        (1, "3 Resultat"),
        (2, "§ 12 Årsredovisning 2024"),
    ]


def test_body_text_is_not_promoted():
    texts = [
        "Kommunen har 3.5 miljoner kronor kvar.",
        "EU",
        "Mål 5 är uppfyllt enligt uppföljningen och arbetet fortsätter under året.",
        "2025 Årsbokslut för hela kommunkoncernen med alla bolag och förbund samt stiftelser",
    ]
    assert all(level == 0 for level, _ in _levels(texts))
    row = Block(text="MÅL | UTFALL", kind="table_row")
    assert annotate([row])[0].level == 0


def test_loader_headings_are_kept_and_nested_levels_follow_them():
    blocks = [
        Block(text="Kommunfullmäktiges mål", level=1, kind="heading"),
        Block(text="Fokusområde 1: Smartare Lund"),
        Block(text="Mål 1. Lund ska ha en hållbar ekonomi"),
    ]
    assert [b.level for b in annotate(blocks)] == [1, 2, 3]


def test_title_glued_to_body_is_split():
    text = "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat. Vi arbetar med detta i hela organisationen."
    result = annotate([Block(text=text, page=4)])
    assert [(b.level, b.text, b.page) for b in result] == [
        (2, "Mål 5. Lunds kommun ska vara ledande inom miljö och klimat.", 4),
        (0, "Vi arbetar med detta i hela organisationen.", 4),
    ]


def test_annotate_does_not_mutate_input():
    block = Block(text="Fokusområde 1: Smartare Lund")
    annotate([block])
    assert block.level == 0 and block.kind == "paragraph"


def test_helpers():
    assert focus_name("Fokusområde 1: Smartare Lund") == "Smartare Lund"
    assert focus_name("Fokusområde 3") == "Fokusområde 3"
    assert focus_name("Fokusområdet är viktigt") is None
    assert goal_number("Mål 12. Något") == 12
    assert goal_number("5. Lund ska växa", goal_context=False) == 0
    assert goal_number("5. Lund ska växa") == 5
