"""What a worker process runs: load the extractor, then extract one file at a time.

Kept apart from batch.py, which imports the store (pyarrow, its Parquet writer): a worker
never writes Parquet, so it imports only the pipeline, and spaCy (which the parent never
loads). The workers' template (workers.py) loads it all once and forks the workers from
itself. An Extractor used in process loads spaCy the first time a document needs
sentences (nlp.py)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pipeline import Extractor
    from .rules import CheckedRules

# A file larger than this is not read (a plan, even scanned, is far smaller); it becomes a
# failed row.
MAX_INPUT_BYTES = 512 * 1024**2


@lru_cache(maxsize=4)
def _extractor(rules: str | None | CheckedRules, ocr: str) -> Extractor:
    """One Extractor per process and settings (the rules load once). RULES: a rules
    directory (None: the bundled rules), or rules already checked (a batch's parent checks
    them and hands them to its workers' template, which then compiles them without reading
    and validating the files again: the workers extract with the very rules whose
    fingerprint the parent put in the pipeline version)."""
    from .pipeline import Extractor
    from .rules import CheckedRules, compile_rules, load_rules

    return Extractor(compile_rules(rules) if isinstance(rules, CheckedRules) else load_rules(rules), ocr)


def pipeline_version(rules_dir: str | None, ocr: str) -> str:
    """The version an Extractor of these settings stamps on each document (its `version`:
    the code's version and fingerprint, the rules' fingerprint, the OCR setting), from the
    rules checked but not compiled: a batch's parent needs it to know which documents are
    done, and never extracts one itself."""
    from . import fingerprint
    from .rules import check_rules

    return fingerprint.pipeline_version(check_rules(rules_dir).fingerprint, ocr)


def load_extractor(rules: str | None | CheckedRules, ocr: str) -> None:
    """The workers' template's load (workers.py): the rules, the pipeline, spaCy's sentence
    pipeline and the pipeline version (the code's fingerprint) load once, before the
    workers are forked, so that a document's time limit counts the document alone."""
    from .fingerprint import code_fingerprint
    from .nlp import sentence_spans

    sentence_spans("Kế hoạch.")
    _extractor(rules, ocr)
    code_fingerprint()  # cached: part of every document's pipeline_version


def extract_document(
    path: str, data: bytes, rules_dir: str | None, ocr: str = "auto"
) -> dict[str, list[dict]]:
    """The rows of every table for one document, from its bytes (a Dask worker)."""
    return _extractor(rules_dir, ocr).process(Path(path), data).tables


def extract_file(
    rules: str | None | CheckedRules, ocr: str, path: bytes, display: str
) -> dict[str, list[dict]]:
    """The rows of every table for the file at PATH (a local worker reads the file itself,
    so no document's bytes pass through the parent). DISPLAY is the path as text; RULES as
    for `_extractor`."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT_BYTES)
    except OSError as exc:
        data = b""
        message = f"cannot read the file: {exc.strerror or type(exc).__name__}"
        return (
            _extractor(rules, ocr)
            .failed(Path(display), hashlib.sha256(data).hexdigest(), "unknown", message, "read_error")
            .tables
        )
    return _extractor(rules, ocr).process(Path(display), data).tables
