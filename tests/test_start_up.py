"""What a batch run loads where (issue 16, start-up): the parent checks the rules but does
not compile them for extraction, nor import the pipeline or spaCy; the workers' template
compiles the rules the parent checked, without reading and validating the files again.
The tasks below run in a template and its workers (imported there by name), so this module
imports nothing heavy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract.workers import Limits, WorkerPool

ROOT = Path(__file__).resolve().parents[1]


def _loaded(prefixes: list[str]) -> dict[str, bool]:
    """A worker's task: which of PREFIXES name a module this process has imported."""
    return {p: any(m == p or m.startswith(p + ".") for m in sys.modules) for p in prefixes}


@pytest.mark.parametrize("ocr", ["auto", "never"])
def test_the_parents_pipeline_version_is_the_extractors(ocr: str) -> None:
    from extract.pipeline import Extractor
    from extract.rules import load_rules
    from extract.work import pipeline_version

    assert pipeline_version(None, ocr) == Extractor(load_rules(None), ocr).version


def test_rules_compiled_from_checked_rules_are_the_loaded_rules() -> None:
    from extract.rules import check_rules, compile_rules, load_rules

    checked = check_rules(None)
    compiled, loaded = compile_rules(checked), load_rules(None)
    assert compiled.fingerprint == loaded.fingerprint == checked.fingerprint
    assert compiled.raw == loaded.raw
    assert [s.pattern.pattern for s in compiled.label_styles] == [
        s.pattern.pattern for s in loaded.label_styles
    ]

    def plain(entries: tuple) -> list:  # compiled patterns compare by identity: their text and flags
        return [(value, phrases, p.pattern, p.flags) for value, phrases, p in entries]

    assert plain(compiled.funding_source.entries) == plain(loaded.funding_source.entries)


def test_an_extractor_of_checked_rules_extracts_as_one_of_the_rules_directory() -> None:
    from extract.rules import check_rules
    from extract.work import _extractor

    text = "Kế hoạch số 12/KH-UBND. Tổng kinh phí 1.200 triệu đồng, ngân sách tỉnh 800 triệu đồng.\n"
    data = text.encode()
    by_dir = _extractor(None, "auto").process(Path("a.txt"), data).tables
    by_checked = _extractor(check_rules(None), "auto").process(Path("a.txt"), data).tables
    assert by_checked == by_dir


def test_a_batch_parent_loads_neither_spacy_nor_the_pipeline(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("Kế hoạch số 1/KH-UBND về việc thử.\n", encoding="utf-8")
    code = f"""
import json, sys
from pathlib import Path
from extract.batch import run
summary = run([Path({str(tiny)!r})], Path({str(tmp_path / "out")!r}), jobs=1)
heavy = ("spacy", "extract.pipeline", "extract.nlp", "extract.rules_schema")
print(json.dumps([dict(summary.statuses), {{m: m in sys.modules for m in heavy}},
                  "pydantic" in sys.modules]))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    statuses, loaded, pydantic = json.loads(out.stdout.strip().splitlines()[-1])
    assert statuses == {"ok": 1}
    # the rules are validated (pydantic, rules_schema), but nothing of the extraction loads here
    assert loaded == {
        "spacy": False,
        "extract.pipeline": False,
        "extract.nlp": False,
        "extract.rules_schema": True,
    }
    assert pydantic


def test_the_template_compiles_the_parents_checked_rules_without_validating_them() -> None:
    from extract.rules import check_rules
    from extract.work import load_extractor

    checked = check_rules(None)
    pool: WorkerPool[str] = WorkerPool(
        1, _loaded, Limits(timeout_s=120), initializer=load_extractor, init_args=(checked, "auto")
    )
    prefixes = ["extract.rules_schema", "extract.pipeline", "spacy"]
    [(_, loaded)] = list(pool.run(iter([("w", (prefixes,))])))
    # the rules are not validated again (rules_schema); the pipeline and spaCy are loaded
    assert loaded == {"extract.rules_schema": False, "extract.pipeline": True, "spacy": True}


def test_file_metadata_is_built_once_and_each_caller_gets_its_own_copy() -> None:
    from extract.schema import file_metadata

    first = file_metadata("amounts")
    first[b"kehoach.schema_version"] = b"changed"
    again = file_metadata("amounts")
    assert again[b"kehoach.schema_version"] != b"changed"
    assert b"pandas" in again


def test_a_part_is_conformed_to_the_schema_cast_only_where_its_types_differ() -> None:
    import pyarrow as pa

    from extract.store import _conform

    schema = pa.schema([("a", pa.int32()), ("b", pa.string()), ("c", pa.float64())])
    part = pa.table({"a": pa.array([1, None], pa.int64()), "b": pa.array(["x", None])})
    table = _conform(part, schema)
    assert table.schema == schema
    assert table.to_pylist() == [{"a": 1, "b": "x", "c": None}, {"a": None, "b": None, "c": None}]
    assert table.column("b").equals(part.column("b"))
