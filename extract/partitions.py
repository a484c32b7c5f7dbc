"""How the tables are partitioned on disk, hive style: OUT/<table>/province=…/plan_year=…/.
One place for the partition columns, the folder names and the partitioning readers use."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

import pyarrow as pa

if TYPE_CHECKING:
    import pyarrow.dataset as ds

PARTITION = pa.schema([("province", pa.string()), ("plan_year", pa.int32())])
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def segment(value: object) -> str:
    """A partition value as hive writes it: percent-encoded, null as the default partition."""
    return HIVE_NULL if value is None else quote(str(value), safe="")


def folder(province: object, plan_year: object) -> str:
    """The partition folder of a table's rows, relative to the table's folder."""
    return f"province={segment(province)}/plan_year={segment(plan_year)}"


def partitioning() -> ds.Partitioning:
    # values are percent-encoded in the folder names ("province=%C4%90%E1%BB%93ng%20Nai");
    # pyarrow, pandas and DuckDB decode them
    import pyarrow.dataset as ds  # 0.2 s to import: only where a table is read back

    return ds.HivePartitioning(PARTITION, null_fallback=HIVE_NULL)
