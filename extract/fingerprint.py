"""What the output of a document depends on besides its bytes and the rules: the package's
code and the table definitions. Both go into the pipeline version, so any change that can
change output (a new column without a version bump too) redoes every document."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of every Python source file of the package and of the table definitions (their
    columns and types, and the data dictionary that describes them in the files' metadata),
    read as plain data: a worker computes it and does not import pyarrow."""
    from .dictionary import DICTIONARY_FILE
    from .schema import definition

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    digest.update(definition().encode() + b"\0" + DICTIONARY_FILE.read_bytes())
    return digest.hexdigest()


def pipeline_version(rules_fingerprint: str, ocr: str) -> str:
    """The version stamped on each document: the code's version and fingerprint, the rules'
    fingerprint and the OCR setting (same version, same output)."""
    from . import PIPELINE_VERSION

    return f"{PIPELINE_VERSION}+code.{code_fingerprint()[:12]}+rules.{rules_fingerprint[:12]}+ocr.{ocr}"
