"""Finding headings in plain text blocks: focus areas, goals, numbered sections, ALL-CAPS lines and § items.

Loaders mark the headings their format states (Markdown #, HTML h1-h6, DOCX styles). PDF and TXT give only text,
so `annotate` promotes the level-0 blocks that are headings by their shape. Goal numbering is only trusted in a
goal context (after a focus area or a heading about mål) and must move forwards, so numbered lists inside a goal
("1. Minska utsläppen") are not taken for new goals.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ingest.model import Block

FOCUS = re.compile(r"^fokusområde(?:\s+(\d{1,2}))?\s*(?:[:.\-–—]\s*(.*?))?\s*$", re.IGNORECASE)
# "3.1 Mål 2 – …": a numbered section of a plan that is about one goal.
SECTION_GOAL = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.?\s+mål\s+(\d{1,3})\b", re.IGNORECASE)
# "4. Budget 2026": a short chapter heading of a numbered outline.
OUTLINE = re.compile(r"^(\d{1,2})\.\s+([A-ZÅÄÖ][^.!?]{0,58})$")
GOAL = re.compile(r"^mål\s+(\d{1,3})\s*(?:[.:\-–—)]\s*(.*?))?\s*$", re.IGNORECASE)
NUMBERED_GOAL = re.compile(r"^(\d{1,2})[.)]\s+([A-ZÅÄÖ].*?)\s*$")
SECTION = re.compile(r"^(\d{1,2}(?:\.\d{1,2})+)\.?\s+([A-ZÅÄÖ][^.!?]*?)\s*$")
TOP_SECTION = re.compile(r"^(\d{1,2})\.?\s+([A-ZÅÄÖ][^.!?:;,]*?)\s*$")
PARAGRAPH_MARK = re.compile(r"^§\s*(\d{1,4})\b\s*(.*?)\s*$")
GOAL_CONTEXT = re.compile(r"\b(mål|målen|målområde|målområden|fokusområde|fokusområden)\b", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ0-9\"'”»(])")

MAX_HEADING_CHARS = 200


def focus_name(text: str) -> str | None:
    """'Fokusområde 1: Smartare Lund' → 'Smartare Lund' ('Fokusområde 1' when it has no name); else None."""
    match = FOCUS.match(text.strip())
    if not match or (match.group(1) is None and not match.group(2)):
        return None
    name = (match.group(2) or "").strip(" .")
    return name or f"Fokusområde {match.group(1)}"


def goal_number(text: str, *, goal_context: bool = True) -> int:
    """The goal number of a goal heading ('Mål 5', 'Mål 5. …', or '5. …' in a goal context), else 0."""
    text = text.strip()
    if len(text) > MAX_HEADING_CHARS:
        return 0
    match = GOAL.match(text)
    if match:
        return int(match.group(1))
    if goal_context:
        match = NUMBERED_GOAL.match(text)
        if match and _one_sentence(match.group(2)):
            return int(match.group(1))
    return 0


def mentions_goals(text: str) -> bool:
    return bool(GOAL_CONTEXT.search(text))


def _one_sentence(text: str) -> bool:
    return not _SENTENCE_BREAK.search(text.rstrip(".!? "))


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 3 <= len(letters) and all(c.isupper() for c in letters) and len(text) <= 80


def _split_title(block: Block) -> list[Block]:
    """'Mål 5. Lunds kommun ska … klimat. Vi arbetar …' in one block: the first sentence is the heading."""
    text = block.text
    head = re.match(r"^(?:mål\s+\d{1,3}|fokusområde\s+\d{1,2}|§\s*\d{1,4})\b", text, re.IGNORECASE)
    if not head or block.kind == "table_row":
        return [block]
    # The first sentence break after the marker itself ("Mål 5. Lunds …" has a break right after "5.").
    cut = next((m.start() for m in _SENTENCE_BREAK.finditer(text) if m.start() > head.end() + 1), None)
    if cut is None or cut > MAX_HEADING_CHARS:
        return [block]
    title = text[:cut].strip()
    if not (GOAL.match(title) or focus_name(title) or PARAGRAPH_MARK.match(title)):
        return [block]  # "Mål 5 är uppfyllt. …" is a sentence about the goal, not its heading
    return [replace(block, text=title), replace(block, text=text[cut:].strip())]


class _State:
    def __init__(self, by_shape: bool = True) -> None:
        self.by_shape = by_shape
        self.goal_context = False
        self.context_level = 0  # level of the outermost heading of the goal context
        self.focus_level = 0  # 0 when not inside a focus area
        self.goal_level = 0  # 0 when not inside a goal
        self.last_goal = 0
        self.list_number = 0  # last number of a numbered list that is not a goal list; 0 outside one
        self.top_section = 0  # number of the last top-level numbered section ("3. Mål och aktiviteter")

    def focus_heading_level(self) -> int:
        if self.focus_level:
            return self.focus_level
        return self.context_level + 1 if self.goal_context and self.context_level else 1

    def goal_heading_level(self) -> int:
        if self.goal_level:
            return self.goal_level
        if self.focus_level:
            return self.focus_level + 1
        return self.context_level + 1 if self.goal_context and self.context_level else 2

    def heading_seen(self, block: Block, goal: int) -> None:
        level = block.level
        if self.goal_level and level <= self.goal_level:
            self.goal_level = 0
        if self.focus_level and level <= self.focus_level:
            self.focus_level = 0
        if focus_name(block.text):
            self.focus_level = level
            self._open_context(level)
        elif goal:
            self.goal_level, self.last_goal = level, goal
            self._open_context(level)
        elif mentions_goals(block.text):
            self._open_context(level)
        elif self.goal_context and level <= self.context_level:
            self.goal_context, self.context_level = False, 0  # a new section that is not about goals
        self.list_number = 0

    def _open_context(self, level: int) -> None:
        if not self.goal_context or level < self.context_level:
            self.context_level = level
        self.goal_context = True


def annotate(blocks: list[Block], *, by_shape: bool = True) -> list[Block]:
    """Return copies of the blocks with headings found in plain text marked (level > 0, kind "heading")."""
    return [block for block, _goal in annotate_goals(blocks, by_shape=by_shape)]


def annotate_goals(blocks: list[Block], *, by_shape: bool = True) -> list[tuple[Block, int]]:
    """Like `annotate`, paired with the goal number of each goal heading (0 for every other block).

    `by_shape=False` (the format marked its headings): only goal and focus-area lines are promoted, not numbered
    sections, § items or ALL-CAPS lines.
    """
    state = _State(by_shape)
    out: list[tuple[Block, int]] = []
    for original in blocks:
        pending = _split_title(original) if original.level == 0 else [original]
        while pending:
            block = replace(pending.pop(0))
            if block.level == 0 and block.kind == "paragraph":
                rest = _split_next_goal(block, state)
                if rest is not None:
                    pending[:0] = _split_title(rest) if GOAL.match(rest.text) else _split_goal_line(rest)
            out.append((block, _annotate_one(block, state)))
    return out


def _split_next_goal(block: Block, state: _State) -> Block | None:
    """Cut a paragraph where the next goal of a running goal list starts mid-paragraph; return the cut-off part.

    Scraped text loses line breaks: "… forskningsresultat. 5. Lunds kommun ska vara ledande …". Only the number
    that continues the goal sequence counts, and only after a sentence end, so "kapitel 5. Det" or a list inside a
    goal ("1. …" after goal 4) are left alone.
    """
    if not (state.goal_context and state.last_goal):
        return None
    nxt = state.last_goal + 1
    pattern = re.compile(rf"(?<=[.!?])\s+(?=(?:[Mm]ål\s+)?{nxt}[.:)]\s+[A-ZÅÄÖ])")
    match = pattern.search(block.text)
    if not match:
        return None
    head, tail = block.text[: match.start()].strip(), block.text[match.end() :].strip()
    if not head:
        return None
    block.text = head
    return replace(block, text=tail)


def _split_goal_line(block: Block) -> list[Block]:
    """'5. Lunds kommun ska … klimat. Teknik- och …' → the goal's one-sentence title, then its body."""
    match = NUMBERED_GOAL.match(block.text)
    if not match:
        return [block]
    cut = next((m.start() for m in _SENTENCE_BREAK.finditer(block.text) if m.start() > 3), None)
    if cut is None or cut > MAX_HEADING_CHARS:
        return [block]
    return [replace(block, text=block.text[:cut].strip()), replace(block, text=block.text[cut:].strip())]


