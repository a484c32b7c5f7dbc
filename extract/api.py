"""The Python API: three functions, for notebooks and scripts.

    from extract import extract, extract_file, read

    summary = extract(["plans/"], "out")            # as `kehoach extract plans/ -o out`
    amounts = read("out", "amounts")               # one table of OUT as a pandas DataFrame
    tables = extract_file("plans/kh_2025.docx")    # one file, in this process, nothing written

`extract` is the command line's batch (workers with their time and memory limits, the
output folder's marker, lock and accumulation); `extract_file` reads one file in the
calling process, without those limits, to look at what kehoach finds in it. Frames have
the types of the data dictionary (nullable integers, dates, categoricals for enums).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas and the pipeline load when a function is called, not on import
    import pandas as pd

    from .batch import Summary


def extract(
    paths: Iterable[str | Path],
    out: str | Path,
    *,
    jobs: int = 1,
    force: bool = False,
    prune: bool = False,
    rules: str | Path | None = None,
    ocr: str = "auto",
) -> Summary:
    """Extract every file under PATHS into the output folder OUT (the seven contract
    tables, plans and allocations). Raises store.OutputRefused (a folder kehoach may not
    write) and store.OutputError (writing failed) as the command's exit codes 2 and 3."""
    from .batch import run
    from .inputs import collect

    inputs = [Path(p) for p in paths]
    collected = collect(inputs, follow_links=False)
    if collected.missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(collected.missing)}")
    return run(
        collected.files,
        Path(out),
        jobs=jobs,
        force=force,
        prune=prune,
        rules_dir=Path(rules) if rules else None,
        ocr=ocr,
        inputs=inputs,
    )


def read(out: str | Path, name: str) -> pd.DataFrame:
    """The table NAME (documents, sections, amounts, targets, checks, references,
    assignments, plans, allocations, version_checks) of the output folder OUT."""
    from .frames import read_frame

    return read_frame(Path(out), name)


def extract_file(
    path: str | Path, *, rules: str | Path | None = None, ocr: str = "auto"
) -> dict[str, pd.DataFrame]:
    """What kehoach finds in one file, as a DataFrame per contract table, read in this
    process (no worker, no limits) and written nowhere."""
    import pyarrow as pa

    from .frames import to_frame
    from .pipeline import Extractor
    from .rules import load_rules
    from .schema import TABLES

    result = Extractor(load_rules(str(rules) if rules else None), ocr=ocr).process_path(Path(path))
    return {
        name: to_frame(pa.Table.from_pylist(rows, schema=TABLES[name]), name)
        for name, rows in result.tables.items()
    }
