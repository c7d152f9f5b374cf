"""Staff-only changes from the web: who may upload or remove, and where uploaded files may land.

Nothing here trusts the browser. The file name a browser sends is only a hint for the stored name: it is cut to its
last component, reduced to safe characters and checked to resolve inside `STYRDOK_HOME/uploads` before anything is
written, so "../../etc/x.pdf" becomes "uploads/x.pdf" and a symlink planted in the folder is never followed.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("styrdok.web.admin")

# The formats the ingest reads; anything else is refused before it is stored.
ALLOWED_SUFFIXES = (".pdf", ".docx", ".md", ".txt", ".html", ".htm")
DEFAULT_MAX_MB = 50.0
MAX_NAME_CHARS = 100


class UploadError(Exception):
    """A refused upload. The message is plain Swedish and shown to the user as is."""


@dataclass(frozen=True)
class AdminGate:
    """The staff password. Empty means staff functions are off for everyone."""

    secret: str = ""

    @classmethod
    def from_env(cls) -> AdminGate:
        """STYRDOK_ADMIN_PASSWORD, or the first line of the file named by STYRDOK_ADMIN_TOKEN_FILE.

        A token file lets an operator keep the secret out of the process environment (systemd credentials, Docker
        secrets). An unreadable or empty file leaves staff functions off rather than guessing.
        """
        secret = os.environ.get("STYRDOK_ADMIN_PASSWORD", "")
        token_file = os.environ.get("STYRDOK_ADMIN_TOKEN_FILE", "")
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

    def check(self, password: str | None, action: str, client: str = "") -> None:
        """Raise UploadError unless `password` is right. Refusals are logged with the client (never the password)."""
        who = f" (från {client})" if client else ""
        if not self.enabled:
            log.warning("nekad %s: personalfunktionerna är avstängda%s", action, who)
            raise UploadError(
                "Uppladdning och borttagning är avstängda. En administratör slår på dem genom att sätta "
                "STYRDOK_ADMIN_PASSWORD (eller STYRDOK_ADMIN_TOKEN_FILE) när appen startas."
            )
        # compare_digest: the time taken must not reveal how much of the password was right.
        if not hmac.compare_digest((password or "").encode("utf-8"), self.secret.encode("utf-8")):
            log.warning("nekad %s: fel lösenord%s", action, who)
            raise UploadError("Fel lösenord. Inget har ändrats.")


def max_upload_bytes() -> int:
    return int(float(os.environ.get("STYRDOK_MAX_FILE_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


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
    if suffix not in ALLOWED_SUFFIXES:
        shown = suffix or "(ingen)"
        raise UploadError(f"Filtypen {shown} stöds inte. Tillåtna: {', '.join(ALLOWED_SUFFIXES)}.")
    stem = stem.strip(" ._-")[: MAX_NAME_CHARS - len(suffix)] or "dokument"
    return stem + suffix


def store_upload(src: Path, original_name: str, home: Path, max_bytes: int | None = None) -> Path:
    """Copy an uploaded temp file into STYRDOK_HOME/uploads under a safe, unused name; return the stored path."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
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
