"""Check a question set (default eval/sets/exempel.jsonl) against the documents it is asked over.

    .venv/bin/python scripts/check_questions.py [path/to/set.jsonl]

The corpus is data/exempel/, or the one declared next to the set (`<set>.corpus.toml`, see eval/corpus.py; for
verkliga the shared material under $STYRDOK_SHARED or ../shared). For a declared corpus, gold_doc is the path
relative to its root, the text is what the project's own loaders extract (so evidence survives as indexed), and
every question carries a split ("dev" | "test") that must agree with eval/split.py: by document, a seeded third of
each kind in test.

Checks
  * schema: unique ids, allowed group/kind values, followup_of points to an earlier question, off-corpus questions
    have null gold fields, answerable questions name an existing gold document;
  * `evidence` (4–12 words) and `key_fact` occur verbatim in the gold document's text after whitespace is collapsed
    (md/txt: file text; html: BeautifulSoup text without script/style; docx: paragraphs + table cells; pdf: pypdf);
  * (exempel only) at least a third of the answerable questions are paraphrases; questions of kind "paraphrase" share no content word or word stem with their answer passage (for the goal
    summary: the section of the gold goal; otherwise: the paragraph holding the evidence). Function words and the
    structural word "mål" are ignored; stems come from the Snowball Swedish stemmer, and a stem of 5+ letters that
    occurs inside a word on the other side (compounds) also counts as shared.

Exit status 0 when everything passes, 1 otherwise. Prints counts by kind and group.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # eval.corpus, eval.split and the project's loaders, when run as a script
CORPUS = ROOT / "data" / "exempel"
DEFAULT_SET = ROOT / "eval" / "sets" / "exempel.jsonl"
USE_LOADERS = False  # True for a declared corpus: document text as the project's loaders extract it

GROUPS = {"resident", "new_employee", "staff"}
# date, name, goal ("which goal fits this proposal"): kinds of the real set (verkliga)
KINDS = {"fact", "list", "number", "paraphrase", "followup", "offcorpus", "date", "name", "goal"}
SPLITS = {"dev", "test"}
GOAL_DOC = "lunds-kommun-mal-2019-sammanfattning.md"

STOPWORDS = set(
    """
    och i att det som en ett på är av för med till den de dem om har hade inte vi man kan kunna ska skulle så sig sin
    sina sitt vid från eller vad hur vem vilka vilket vilken när var varför finns fanns få får där jag mig min mitt
    mina oss vår våra vårt ni du dig din ditt också bara även mer mest mycket något några ingen inget alla allt varje
    över under efter före mellan genom mot utan upp ut in här nu då ju väl göra gör görs vara blir bli ha ens kring
    än samt dess hos åt se ser just eftersom medan både alltså vill måste bör
    mål målet målen målens
    """.split()
)


def collapse(s: str) -> str:
    return " ".join(s.split())


@cache
def _stemmer():  # noqa: ANN202
    try:
        import Stemmer  # pystemmer

        return Stemmer.Stemmer("swedish")
    except ImportError:  # pragma: no cover - crude fallback
        return None


def stem(word: str) -> str:
    st = _stemmer()
    if st is not None:
        return st.stemWord(word)
    for suf in (
        "arna",
        "erna",
        "orna",
        "ande",
        "ende",
        "heten",
        "het",
        "are",
        "ens",
        "en",
        "et",
        "ar",
        "er",
        "or",
        "a",
        "e",
        "s",
    ):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            return word[: -len(suf)]
    return word


def content_words(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return [w for w in words if len(w) >= 3 and w not in STOPWORDS]


def shared_words(question: str, passage: str) -> list[str]:
    q = content_words(question)
    p = content_words(passage)
    p_stems = {stem(w) for w in p}
    shared = []
    for qw in q:
        qs = stem(qw)
        if qs in p_stems:
            shared.append(f"{qw}~{qs}")
            continue
        if len(qs) >= 5 and any(qs in pw for pw in p):
            shared.append(f"{qw}⊂passage")
            continue
        hit = next((pw for pw in p if len(stem(pw)) >= 5 and stem(pw) in qw), None)
        if hit:
            shared.append(f"{qw}⊃{hit}")
    return shared


# ---------------------------------------------------------------------------------------------------------------
# Document text
# ---------------------------------------------------------------------------------------------------------------


@cache
def doc_blocks(name: str) -> tuple[str, ...]:
    """The document's text as blocks (paragraphs, list items, table cells, pages) in reading order."""
    path = CORPUS / name
    suffix = path.suffix.lower()
    if USE_LOADERS:
        from ingest.loaders import load

        return tuple(b.text for b in load(path).blocks if b.text.strip())
    if suffix in (".md", ".txt"):
        return tuple(b for b in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if b.strip())
    if suffix in (".html", ".htm"):
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup(["script", "style", "noscript", "template"]):
            tag.decompose()
        blocks = [el.get_text(" ") for el in soup.find_all(["title", "h1", "h2", "h3", "h4", "p", "li", "td", "th"])]
        return tuple(b for b in blocks if b.strip()) + (soup.get_text("\n"),)
    if suffix == ".docx":
        from docx import Document

        d = Document(str(path))
        blocks = [p.text for p in d.paragraphs]
        for t in d.tables:
            for row in t.rows:
                blocks.append(" ".join(c.text for c in row.cells))
                blocks.extend(c.text for c in row.cells)
        return tuple(b for b in blocks if b.strip())
    if suffix == ".pdf":
        from pypdf import PdfReader

        return tuple(p.extract_text() or "" for p in PdfReader(str(path)).pages)
    raise ValueError(f"okänt format: {name}")


