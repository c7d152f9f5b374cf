"""What the UI layer uses from the layers below assistant, re-exported in one place.

`ui` imports these names from here (or from `assistant.service`), never from `index` or `ingest`, so the layers under
assistant can be rearranged without touching the UI; tests/test_architecture.py enforces that.
"""

from __future__ import annotations

from index.catalog import DocRecord, Filters
from index.config import Settings, SettingsError, set_offline_defaults
from index.engine import IndexBusyError, ModelMismatchError
from index.hybrid import Hit
from ingest.limits import Limits, positive
from ingest.loaders import supported_suffixes
from ingest.model import DOC_TYPES, FileResult

__all__ = [
    "DOC_TYPES",
    "DocRecord",
    "FileResult",
    "Filters",
    "Hit",
    "IndexBusyError",
    "Limits",
    "ModelMismatchError",
    "Settings",
    "SettingsError",
    "positive",
    "set_offline_defaults",
    "supported_suffixes",
]
