"""Staff-only changes from the web: who may upload or remove, and where uploaded files may land.

Nothing here trusts the browser. The file name a browser sends is only a hint for the stored name: it is cut to its
last component, reduced to safe characters and checked to resolve inside `STYRDOK_HOME/uploads` before anything is
written, so "../../etc/x.pdf" becomes "uploads/x.pdf" and a symlink planted in the folder is never followed.
"""

from __future__ import annotations

import hmac
import logging
import math
import os
import re
import shutil
import threading
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from assistant.api import Limits, supported_suffixes

log = logging.getLogger("styrdok.web.admin")


def allowed_suffixes() -> tuple[str, ...]:
    """The formats ingest reads (its own list, so a new format is accepted here too); anything else is refused
    before it is stored."""
    return tuple(sorted(supported_suffixes()))


MAX_NAME_CHARS = 100


class UploadError(Exception):
    """A refused upload. The message is plain Swedish and shown to the user as is."""


class Backoff:
    """Failed logins per key: after `free` failures each further one locks the key for twice as long as the last
    (1 s, 2 s, 4 s … up to `cap`); a success clears the key, and failures are forgotten after `forget` seconds
    without one. Guessing 100 passwords took 1.7 s; now the 100th waits the cap."""

    def __init__(
        self, free: int, cap: float = 900.0, forget: float = 3600.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.free, self.cap, self.forget, self.clock = free, cap, forget, clock
        self._fails: dict[str, tuple[int, float]] = {}  # key → (failures, time of the last)
        self._lock = threading.Lock()

    def wait(self, key: str) -> float:
        """Seconds until `key` may try again (0: now)."""
        with self._lock:
            n, last = self._fails.get(key, (0, 0.0))
            now = self.clock()
            if n and now - last > self.forget:
                del self._fails[key]
                return 0.0
            if n < self.free:
                return 0.0
            return max(0.0, last + min(2.0 ** (n - self.free), self.cap) - now)

    def fail(self, key: str) -> None:
        with self._lock:
            n, _ = self._fails.get(key, (0, 0.0))
            self._fails[key] = (n + 1, self.clock())
            if len(self._fails) > 10_000:  # many addresses: forget the oldest rather than grow without end
                oldest = min(self._fails, key=lambda k: self._fails[k][1])
                del self._fails[oldest]

    def ok(self, key: str) -> None:
        with self._lock:
            self._fails.pop(key, None)


# Per client address: 3 free tries, then 1 s, 2 s, 4 s … up to 15 min. Overall (every address together, against
# guessing from many addresses): 20 free, then the same doubling. Behind a proxy every client has the proxy's address,
# and the per-address limit is the overall one. X-Forwarded-For is not used: any client can write it.
FREE_PER_CLIENT = 3
FREE_OVERALL = 20
EVERYONE = "*"


@dataclass(frozen=True)
class AdminGate:
    """The staff password. Empty means staff functions are off for everyone."""

    secret: str = ""
    per_client: Backoff = field(default_factory=lambda: Backoff(FREE_PER_CLIENT), compare=False, repr=False)
    overall: Backoff = field(default_factory=lambda: Backoff(FREE_OVERALL), compare=False, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AdminGate:
        """STYRDOK_ADMIN_PASSWORD, or the first line of the file named by STYRDOK_ADMIN_TOKEN_FILE.

        A token file lets an operator keep the secret out of the process environment (systemd credentials, Docker
        secrets). An unreadable or empty file leaves staff functions off rather than guessing.
        """
        env = os.environ if env is None else env
        secret = env.get("STYRDOK_ADMIN_PASSWORD", "")
        token_file = env.get("STYRDOK_ADMIN_TOKEN_FILE", "")
        if not secret and token_file:
            try:
                lines = Path(token_file).expanduser().read_text(encoding="utf-8").splitlines()
                secret = lines[0].strip() if lines else ""
            except OSError as e:
                log.error("kan inte läsa STYRDOK_ADMIN_TOKEN_FILE (%s): personalfunktionerna är avstängda", e)
        return cls(secret)

    @property
    def enabled(self) -> bool:
        return bool(self.secret)

    def check(self, password: str | None, action: str, client: str = "", address: str = "") -> None:
        """Raise UploadError unless `password` is right. Refusals are logged with the client (never the password).

        `address`: the peer address the back-off is counted per. While it (or everyone) is locked out, the password
        is not even compared, so a right guess during the lockout is refused like a wrong one.
        """
        who = f" (från {client})" if client else ""
        if not self.enabled:
            log.warning("nekad %s: personalfunktionerna är avstängda%s", action, who)
            raise UploadError(
                "Uppladdning och borttagning är avstängda. En administratör slår på dem genom att sätta "
                "STYRDOK_ADMIN_PASSWORD (eller STYRDOK_ADMIN_TOKEN_FILE) när appen startas."
            )
        key = address or "okänd"
        wait = max(self.per_client.wait(key), self.overall.wait(EVERYONE))
        if wait > 0:
            log.warning("nekad %s: för många felaktiga lösenord, spärrad %.0f s till%s", action, wait, who)
            raise UploadError(retry_message(wait))
        # compare_digest: the time taken must not reveal how much of the password was right.
        if not hmac.compare_digest((password or "").encode("utf-8"), self.secret.encode("utf-8")):
            self.per_client.fail(key)
            self.overall.fail(EVERYONE)
            log.warning("nekad %s: fel lösenord%s", action, who)
            wait = max(self.per_client.wait(key), self.overall.wait(EVERYONE))
            raise UploadError("Fel lösenord. Inget har ändrats." + (" " + retry_message(wait) if wait > 0 else ""))
        self.per_client.ok(key)


def retry_message(seconds: float) -> str:
    """When to try again, in plain Swedish: "om 8 sekunder (kl. 14:05:09)"."""
    s = math.ceil(seconds)
    span = f"{s} sekund{'er' if s != 1 else ''}" if s < 120 else f"{math.ceil(s / 60)} minuter"
    at = time.strftime("%H:%M:%S", time.localtime(time.time() + s))
    return f"För många felaktiga lösenord. Försök igen om {span} (kl. {at})."


# STYRDOK_UPLOAD_CLEANUP_S (ui.web.WebSettings): how old a file in Gradio's upload folder may get before it is
# deleted. Gradio's upload route (POST /gradio_api/upload) stores whatever anyone sends before any handler runs, and
# it cannot be closed per user. The staff handler copies what it accepts at once; everything else there, anonymous
# or refused, is deleted after this many seconds (checked every tenth of it).
DEFAULT_CLEANUP_S = 300


def gradio_upload_dir() -> Path:
    """Gradio's folder for uploaded files (its own rule: GRADIO_TEMP_DIR or <tmp>/gradio)."""
    import tempfile

    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()


def discard_received(files: list[str] | tuple[str, ...]) -> None:
    """Delete the temporary copies Gradio made of an upload (only those inside its upload folder)."""
    root = gradio_upload_dir()
    for f in files:
        p = Path(f)
        try:
            if p.resolve().is_relative_to(root) and p.is_file():
                p.unlink()
                if p.parent != root and not any(p.parent.iterdir()):
                    p.parent.rmdir()  # Gradio keeps each upload in a folder of its own
        except OSError:
            log.warning("kunde inte ta bort en uppladdad temporär fil")


def leftover_uploads(home: Path, indexed_sources: set[str]) -> list[Path]:
    """Files in the uploads folder that no indexed document comes from (failed, refused or interrupted uploads)."""
    folder = uploads_dir(home)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and str(p.resolve()) not in indexed_sources)


def uploads_dir(home: Path) -> Path:
    return home / "uploads"


def safe_name(name: str) -> str:
    """A file name that is one harmless path component, keeping å/ä/ö and the suffix.

    Raises UploadError when nothing usable is left or the type is not allowed.
    """
    base = re.split(r"[/\\]", name.replace("\x00", ""))[-1]  # both separators: browsers on Windows send "C:\\x"
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .")
    base = re.sub(r"[ _]{2,}", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    allowed = allowed_suffixes()
    if suffix not in allowed:
        shown = suffix or "(ingen)"
        raise UploadError(f"Filtypen {shown} stöds inte. Tillåtna: {', '.join(allowed)}.")
    stem = stem.strip(" ._-")[: MAX_NAME_CHARS - len(suffix)] or "dokument"
    return stem + suffix


def store_upload(src: Path, original_name: str, home: Path, max_bytes: int | None = None) -> Path:
    """Copy an uploaded temp file into STYRDOK_HOME/uploads under a safe, unused name; return the stored path.
    `max_bytes`: STYRDOK_MAX_FILE_MB as ingest reads it (Limits), by default its default."""
    limit = Limits().max_file_bytes if max_bytes is None else max_bytes
    name = safe_name(original_name)
    size = src.stat().st_size
    if size == 0:
        raise UploadError(f"{name}: filen är tom.")
    if size > limit:
        raise UploadError(f"{name}: filen är större än gränsen på {limit / (1024 * 1024):g} MB.")
    folder = uploads_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    root = folder.resolve()
    stem, suffix = name[: -len(Path(name).suffix)], Path(name).suffix
    for i in range(1, 1000):
        candidate = folder / (name if i == 1 else f"{stem}-{i}{suffix}")
        # Belt and braces: safe_name allows no separators. Not resolve(): that would follow a planted link, which
        # O_EXCL | O_NOFOLLOW below refuse anyway.
        if candidate.parent.resolve() != root or candidate.name in (".", ".."):
            raise UploadError(f"{name}: ogiltigt filnamn.")
        try:
            # O_EXCL | O_NOFOLLOW: never overwrite a file and never write through a link someone placed here.
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o640)
        except FileExistsError:
            if _same_content(candidate, src):
                return candidate  # the same file uploaded twice: ingest will report it unchanged
            continue
        with os.fdopen(fd, "wb") as out, src.open("rb") as f:
            shutil.copyfileobj(f, out)
        return candidate
    raise UploadError(f"{name}: för många filer med samma namn.")


def _same_content(a: Path, b: Path) -> bool:
    try:
        if a.is_symlink() or a.stat().st_size != b.stat().st_size:
            return False
        return a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def is_upload(source: str, home: Path) -> bool:
    """Whether an indexed document's file was uploaded from the web (and so may be deleted with it)."""
    try:
        return Path(source).resolve().parent == uploads_dir(home).resolve()
    except OSError:
        return False
