"""The Python API of the README (extract/api.py): one file in process, a folder into OUT,
OUT's tables back as typed DataFrames."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from tests.conftest import CORPUS


def test_extract_file_gives_typed_frames_whose_raw_text_is_the_source_slice():
    from extract import extract_file

    source = CORPUS / "kh_son_la_giam_ngheo_2024.txt"
    tables = extract_file(source)
    amounts = tables["amounts"]
    assert len(tables["documents"]) == 1 and tables["documents"]["status"].iloc[0] == "ok"
    assert len(amounts) > 10 and len(tables["sections"]) > 5
    assert isinstance(amounts["funding_source"].dtype, pd.CategoricalDtype)
    assert str(amounts["line"].dtype) == "Int32"
    lines = source.read_text(encoding="utf-8").splitlines()
    for row in amounts.itertuples():  # each figure starts on the line it names
        assert row.raw_text[:5] in lines[row.line - 1], (row.line, row.raw_text)


def test_extract_into_out_and_read_back_agree_with_extract_file(tmp_path):
    from extract import extract, extract_file, read

    source = CORPUS / "tin_cao_bang_giam_ngheo_2025.txt"
    summary = extract([source], tmp_path / "out")
    assert summary.statuses["ok"] == 1
    stored = read(tmp_path / "out", "amounts")
    direct = extract_file(source)["amounts"]
    assert sorted(stored["value_million_vnd"].dropna()) == sorted(direct["value_million_vnd"].dropna())
    assert len(read(tmp_path / "out", "plans")) == 1


def test_importing_the_package_loads_no_pipeline():
    code = (
        "import sys, extract; print(sorted(m for m in sys.modules if m.startswith(('extract.', 'pandas'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