@cache
def doc_text(name: str) -> str:
    return collapse("\n".join(doc_blocks(name)))


def answer_passage(item: dict) -> str:
    goal = item["gold_goal"]
    if item["gold_doc"] == GOAL_DOC and isinstance(goal, int):
        text = (CORPUS / GOAL_DOC).read_text(encoding="utf-8")
        m = re.search(rf"^### Mål {goal}\..*?(?=^#)|^### Mål {goal}\..*\Z", text, re.M | re.S)
        assert m, f"hittar inte avsnittet för mål {goal}"
        return m.group(0)
    ev = item["evidence"]
    for b in doc_blocks(item["gold_doc"]):
        if ev in collapse(b):
            return b
    return doc_text(item["gold_doc"])


# ---------------------------------------------------------------------------------------------------------------


def use_corpus(set_path: Path) -> bool:
    """Point the checks at the set's corpus; True when it is a declared one (verkliga)."""
    global CORPUS, USE_LOADERS
    from eval.corpus import declared

    corpus = declared(set_path)
    CORPUS, USE_LOADERS = (corpus.root, True) if corpus else (ROOT / "data" / "exempel", False)
    doc_blocks.cache_clear()
    doc_text.cache_clear()
    return corpus is not None


def check_splits(set_path: Path, items: list[dict], errors: list[str]) -> None:
    """Every question has a split; a document's questions share its split, and the split is the seeded draw."""
    from eval.corpus import declared
    from eval.split import test_documents, test_ids

    corpus = declared(set_path)
    assert corpus is not None
    test_docs = test_documents(corpus.rel(f) for f in corpus.files())
    off_test = test_ids((it["id"] for it in items if not it.get("answerable")), "offcorpus")
    for it in items:
        if it.get("split") not in SPLITS:
            errors.append(f"{it.get('id')}: split ska vara dev eller test, inte {it.get('split')!r}")
            continue
        if it.get("answerable"):
            want = "test" if it.get("gold_doc") in test_docs else "dev"
        else:
            want = "test" if it["id"] in off_test else "dev"
        if it["split"] != want:
            errors.append(f"{it['id']}: split {it['split']} men dragningen ger {want}")


