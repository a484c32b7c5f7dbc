"""kehoach: Vietnamese national-target-program plans into clean, comparable tables.

The Python API (extract/api.py): `extract(paths, out)`, `read(out, table)` and
`extract_file(path)`; loaded on first use, so `import extract` stays light.
"""

from typing import Any

__version__ = "0.1.0"
# Bumped when extraction output changes for the same input (incremental runs key on it).
PIPELINE_VERSION = f"kehoach-{__version__}"

__all__ = ["extract", "extract_file", "read"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'extract' has no attribute {name!r}")
