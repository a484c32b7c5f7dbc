"""What the output of a document depends on besides its bytes and the rules: the package's
code and the table definitions. Both go into the pipeline version, so any change that can
change output (a new column without a version bump too) redoes every document."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of every Python source file of the package and of the table schemas."""
    from .schema import TABLES

    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    for name, schema in TABLES.items():
        digest.update(f"{name}\0{schema.to_string(show_schema_metadata=False)}\0".encode())
    return digest.hexdigest()
