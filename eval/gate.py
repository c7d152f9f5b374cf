"""The CI gate: measured metrics must not drop below the checked-in thresholds (eval/gate.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

GATE_FILE = Path(__file__).resolve().parent / "gate.toml"


def thresholds(path: Path = GATE_FILE) -> dict[str, dict[str, float]]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


def check(measured: dict[str, float], limits: dict[str, float]) -> list[str]:
    """Plain-Swedish lines for every metric below its floor (or above its ceiling for *_rate metrics)."""
    bad = []
    for key, limit in limits.items():
        value = measured.get(key)
        if value is None:
            bad.append(f"{key}: mättes inte")
        elif key.endswith("_rate") and value > limit:
            bad.append(f"{key}: {value:.3f} är över taket {limit:.3f}")
        elif not key.endswith("_rate") and value < limit:
            bad.append(f"{key}: {value:.3f} är under golvet {limit:.3f}")
    return bad