def check(path: Path) -> int:
    declared_corpus = use_corpus(path)
    if declared_corpus:
        from eval.corpus import SHARED_ENV, declared

        missing = declared(path).missing()
        if missing:
            print(f"Dokumenten saknas: {', '.join(map(str, missing))} (ange mappen med {SHARED_ENV})")
            return 1
    errors: list[str] = []
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    seen: set[str] = set()

    def err(item: dict, msg: str) -> None:
        errors.append(f"{item.get('id', '?')}: {msg}")

    for it in items:
        qid = it.get("id")
        if qid in seen:
            err(it, "id förekommer flera gånger")
        if it.get("group") not in GROUPS:
            err(it, f"okänd group {it.get('group')!r}")
        if it.get("kind") not in KINDS:
            err(it, f"okänd kind {it.get('kind')!r}")
        if not it.get("question", "").strip():
            err(it, "tom fråga")
        fu = it.get("followup_of")
        if it.get("kind") == "followup" and fu is None:
            err(it, "followup saknar followup_of")
        if fu is not None and fu not in seen:
            err(it, f"followup_of {fu} pekar inte på en tidigare fråga")
        seen.add(qid)

        if not it.get("answerable"):
            if it.get("kind") != "offcorpus":
                err(it, "answerable=false men kind är inte offcorpus")
            for k in ("gold_doc", "evidence", "key_fact", "gold_goal"):
                if it.get(k) is not None:
                    err(it, f"{k} ska vara null för en fråga utanför korpusen")
            continue
        if it.get("kind") == "offcorpus":
            err(it, "kind offcorpus men answerable=true")

        doc = it.get("gold_doc")
        if not doc or not (CORPUS / doc).exists():
            err(it, f"gold_doc saknas: {doc!r}")
            continue
        goal = it.get("gold_goal")
        goals = goal if isinstance(goal, list) else [goal] if goal is not None else []
        if any(not isinstance(g, int) or not 1 <= g <= 9 for g in goals):
            err(it, f"ogiltigt gold_goal {goal!r}")
        text = doc_text(doc)
        for field in ("evidence", "key_fact"):
            val = it.get(field)
            if not val or "\n" in val:
                err(it, f"{field} saknas eller innehåller radbrytning")
            elif collapse(val) not in text:
                err(it, f"{field} finns inte ordagrant i {doc}: {val!r}")
        for alt in it.get("evidence_alt") or []:
            if collapse(alt["text"]) not in doc_text(alt["doc"]):
                err(it, f"evidence_alt finns inte ordagrant i {alt['doc']}: {alt['text']!r}")
        n_words = len((it.get("evidence") or "").split())
        if not 4 <= n_words <= 12:
            err(it, f"evidence har {n_words} ord (ska vara 4–12)")
        if it.get("kind") == "paraphrase":
            shared = shared_words(it["question"], answer_passage(it))
            if shared:
                err(it, f"parafras delar ord med svarspassagen: {', '.join(shared)}")

    if declared_corpus:
        check_splits(path, items, errors)
    answerable = [it for it in items if it.get("answerable")]
    para = sum(it.get("kind") == "paraphrase" for it in answerable)
    if not declared_corpus and answerable and para * 3 < len(answerable):
        errors.append(f"för få parafraser: {para} av {len(answerable)} besvarbara (minst en tredjedel)")

    print(
        f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {len(items)} frågor, {len(answerable)} besvarbara"
    )
    print("  per kind: ", dict(sorted(Counter(it.get("kind") for it in items).items())))
    print("  per group:", dict(sorted(Counter(it.get("group") for it in items).items())))
    print("  per dokument:", dict(sorted(Counter(it.get("gold_doc") for it in answerable).items())))
    goal_counts: Counter[int] = Counter()
    for it in answerable:
        g = it.get("gold_goal")
        goal_counts.update(g if isinstance(g, list) else [g] if g is not None else [])
    print("  per mål:  ", dict(sorted(goal_counts.items())))
    if errors:
        print(f"\n{len(errors)} fel:")
        for e in errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SET
    sys.exit(check(path.resolve()))


if __name__ == "__main__":
    main()
