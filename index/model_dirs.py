"""Model folders that are built once in a temporary sibling and moved into place (index/e5_convert.py, the converted
model; index/onnx_backend.py and index/ct2_backend.py, its exports): reading the marker that says a folder is complete,
moving a finished build into place, and removing the temporaries of builds that died half-way. `build_once` is the
whole sequence, which the exports share."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def read_marker(path: Path) -> dict | None:
    """The JSON object in a completeness marker file; None when it is missing or not such an object."""
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def remove_abandoned(dest: Path) -> None:
    """Delete temporary siblings of ``dest`` (``.<name>.partial-<pid>-*``) left by builds that died mid-way (each up
    to ~470 MB). One is abandoned when its process is gone, or in any case after an hour (a build takes seconds)."""
    cutoff = time.time() - 3600
    for path in dest.parent.glob(f".{dest.name}.partial-*"):
        with contextlib.suppress(OSError, ValueError):
            pid = int(path.name.rsplit(".partial-", 1)[1].split("-", 1)[0])
            if pid != os.getpid() and (not pid_alive(pid) or path.stat().st_mtime < cutoff):
                shutil.rmtree(path, ignore_errors=True)


def move_into_place(tmp: Path, dest: Path, marker: str, source_fp: str) -> None:
    """Move the finished build `tmp` (its `marker` already written last) to `dest`. A stale build of ours at `dest`
    is moved aside first (os.replace cannot replace a non-empty folder); when another process's build of the same
    source (`source_fp`) got there first, that one is kept."""
    os.chmod(tmp, 0o755)
    if dest.exists():
        stale = dest.with_name(f".{dest.name}.partial-{os.getpid()}-stale")
        with contextlib.suppress(OSError):
            os.replace(dest, stale)
        shutil.rmtree(stale, ignore_errors=True)
    try:
        os.replace(tmp, dest)
    except OSError:
        if (read_marker(dest / marker) or {}).get("source") != source_fp:
            raise


def build_once(
    dest: Path, marker: str, source_fp: str, current: Callable[[dict], bool], make: Callable[[Path], dict]
) -> bool:
    """Build `dest` unless its marker says it is a complete, current build of `source_fp` (`current` judges the rest
    of the marker). `make(tmp)` fills a temporary sibling and returns the marker's fields; the marker is written last,
    then the folder is moved into place. Returns whether it built. Safe against concurrent callers and killed
    processes (temp folder + os.replace)."""
    found = read_marker(dest / marker)
    if found and found.get("source") == source_fp and current(found):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned(dest)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-{os.getpid()}-", dir=dest.parent))
    try:
        meta = {**make(tmp), "source": source_fp}
        (tmp / marker).write_text(json.dumps(meta, indent=2), encoding="utf-8")  # written last: marks completeness
        move_into_place(tmp, dest, marker, source_fp)  # or keeps a concurrent build of the same source
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return True