def _annotate_one(block: Block, state: _State) -> int:
    """Mark the block if it is a heading; return its goal number (0 if it is no goal heading)."""
    text = block.text.strip()
    if block.level > 0:
        goal = goal_number(text, goal_context=state.goal_context)
        section_goal = SECTION_GOAL.match(text)
        if section_goal and _one_sentence(text):
            goal = int(section_goal.group(2))  # "3.1 Mål 2 – …": a plan's section about goal 2
        elif (
            goal
            and not GOAL.match(text)
            and (goal <= state.last_goal or (state.context_level and block.level <= state.context_level))
        ):
            # "1. Inledning" after goal 3, or "4. Budget 2026" at the level of the chapter that opened the goal
            # context ("3. Mål, aktiviteter …"), is a chapter, not a goal.
            goal = 0
        state.heading_seen(block, goal)
        return goal
    if block.kind == "table_row" or not text:
        return 0
    level, goal = _heading_level(text, block.kind, state)
    if level:
        block.level, block.kind = level, "heading"
        state.heading_seen(block, goal)
    elif match := NUMBERED_GOAL.match(text):
        state.list_number = int(match.group(1))
    elif block.kind != "list_item":
        state.list_number = 0
    return goal


def _numbered_goal(text: str, state: _State) -> int:
    """The goal number of "5. Lunds kommun ska …" in a goal context, when it fits the numbering; else 0."""
    if not state.goal_context:
        return 0
    match = NUMBERED_GOAL.match(text)
    if not (match and _one_sentence(match.group(2))):
        return 0
    number = int(match.group(1))
    # Goals are numbered through the document; the first one seen may be any (a plan citing goal 5).
    # Inside a numbered list that is not about goals, only the next goal number counts, and only when
    # it does not simply continue that list.
    if state.list_number:
        fits = number == state.last_goal + 1 and number != state.list_number + 1
    else:
        fits = state.last_goal < number <= (state.last_goal + 3 if state.last_goal else 40)
    return number if fits else 0


