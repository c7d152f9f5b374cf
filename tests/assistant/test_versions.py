"""Two versions of one plan in the index: a question about what applies now is answered from the newest."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ask import Assistant
from assistant.config import LLMSettings

pytestmark = pytest.mark.slow

PLAN = """---
title: Tekniska nämnden – nämndsplan {year}
doc_type: nämndsplan
date: {date}
organ: Tekniska nämnden
---

# Tekniska nämnden – nämndsplan {year}

## Cykelvägar

Nämnden bygger {km} km ny cykelväg under året och prioriterar stråken till skolorna.
"""


def test_what_applies_now_comes_from_the_newest_version(make_index, tmp_path: Path):
    docs = tmp_path / "planer"
    docs.mkdir()
    for year, date, km in (("2025", "2024-11-20", "2,0"), ("2026", "2025-11-20", "3,2")):
        (docs / f"namndsplan-{year}.md").write_text(PLAN.format(year=year, date=date, km=km), encoding="utf-8")
    idx = make_index()
    assert all(r.status == "ingested" for r in idx.ingest([docs]))
    assistant = Assistant(idx, LLMSettings())
    now = assistant.ask("Hur mycket ny cykelväg bygger nämnden nu?")
    assert not now.refused and "3,2 km" in now.answer and "2,0 km" not in now.answer
    assert {c.date for c in now.citations} == {"2025-11-20"}
    then = assistant.ask("Hur mycket ny cykelväg byggde nämnden enligt nämndsplan 2025?")
    assert "2,0 km" in then.answer  # a named year is not overridden by the newer version
