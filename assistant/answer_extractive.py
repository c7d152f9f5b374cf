"""The default answerer: a Swedish answer made of sentences quoted from the passages, each with its citation.

Faithful by construction: every claim is a verbatim span of a passage (whole sentences; a sentence that leans on
the one before — "Det ska ske genom …" — brings that one along, so a goal's meaning is not cut). The only words
that are not quoted come from fixed templates that restate the passages' metadata or the question itself:
"Enligt <titel> (<datum>):", "Mål 5. <målets rubrik>.", "Två mål handlar om klimatet:". `TEMPLATE_WORDS` lists
them, and `verify.check_answer` measures that nothing else slips in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from assistant.scoring import Similarity, TermWeights, terms_of
from assistant.text import Span, content_terms, norm_space, numbers, sentences
from assistant.types import Citation, Passage
from assistant.verify import is_instruction

# Words our templates add around quotes (for the faithfulness check; see module docstring).
TEMPLATE_WORDS = "enligt mål närmast frågan ligger följande ett två tre fyra fem sex sju åtta nio tio"
COUNT_WORDS = ["noll", "ett", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio", "tio"]
NUMBER_WORDS = set(COUNT_WORDS[1:] + ["en", "elva", "tolv", "hundra", "tusen", "miljoner", "hälften", "femtedel"])

# Sentence score = dense similarity + weighted word overlap of the sentence and of its passage + a small bonus for
# the kind of answer asked for (a number for "hur mycket", a date for "när"). Chosen on a grid by how often the top
# sentence holds the eval set's evidence span (sample corpus, 60 answerable questions whose evidence was retrieved:
# 35 top-1, 43 in the top 2; dense similarity alone: 29 top-1). Adding the chunk's own similarity or its search
# rank did not help.
W_SENTENCE_LEX = 0.05
W_PASSAGE_LEX = 0.08
W_TYPE = 0.01
# Other sentences are quoted too (up to MAX_FACT_SENTENCES) when they score this close to the best, whether or not
# they share the question's words: a paraphrase question's answer often shares none ("Hur många bor …" → "…
# befolkningsmängden uppgick … till 52 178 personer"). Measured on verkliga dev and exempel (key fact in the draft,
# answerable questions): 0.012 and only sentences with shared words 0.704 / 0.620; 0.05 and any sentence 0.796 /
# 0.717; 0.08 with four sentences 0.833 / 0.739 but answers 40 % longer.
SECOND_MARGIN = 0.05
GOAL_MARGIN = 0.02  # in list answers, goals scoring this close to the best goal are listed too
MAX_FACT_SENTENCES = 3
NEIGHBOURS = 2  # how far from the best sentence (in sentences of its chunk) the asked-for number may stand
TYPED_MARGIN = 0.05  # how close to the best score a sentence holding the asked-for number must come to lead
# ... and how much more of the question's words it must hold than the best (dev: 0.19 more for the rotavdrag
# question's "960 miljoner kronor"; 0.03-0.04 more for two exempel sentences that were worse than the best)
LEX_GAIN = 0.1

_GOALS_Q = re.compile(r"^\s*(?:och\s+)?(?P<which>vilka|vilket|vilken)\s+(?:av\s+[\w-]+\s+)?(?:kf-)?mål\b", re.I)
# "Vilka (av kommunens) mål handlar om klimat?" → the opening "Ett mål handlar om klimat:" repeats the predicate.
_GOALS_PRED = re.compile(
    r"^\s*(?:och\s+)?vilka\s+(?:av\s+[\w-]+\s+)?(?:kf-)?mål\s+(?P<pred>[^?]{3,80}?)\s*\??\s*$", re.I
)
_BYLINE = re.compile(r"^\s*(?:Publicerad|Uppdaterad|Foto|Av)\b")  # a news article's lines about itself
_AREA_LINE = re.compile(r"^\s*Fokusområde\s+\d+\s*[:.–-]", re.I)  # a focus area's heading, not a goal's words
_ABOUT_GOALS = re.compile(r"^\s*(?:och\s+)?vad\s+(?:säger|innebär)\s+(?:kommunens\s+)?målen\b", re.I)
_FIT = re.compile(r"\b(?:passar|stöder|stödjer|berör|relevant|hänvisa|motivera|tänka\s+på|kopplas|hör)\b", re.I)
_NUMBER_Q = re.compile(r"\b(?:hur\s+(?:mycket|många|stor|stort|höga?|lång|långa)|vad\s+kostar|belopp|summa)\b", re.I)
_DATE_Q = re.compile(r"^\s*(?:och\s+)?när\b|\bvilket\s+datum\b|\bfrån\s+när\b", re.I)
_DATE = re.compile(r"\b(?:19|20)\d\d(?:-\d\d-\d\d)?\b|\b(?:januari|februari|mars|april|maj|juni|juli|augusti|"
                   r"september|oktober|november|december|våren|hösten|sommaren|vintern)\b", re.I)  # fmt: skip
_LEANS_BACK = re.compile(
    r"^(?:det|den|detta|dessa|de|där|då|så|samtidigt|därför|också|dock|men|ett\s+sätt|sett\s+över|"
    r"målet|kortet|satsningen|förslaget|resultatet|anläggningarna|kommunen\s+ser\s+alltså)\b",
    re.I,
)
_GOAL_IN_SECTION = re.compile(r"(?:^|›\s*)(?:\d+(?:\.\d+)*\s+)?Mål\s+(\d+)\s*[.:–-]?\s*(.*)$", re.I)
_NUMBERED_GOAL = re.compile(r"^(\d{1,2})\.\s+(\S.*)$")
_SUB_HEADING = re.compile(r"^\d+(?:\.\d+)*\.?\s+[A-ZÅÄÖ]")
_INLINE_GOAL = re.compile(r"^\d+(?:\.\d+)+\s+Mål\s+(\d+)\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
_GOAL_MENTION = re.compile(r"\bmål\s+\d+(?:\s*[–-]\s*\d+)?", re.I)


@dataclass
class Candidate:
    passage: int  # index into passages
    span: Span
    similarity: float  # the sentence's embedding similarity to the question
    overlap: float  # the question's words the sentence has (weighted coverage)
    passage_overlap: float  # the same for the whole passage, with its title and section
    score: float
    heading: bool = False  # the chunk's own heading line (restated by the labels, not quoted as a claim)
    goal: int = 0  # the goal whose section the sentence is in (0: none)
    label: str = ""  # the heading the sentence stands under
    area: str = ""  # the focus area (fokusområde) of its chunk, from the metadata


@dataclass
class Composed:
    text: str
    citations: list[Citation]
    best: Candidate | None  # the top sentence (refusal features)
    kind: str
    typed_ok: bool = True  # a number/date question got a sentence with a number/date
    goals: list[int] = field(default_factory=list)
    named: bool = False  # the question names a focus area the goals' metadata carry: the list is metadata, not a guess
    strong: bool = False  # each listed goal's own words hold every topic word of the question ("klimat", "miljö")

    @property
    def has_goal(self) -> bool:
        return bool(self.goals) or (self.best is not None and self.best.goal > 0)


def kind_of(question: str) -> str:
    if _ABOUT_GOALS.match(question):
        return "goal_about"
    m = _GOALS_Q.match(question)
    if m:
        plural = m.group("which").lower() == "vilka"
        if not plural and _FIT.search(question):
            return "goal_fit"
        return "goals" if plural else "goal"
    if _NUMBER_Q.search(question):
        return "number"
    if _DATE_Q.search(question):
        return "date"
    return "fact"


def goal_of(p: Passage, offset: int = 0) -> tuple[int, str]:
    """Goal number and wording at `offset` of a passage, from the chunk's section heading ("3.3 Mål 5 – …") or
    its metadata."""
    seg = p.segment_at(offset)
    m = _GOAL_IN_SECTION.search(seg.section)
    if m:
        return int(m.group(1)), m.group(2).strip()
    # "Fokusområde 2: Smartare Lund › 5. Lunds kommun ska vara ledande inom miljö och klimat" (a numbered list of
    # goals, as a news article prints them): the heading's number is the goal's.
    m = _NUMBERED_GOAL.match(seg.section.split("›")[-1].strip())
    if m and seg.goal and int(m.group(1)) == seg.goal:
        return seg.goal, m.group(2).strip()
    return seg.goal, ""


def candidates(
    question: str, focus: str, passages: Sequence[Passage], similarity: Similarity, weights: TermWeights
) -> list[Candidate]:
    """Every quotable sentence of the passages, scored; best first."""
    q_terms = content_terms(question)
    boost = set(content_terms(focus))
    kind = kind_of(question)
    found: list[tuple[int, Span, bool, int, str]] = []  # passage, sentence, heading?, goal, section label
    for i, p in enumerate(passages):
        goal, label, seg_start = 0, "", -1
        for s, heading in units(p):
            seg = p.segment_at(s.start)
            if seg.start != seg_start:  # a new chunk: its own section and goal
                seg_start = seg.start
                goal, _ = goal_of(p, s.start)
                label = seg.section.split("›")[-1].strip()
            m = _INLINE_GOAL.match(s.text)
            if m and not heading:  # a sub-heading the chunker left inside the text ("3.2 Mål 3 – …")
                goal, label = int(m.group(1)), f"Mål {m.group(1)}"
            if not is_instruction(s.text):  # text that orders the assistant around is never quoted
                found.append((i, s, heading, goal, label))
    # A table row is scored together with the table's header row: "84 500 tkr | 86 200 tkr" alone says nothing.
    texts = [_with_header(passages[i], s) for i, s, _, _, _ in found]
    sims = similarity(question, texts)
    p_lex = [weights.coverage(q_terms, terms_of(f"{p.title}\n{p.section}\n{p.text}"), boost) for p in passages]
    out = []
    for (i, s, heading, goal, label), sim, text in zip(found, sims, texts, strict=True):
        lex = weights.coverage(q_terms, terms_of(text), boost)
        score = sim + W_SENTENCE_LEX * lex + W_PASSAGE_LEX * p_lex[i] + W_TYPE * _typed(kind, s.text)
        area = passages[i].segment_at(s.start).focus_area
        out.append(Candidate(i, s, sim, lex, p_lex[i], score, heading, goal, label, area))
    out.sort(key=lambda c: -c.score)
    return out


def units(p: Passage) -> list[tuple[Span, bool]]:
    """The passage's sentences, each chunk's heading line (or the document title line) as a unit of its own."""
    out: list[tuple[Span, bool]] = []
    segs = p.segments or [p.segment_at(0)]
    for seg in segs:
        text = p.text[seg.start : seg.end]
        first = text.split("\n", 1)[0]
        heads = {seg.section.split("›")[-1].strip(), p.title.strip()} - {""}
        skip = 0
        if first.strip() in heads:
            lead = len(first) - len(first.lstrip())
            out.append((Span(seg.start + lead, seg.start + len(first.rstrip()), first.strip()), True))
            skip = len(first)
        for x in sentences(text[skip:]):
            # "4. Budget 2026" inside a chunk is a sub-heading the chunker kept with its text, not a statement.
            sub = bool(_SUB_HEADING.match(x.text)) and x.text[-1:] not in ".!?" and len(x.text.split()) <= 8
            out.append((Span(seg.start + skip + x.start, seg.start + skip + x.end, x.text), sub))
    return out


def _with_header(p: Passage, s: Span) -> str:
    header = _table_header([u for u, _ in units(p)], next((i for i, (u, _) in enumerate(units(p)) if u == s), -1))
    return f"{header.text}\n{s.text}" if header is not None else s.text


def _typed(kind: str, text: str) -> float:
    if kind == "number":
        return float(bool(numbers(text)) or bool(NUMBER_WORDS & set(text.lower().split())))
    if kind == "date":
        return float(bool(_DATE.search(text)))
    return 0.0


def compose(question: str, focus: str, passages: Sequence[Passage], ranked: Sequence[Candidate]) -> Composed:
    """The answer text and its citations (numbered in order of appearance)."""
    kind = kind_of(question)
    out = _Writer(passages)
    if not ranked:
        return Composed("", [], None, kind, False)
    best = ranked[0]
    # A "hur mycket" question needs a number in a sentence that is about the question, not just anywhere.
    want = kind if kind in ("number", "date") else ""
    lead = _typed_lead(want, ranked, passages)
    typed_ok = kind not in ("number", "date") or lead is not None
    if kind in ("goals", "goal", "goal_fit", "goal_about"):
        areas = {c.area for c in ranked if c.area and c.area.lower() in question.lower()} if kind == "goals" else set()
        goals = _goal_lines(question, kind, passages, ranked, out, areas)
        return Composed(out.text(), out.citations, best, kind, typed_ok, goals, bool(areas and goals), out.strong)
    _fact_lines(_lead_first(lead, ranked), passages, out)
    return Composed(out.text(), out.citations, best, kind, typed_ok)


def _typed_lead(want: str, ranked: Sequence[Candidate], passages: Sequence[Passage]) -> Candidate | None:
    """The sentence that carries the asked-for number / date (None: none found). In order:

    - a sentence near the best (TYPED_MARGIN) that holds one and more of the question's words than the best ("…
      skatteintäkterna minskar med 960 miljoner kronor" before "taket … höjas från 50 000 kronor");
    - the best sentence (or heading), when it holds one and a word of the question;
    - the best of the top three that holds one and a word of the question;
    - a sentence next to the best one in the same chunk, when the best holds a word of the question ("Kortet laddas
      med 1 500 kronor …" after the sentence that names the card: the same subject, not the question's words);
    - a sentence of the best passages near the best that holds one and a word of the question.

    Each is about the question, so `typed_ok` (a gate feature) is whether one was found."""
    if not want or not ranked:
        return None
    top = ranked[0]

    def fits(c: Candidate) -> bool:
        return _typed(want, c.span.text) and not c.heading

    def amount(c: Candidate) -> bool:  # a year alone ("Under år 2024 …") is no answer to "hur mycket"
        return want != "number" or any(not _YEAR.fullmatch(n) for n in numbers(c.span.text))

    close = [
        c
        for c in ranked
        if c.score >= top.score - TYPED_MARGIN and fits(c) and amount(c) and c.overlap >= top.overlap + LEX_GAIN
    ]
    lead = max(close, key=lambda c: (c.overlap, c.score), default=None)
    if lead is None and _typed(want, top.span.text) and top.overlap > 0:
        return top  # (a heading too: the answer then opens under it, as before)
    lead = lead or next((c for c in ranked[:3] if fits(c) and c.overlap > 0), None)
    if (
        lead is None and top.overlap > 0 and not top.heading
    ):  # the best sentence is about the question: so is its neighbour
        lead = _typed_neighbour(top, [c for c in ranked if c.passage == top.passage and fits(c)], passages[top.passage])
    if lead is None:
        near = {c.passage for c in ranked[:3]}
        lead = next(
            (
                c
                for c in ranked
                if c.passage in near and fits(c) and c.overlap > 0 and c.score >= top.score - TYPED_MARGIN
            ),
            None,
        )
    return lead


def _typed_neighbour(top: Candidate, typed: Sequence[Candidate], p: Passage) -> Candidate | None:
    """The nearest of `typed` within NEIGHBOURS sentences of `top`, in the same chunk of passage `p`."""
    order = {u.start: k for k, (u, _) in enumerate(units(p))}
    here, seg = order.get(top.span.start), p.segment_at(top.span.start)
    if here is None:
        return None
    near = [
        (abs(order[c.span.start] - here), -c.score, k)
        for k, c in enumerate(typed)
        if c.span.start in order
        and 0 < abs(order[c.span.start] - here) <= NEIGHBOURS
        and p.segment_at(c.span.start) == seg
    ]
    return typed[min(near)[2]] if near else None


def _lead_first(lead: Candidate | None, ranked: Sequence[Candidate]) -> Sequence[Candidate]:
    """`lead` opens the answer, so it begins with what was asked for; the others keep their order after it."""
    if lead is None or lead is ranked[0]:
        return ranked
    first = replace(lead, score=ranked[0].score)  # near-best sentences are still measured against the best score
    return [first, *(c for c in ranked if c.span != lead.span or c.passage != lead.passage)]


def _fact_lines(ranked: Sequence[Candidate], passages: Sequence[Passage], out: _Writer, limit: int = 0) -> None:
    picked = _pick_facts([c for c in ranked if not c.heading] or list(ranked), limit or MAX_FACT_SENTENCES, passages)
    for p_idx, label, spans in picked:
        p = passages[p_idx]
        out.line(f"Enligt {_where(p, label)}:", [(p_idx, s) for s in spans])


def _pick_facts(
    ranked: Sequence[Candidate], limit: int, passages: Sequence[Passage]
) -> list[tuple[int, str, list[Span]]]:
    """Best sentence (with what it leans on), plus near-best ones (SECOND_MARGIN); grouped per passage."""
    best = ranked[0]
    chosen: list[Candidate] = [best]
    for c in ranked[1:]:
        if len(chosen) == limit or c.score < best.score - SECOND_MARGIN:
            break
        if all(c.passage != x.passage or c.span != x.span for x in chosen):
            chosen.append(c)
    groups: dict[tuple[int, str], list[Span]] = {}
    for c in chosen:  # one line per passage and heading, so each line's label names the right section
        groups.setdefault((c.passage, c.label), []).append(c.span)
    return [(p, label, spans) for (p, label), spans in groups.items()]


def _goal_lines(
    question: str,
    kind: str,
    passages: Sequence[Passage],
    ranked: Sequence[Candidate],
    out: _Writer,
    areas: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[int]:
    best_by_goal: dict[int, Candidate] = {}
    for c in ranked:
        g = c.goal
        if areas and c.area not in areas:
            continue  # "Vilka mål hör till Smartare Lund?": the area's goals, as the metadata has them
        if g and (
            g not in best_by_goal or _prefer(passages[c.passage], passages[best_by_goal[g].passage], c, best_by_goal[g])
        ):
            best_by_goal[g] = c
    body = [c for c in ranked if not c.heading and "|" not in c.span.text]  # a table row names one goal at most
    top = body[0] if body else ranked[0]
    mentions = _GOAL_MENTION.findall(top.span.text) if kind != "goal_about" else []
    several = len(mentions) > 1 or any("–" in m or "-" in m for m in mentions)
    if (
        mentions
        and (kind != "goals" or several)
        and (not best_by_goal or top.score >= max(c.score for c in best_by_goal.values()))
    ):
        # The best sentence itself names the goals ("bidrar främst till Mål 2, Mål 3 …"): it is the answer.
        _fact_lines([top], passages, out, limit=1)
        if kind != "goals" or not areas:
            return []
    if not best_by_goal:
        if not out.lines:
            _fact_lines(ranked, passages, out)
        return []
    order = sorted(best_by_goal, key=lambda g: -best_by_goal[g].score)
    lead = best_by_goal[order[0]].score
    topic = [t for t in content_terms(question) if t not in {"mål", "kf"}]
    if areas:
        chosen = list(order)
    elif kind == "goals":
        chosen = [
            g for g in order if best_by_goal[g].score >= lead - GOAL_MARGIN or _strong(passages, best_by_goal[g], topic)
        ]
    else:
        chosen = order[:1]
    chosen.sort()
    strong = bool(areas) or all(_strong(passages, best_by_goal[g], topic) for g in chosen)
    out.strong = strong and bool(chosen)
    m = _GOALS_PRED.match(question)
    if kind == "goals" and strong and m and len(chosen) < len(COUNT_WORDS):
        out.opening(f"{COUNT_WORDS[len(chosen)].capitalize()} mål {m.group('pred')}:")
    elif kind == "goal_fit" or not strong:
        out.opening("Närmast frågan ligger följande mål:" if len(chosen) > 1 else "Närmast frågan ligger:")
    for g in chosen:
        c = best_by_goal[g]
        # Quote what the goal says, not its heading again (the label restates the heading).
        c = next((x for x in ranked if x.passage == c.passage and x.goal == g and _goal_body(x)), c)
        p = passages[c.passage]
        section_goal, name = goal_of(p, c.span.start)
        label = f"Mål {g}. {name.rstrip('.')}." if name and section_goal == g else f"Mål {g}."
        if name and _restates(c.span.text, name):
            # The quote is the goal's own heading: it says the wording, the label only the number (and the heading's
            # own "4. " is left out of the quote, which stays a verbatim span of the passage).
            label = f"Mål {g}."
            m = re.match(rf"{g}\.\s+", c.span.text)
            if m:
                c = replace(c, span=Span(c.span.start + m.end(), c.span.end, c.span.text[m.end() :]))
        out.line(f"- {label}" if len(chosen) > 1 or out.lines else label, [(c.passage, c.span)])
    return chosen


def _goal_body(c: Candidate) -> bool:
    """A sentence that states the goal: not its heading, its focus area's heading line or an article's byline."""
    return not c.heading and not _AREA_LINE.match(c.span.text) and not _BYLINE.match(c.span.text)


def _restates(quote: str, name: str) -> bool:
    def fold(x: str) -> str:
        return re.sub(r"^\d+\.\s*", "", norm_space(x)).rstrip(".").lower()

    return fold(name) in fold(quote)


def _prefer(a: Passage, b: Passage, ca: Candidate, cb: Candidate) -> bool:
    """For one goal, quote its own goal document before plans and press releases that mention it."""
    return (a.doc_type == "mål", ca.score) > (b.doc_type == "mål", cb.score)


def _strong(passages: Sequence[Passage], c: Candidate, topic: list[str]) -> bool:
    """The goal's own words contain every topic word of the question: saying it "handlar om" the topic is safe."""
    p = passages[c.passage]
    seg = p.segment_at(c.span.start)
    have = terms_of(f"{seg.section}\n{p.text[seg.start : seg.end]}")
    return bool(topic) and all(t in have for t in topic)


def _where(p: Passage, label: str) -> str:
    """ "regeringens pressmeddelande Titel (datum), Rubrik": what the metadata says, restated. Who published it
    comes first when the metadata knows (a government text must not read as the municipality's own)."""
    title = re.sub(r"\s*\(fiktivt exempel\)", "", p.title, flags=re.I).strip() or p.title
    where = f"”{title}”" if p.publisher and p.publisher.lower() not in title.lower() else title
    if where != title:
        kind = p.doc_type if p.doc_type and p.doc_type not in ("övrigt", "okänd") else ""
        where = " ".join(x for x in (genitive(p.publisher), kind, where) if x)
    where = f"{where} ({p.date})" if p.date else where
    return f"{where}, {label}" if label and label.lower() != title.lower() else where


def genitive(name: str) -> str:
    """ "Regeringen" → "regeringens", "Lunds kommun" → "Lunds kommuns" (a name ending in s stays as it is)."""
    if name in ("Regeringen", "Riksdagen"):
        name = name.lower()
    return name if name.endswith(("s", "x", "z")) else f"{name}s"


class _Writer:
    """Collects answer lines and numbers citations in order of appearance."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self.lines: list[str] = []
        self.head: str = ""
        self.citations: list[Citation] = []
        self.strong = False  # a goal list whose goals' own words hold the question's topic (`_strong`)

    def opening(self, text: str) -> None:
        self.head = text

    def line(self, prefix: str, spans: list[tuple[int, Span]]) -> None:
        parts = []
        for p_idx, span in _with_context(self.passages, spans):
            p = self.passages[p_idx]
            existing = next((c for c in self.citations if c.chunk_id == p.chunk_id and c.start == span.start), None)
            if existing is None:
                existing = Citation.from_passage(len(self.citations) + 1, p, span.start, span.end)
                self.citations.append(existing)
            parts.append(f"{norm_space(span.text)} [{existing.n}]")
        if parts:
            self.lines.append(f"{prefix} {' '.join(parts)}")

    def text(self) -> str:
        return "\n".join(([self.head] if self.head else []) + self.lines)


def _with_context(passages: Sequence[Passage], spans: list[tuple[int, Span]]) -> list[tuple[int, Span]]:
    """Each span widened to what it needs to be understood, adjacent spans of a passage joined into one."""
    out: list[tuple[int, Span]] = []
    for p_idx, span in sorted(spans, key=lambda x: (x[0], x[1].start)):
        p = passages[p_idx]
        text = p.text
        us = units(p)
        i = next((k for k, (u, _) in enumerate(us) if u.start == span.start), None)
        start = span.start
        k = i
        while k is not None and k > 0 and i - k < 2 and _LEANS_BACK.match(us[k][0].text):
            prev, prev_heading = us[k - 1]
            if prev_heading or p.segment_at(prev.start) != p.segment_at(span.start):
                break
            start, k = prev.start, k - 1  # "Det ska ske genom …" needs the sentence before it (and that one its own)
        if i is not None and "|" in span.text:
            header = _table_header([u for u, _ in us], i)
            if header is not None and all(header != x for _, x in out):
                out.append((p_idx, header))
        if out and out[-1][0] == p_idx and _adjacent(text, out[-1][1].end, start):
            start = out.pop()[1].start
        elif out and out[-1][0] == p_idx and out[-1][1].start <= start < out[-1][1].end:
            # Widened back into the span before it ("Kortet laddas med …" leans on the sentence already quoted):
            # one span to the later end, not the later sentence dropped.
            if span.end <= out[-1][1].end:
                continue
            start = out.pop()[1].start
        out.append((p_idx, Span(start, span.end, text[start : span.end])))
    return out


def _adjacent(text: str, end: int, start: int) -> bool:
    return 0 <= start - end and not text[end:start].strip()


def _table_header(sents: list[Span], i: int) -> Span | None:
    """The header row of the table a row belongs to (so "84 500 tkr | 86 200 tkr" says which column is which):
    the first row of the run, when it holds no figures other than years ("Verksamhet | Budget 2025 | Budget 2026")."""
    if i < 0 or "|" not in sents[i].text:
        return None
    j = i
    while j > 0 and "|" in sents[j - 1].text:
        j -= 1
    first = sents[j]
    if j == i or any(not re.fullmatch(r"(?:19|20)\d\d", n) for n in numbers(first.text)):
        return None
    return first
