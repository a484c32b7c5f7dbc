"""Batch runs: incremental, resumable after kill -9, and the same tables on Dask."""

import os
import signal
import subprocess
import sys
import time

import pytest

from extract.batch import run
from extract.schema import TABLE_NAMES
from extract.store import read_table
from tests.conftest import CORPUS, ROOT


def _archive(path, count, seed=7):
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "make_archive.py"),
            str(CORPUS),
            str(path),
            "--count",
            str(count),
            "--seed",
            str(seed),
        ],
        check=True,
        capture_output=True,
    )
    return sorted(path.iterdir())


def _tables(out):
    return {name: read_table(out, name) for name in TABLE_NAMES}


def _assert_same_tables(a, b):
    ta, tb = _tables(a), _tables(b)
    for name in TABLE_NAMES:
        assert ta[name].num_rows == tb[name].num_rows, name
        assert ta[name].equals(tb[name]), name


def test_second_run_skips_unchanged_files_and_redoes_changed_ones(tmp_path):
    files = _archive(tmp_path / "in", 4)
    out = tmp_path / "out"
    first = run(files, out, jobs=1)
    assert (first.documents, first.skipped) == (4, 0)
    values_before = sorted(v or 0 for v in read_table(out, "amounts").column("value_million_vnd").to_pylist())
    second = run(files, out, jobs=1)
    assert second.skipped == 4 and second.rows == first.rows
    # one figure of one file in tỷ instead of triệu đồng: only that file is redone, and the
    # rebuilt tables hold its new value
    text = files[0].read_text(encoding="utf-8")
    changed = text.replace(" triệu đồng", " tỷ đồng", 1)
    assert changed != text
    files[0].write_text(changed, encoding="utf-8")
    third = run(files, out, jobs=1)
    assert third.skipped == 3 and third.rows["amounts"] == first.rows["amounts"]
    values_after = sorted(v or 0 for v in read_table(out, "amounts").column("value_million_vnd").to_pylist())
    assert values_after != values_before
    assert run(files, out, jobs=1, force=True).skipped == 0  # --force redoes everything


def test_kill_9_then_resume_gives_the_tables_of_an_uninterrupted_run(tmp_path):
    files = _archive(tmp_path / "in", 40)
    reference = tmp_path / "reference"
    run(files, reference, jobs=2)

    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "extract.cli",
        "extract",
        str(tmp_path / "in"),
        "-o",
        str(out),
        "-j",
        "2",
        "-q",
        "--no-progress",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    parts = out / "_parts"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        committed = [p for p in parts.iterdir() if not p.name.startswith(".")] if parts.is_dir() else []
        if len(committed) >= 5:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the run finished before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers
    proc.wait()
    committed = [p for p in parts.iterdir() if not p.name.startswith(".")]
    assert 5 <= len(committed) < 40
    assert not (out / "amounts").exists()  # killed before the tables were built

    resumed = subprocess.run(cmd[:-2], cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    skipped = int(resumed.stdout.splitlines()[-1].split(" unchanged")[0])
    assert skipped >= len(committed)
    _assert_same_tables(out, reference)
    assert len([p for p in parts.iterdir() if not p.name.startswith(".")]) == 40  # none lost or duplicated


def test_sigint_stops_cleanly_and_keeps_what_was_committed(tmp_path):
    _archive(tmp_path / "in", 40, seed=11)
    out = tmp_path / "out"
    cmd = [
        sys.executable,
        "-m",
        "extract.cli",
        "extract",
        str(tmp_path / "in"),
        "-o",
        str(out),
        "-j",
        "2",
        "-q",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    parts = out / "_parts"
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:
        if parts.is_dir() and len([p for p in parts.iterdir() if not p.name.startswith(".")]) >= 3:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "run the same command again" in err
    assert subprocess.run(cmd, cwd=ROOT, capture_output=True).returncode == 0
    assert read_table(out, "documents").num_rows == 40


def test_dask_engine_writes_the_same_tables(tmp_path):
    pytest.importorskip("dask.distributed")
    files = _archive(tmp_path / "in", 6)
    local, dask_out = tmp_path / "local", tmp_path / "dask"
    run(files, local, jobs=2)
    summary = run(files, dask_out, jobs=2, engine="dask")  # a LocalCluster of two worker processes
    assert summary.statuses["ok"] == 6
    _assert_same_tables(dask_out, local)


def test_the_same_bytes_at_two_paths_are_one_document_counted_once(tmp_path):
    """An archive often holds a file twice (downloaded again, copied to another folder): one
    document, one row per fact, and a check that names the copy; removing the first copy
    keeps the document under the second. Paths are taken in order: the first is kept."""
    files = _archive(tmp_path / "in", 2)
    copy = tmp_path / "kept-again" / files[0].name  # after "in/": the first path is kept
    copy.parent.mkdir()
    copy.write_bytes(files[0].read_bytes())
    out = tmp_path / "out"
    run([*files, copy], out, jobs=1)
    tables = _tables(out)
    docs = tables["documents"].to_pylist()
    assert len(docs) == 2 and len({d["doc_id"] for d in docs}) == 2
    for name, key in (("amounts", "amount_id"), ("targets", "target_id"), ("sections", "section_id")):
        ids = tables[name].column(key).to_pylist()
        assert ids and len(ids) == len(set(ids)), name
    single = tmp_path / "single"
    run(files, single, jobs=1)
    assert tables["amounts"].num_rows == read_table(single, "amounts").num_rows
    copies = [c for c in tables["checks"].to_pylist() if c["kind"] == "duplicate_file"]
    assert len(copies) == 1 and copies[0]["severity"] == "info"
    assert str(copy.name) in copies[0]["message"] and "kept-again" in copies[0]["message"]
    kept = next(d for d in docs if d["doc_id"] == copies[0]["doc_id"])
    assert "kept-again" not in kept["source_path"]
    # the first path gone from the inputs: the document stays, under the copy's path, with no check
    run([files[1], copy], out, jobs=1, prune=True)
    docs = read_table(out, "documents").to_pylist()
    assert sorted("kept-again" in d["source_path"] for d in docs) == [False, True]
    assert not [c for c in read_table(out, "checks").to_pylist() if c["kind"] == "duplicate_file"]
