"""What the UI layer uses from the layers below assistant, re-exported in one place.

`ui` imports these names from here (or from `assistant.service`), never from `index` or `ingest`, so the layers under
assistant can be rearranged without touching the UI; tests/test_architecture.py enforces that. Each name is imported
from its module on first use (PEP 562): the command line reads `Filters` while it declares its options, and must not
pay for numpy and the search engine before `styrdok --help`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from index.catalog import DocRecord, FilterField, Filters
    from index.config import Settings, SettingsError, set_offline_defaults
    from index.engine import IndexBusyError, ModelMismatchError
    from index.hybrid import Hit
    from ingest.limits import Limits, positive
    from ingest.loaders import supported_suffixes
    from ingest.model import DOC_TYPES, FileResult

_HOME = {
    "DocRecord": "index.catalog",
    "FilterField": "index.catalog",
    "Filters": "index.catalog",
    "Settings": "index.config",
    "SettingsError": "index.config",
    "set_offline_defaults": "index.config",
    "IndexBusyError": "index.engine",
    "ModelMismatchError": "index.engine",
    "Hit": "index.hybrid",
    "Limits": "ingest.limits",
    "positive": "ingest.limits",
    "supported_suffixes": "ingest.loaders",
    "DOC_TYPES": "ingest.model",
    "FileResult": "ingest.model",
}
__all__ = [  # the names of _HOME, spelled out for readers and linters
    "DOC_TYPES",
    "DocRecord",
    "FileResult",
    "FilterField",
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


def __getattr__(name: str) -> object:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value  # the next look-up is an ordinary attribute
    return value