def _heading_level(text: str, kind: str, state: _State) -> tuple[int, int]:
    """(level, goal number) for a heading found in plain text; (0, 0) for body text."""
    if len(text) > MAX_HEADING_CHARS:
        return 0, 0
    if focus_name(text) and len(text) <= 120:
        return state.focus_heading_level(), 0
    match = GOAL.match(text)
    if match:
        return state.goal_heading_level(), int(match.group(1))
    match = SECTION_GOAL.match(text)
    if match and _one_sentence(text):
        return min(6, match.group(1).count(".") + 1), int(match.group(2))
    if not state.by_shape:
        number = _numbered_goal(text, state)
        return (state.goal_heading_level(), number) if number else (0, 0)
    match = OUTLINE.match(text)
    if (
        match
        and len(text.split()) <= 7
        and int(match.group(1)) == state.top_section + 1
        and (state.top_section or not state.goal_context)
    ):
        # The next chapter of a numbered outline ("4. Budget 2026" after "3. …"), also when it looks like a
        # list item or follows goals: it ends the chapter before it. Inside goals, only a running outline counts
        # ("1. Fler ska cykla" under a goal is a list).
        state.top_section = int(match.group(1))
        return 1, 0
    number = _numbered_goal(text, state)
    if number:
        return state.goal_heading_level(), number
    if kind == "list_item":
        return 0, 0
    if PARAGRAPH_MARK.match(text) and len(text) <= 150:
        return 2, 0
    match = SECTION.match(text)
    if match and len(text) <= 80:
        return min(6, match.group(1).count(".") + 1), 0
    match = TOP_SECTION.match(text)
    if match and len(text) <= 60 and len(text.split()) <= 7 and not state.goal_context:
        return 1, 0
    if _all_caps(text):
        # ALL-CAPS lines are chapter headings in these documents; taking one for a goal's sub-heading would
        # label a whole later chapter with the last goal.
        return 1, 0
    return 0, 0
