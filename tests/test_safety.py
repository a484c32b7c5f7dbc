"""Never lose or destroy data: output folders, accumulation, the lock, worker isolation,
odd inputs and failed writes."""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract.batch import run
from extract.cli import EXIT_OUTPUT, EXIT_USAGE, main
from extract.inputs import OUTPUT_MARKER, collect
from extract.store import OutputRefused, Store, read_table
from tests.conftest import CORPUS, ROOT

PLAN_A = CORPUS / "kh_son_la_giam_ngheo_2024.txt"
PLAN_B = CORPUS / "kh_dakrong_dtts_2024.txt"


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst


def _sources(out: Path) -> list[str]:
    return sorted(Path(p).name for p in read_table(out, "documents").column("source_path").to_pylist())


def test_out_dot_beside_a_folder_named_documents_is_refused_and_untouched(tmp_path, monkeypatch, capsys):
    mine = _copy(PLAN_A, tmp_path / "documents" / "plan.txt")
    other = _copy(PLAN_B, tmp_path / "elsewhere" / "plan_b.txt")
    monkeypatch.chdir(tmp_path)
    assert (
        main(["extract", "documents", "-o", ".", "-j", "1"]) == EXIT_USAGE
    )  # the input is where OUT's table goes
    assert main(["extract", str(other), "-o", ".", "-j", "1"]) == EXIT_USAGE  # OUT's documents/ is foreign
    err = capsys.readouterr().err
    assert "lies inside the output folder" in err and "did not write" in err and "documents/plan.txt" in err
    assert mine.read_bytes() == PLAN_A.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "elsewhere"]  # nothing written


def test_foreign_file_inside_a_table_folder_is_never_removed(tmp_path, capsys):
    out = tmp_path / "out"
    run([PLAN_A], out, jobs=1)
    notes = out / "amounts" / "my_notes.txt"
    notes.write_text("mine")
    assert main(["extract", str(PLAN_A), "-o", str(out), "-j", "1", "--force"]) == EXIT_USAGE
    assert "my_notes.txt" in capsys.readouterr().err
    assert notes.read_text() == "mine"
    # files elsewhere in OUT are not kehoach's business: they stay and do not block a run
    notes.unlink()
    (out / "README.txt").write_text("about this folder")
    assert main(["extract", str(PLAN_A), "-o", str(out), "-j", "1", "-q"]) == 0
    assert (out / "README.txt").read_text() == "about this folder"


def test_runs_accumulate_and_prune_says_how_many(tmp_path, capsys):
    a, b = _copy(PLAN_A, tmp_path / "in" / "a.txt"), _copy(PLAN_B, tmp_path / "in2" / "b.txt")
    out = tmp_path / "out"
    run([a], out, jobs=1)
    summary = run([b], out, jobs=1)
    assert _sources(out) == ["a.txt", "b.txt"] and summary.held == 2
    # a changed file replaces its own earlier document, never adds a second one
    a.write_text(a.read_text(encoding="utf-8").replace(" triệu đồng", " tỷ đồng", 1), encoding="utf-8")
    run([a], out, jobs=1)
    assert _sources(out) == ["a.txt", "b.txt"]
    assert len([p for p in (out / "_parts").iterdir() if not p.name.startswith(".")]) == 2
    assert main(["extract", str(b), "-o", str(out), "-j", "1", "--prune"]) == 0
    assert "1 documents of files not in this run pruned" in capsys.readouterr().out
    assert _sources(out) == ["b.txt"]


def test_out_inside_the_inputs_is_refused_and_a_marked_folder_is_never_read(tmp_path, capsys):
    _copy(PLAN_A, tmp_path / "archive" / "a.txt")
    assert (
        main(["extract", str(tmp_path / "archive"), "-o", str(tmp_path / "archive" / "out"), "-j", "1"])
        == EXIT_USAGE
    )
    assert "lies inside the input" in capsys.readouterr().err
    assert not (tmp_path / "archive" / "out").exists()
    out = tmp_path / "out"
    run([tmp_path / "archive" / "a.txt"], out, jobs=1)
    assert (out / OUTPUT_MARKER).is_file()
    shutil.move(str(out), str(tmp_path / "archive" / "old_out"))  # an old output moved into the archive
    collected = collect([tmp_path / "archive"])
    assert [f.path.name for f in collected.files] == ["a.txt"]
    assert any("kehoach output folder" in s for s in collected.skipped)


def test_a_second_run_into_a_locked_out_is_refused_without_touching_it(tmp_path):
    out = tmp_path / "out"
    run([PLAN_A], out, jobs=1)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    with open(out / ".kehoach.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(OutputRefused, match="another kehoach run"):
            run([PLAN_B], out, jobs=1)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    run([PLAN_B], out, jobs=1)  # the lock is free again
    assert _sources(out) == sorted([PLAN_A.name, PLAN_B.name])


def test_odd_paths_are_skipped_or_failed_never_a_crash(tmp_path):
    root = tmp_path / "in"
    _copy(PLAN_A, root / "good.txt")
    weird = os.fsencode(root) + b"/k\xe9 ho\xffach.txt"  # a name that is not UTF-8
    with open(weird, "wb") as f:
        f.write(PLAN_B.read_bytes())
    os.mkfifo(root / "pipe.txt")
    os.symlink("/proc/self/mem", root / "mem.txt")  # leads out of the tree
    os.symlink(root, root / "loop")  # a loop
    os.symlink(root / "nowhere.txt", root / "broken.txt")
    collected = collect([root])
    names = sorted(f.display.rsplit("/", 1)[1] for f in collected.files)
    assert names == ["good.txt", "k\ufffd ho\ufffdach.txt"]
    skipped = "\n".join(collected.skipped)
    for why in ("a named pipe", "leading out of the input folders", "loop", "leads nowhere"):
        assert why in skipped
    out = tmp_path / "out"
    summary = run(collected.files, out, jobs=1)
    assert summary.statuses["ok"] == 2
    docs = read_table(out, "documents").to_pylist()
    assert any("\ufffd" in d["source_name"] for d in docs)


def test_an_unreadable_file_becomes_a_failed_row(tmp_path):
    if os.geteuid() == 0:  # root reads everything: make a file that cannot be read otherwise
        target = tmp_path / "in" / "dir_named_like_a_plan.txt"
        target.mkdir(parents=True)
        from extract.inputs import InputFile

        files = [InputFile(target, str(target), str(target))]
    else:
        target = _copy(PLAN_A, tmp_path / "in" / "secret.txt")
        target.chmod(0)
        files = [target]
    summary = run(files, tmp_path / "out", jobs=1)
    doc = read_table(tmp_path / "out", "documents").to_pylist()[0]
    assert summary.statuses["failed"] == 1 and doc["status"] == "failed" and doc["error"]


def _sleep_then_echo(seconds: float, value: str) -> str:
    time.sleep(seconds)
    return value


def _allocate(gib: float, value: str) -> str:
    block = bytearray(int(gib * 1024**3))
    block[::4096] = b"x" * len(block[::4096])  # touched, so it is resident
    return value


def _die(code: int, value: str) -> str:
    os._exit(code)


def test_worker_pool_turns_a_time_limit_a_memory_limit_and_a_death_into_failures_and_goes_on():
    from extract.workers import GIB, Limits, WorkerFailure, WorkerPool

    pool: WorkerPool[str] = WorkerPool(2, _dispatch, Limits(timeout_s=3, memory_bytes=int(0.4 * GIB)))
    jobs = [
        ("fast1", ("sleep", 0.0, "a")),
        ("stuck", ("sleep", 60.0, "b")),
        ("greedy", ("alloc", 1.5, "c")),
        ("dies", ("die", 3, "d")),
        ("fast2", ("sleep", 0.0, "e")),
    ]
    started = time.monotonic()
    results = dict(pool.run(iter(jobs)))
    assert time.monotonic() - started < 30
    assert results["fast1"] == "a" and results["fast2"] == "e"
    assert isinstance(results["stuck"], WorkerFailure) and results["stuck"].kind == "time_limit"
    assert "time limit of 3 s" in results["stuck"].message
    assert isinstance(results["greedy"], WorkerFailure) and results["greedy"].kind == "memory_limit"
    assert "memory limit of 0.4 GiB" in results["greedy"].message
    assert isinstance(results["dies"], WorkerFailure) and results["dies"].kind == "worker_died"
    assert "exit code 3" in results["dies"].message


def _dispatch(what: str, amount: float, value: str) -> str:
    if what == "sleep":
        return _sleep_then_echo(amount, value)
    if what == "alloc":
        return _allocate(amount, value)
    return _die(int(amount), value)


def test_a_document_over_the_time_limit_is_a_failed_row_and_the_batch_goes_on(tmp_path):
    from PIL import Image

    root = tmp_path / "in"
    _copy(PLAN_A, root / "a.txt")
    _copy(PLAN_B, root / "c.txt")
    # pages of noise: Tesseract works on each for seconds (about 2 s of CPU for a 2400 px
    # page here), so six of them run far past the limit however fast OCR becomes
    pages = [Image.effect_noise((2400, 2400), 120).convert("L") for _ in range(6)]
    pages[0].save(root / "b_noise.tif", save_all=True, append_images=pages[1:])
    out = tmp_path / "out"
    code = main(["extract", str(root), "-o", str(out), "-j", "1", "--doc-timeout", "3", "-q"])
    assert code == 1
    docs = {d["source_name"]: d for d in read_table(out, "documents").to_pylist()}
    assert docs["a.txt"]["status"] == docs["c.txt"]["status"] == "ok"
    assert docs["b_noise.tif"]["status"] == "failed"
    assert "time limit of 3 s" in docs["b_noise.tif"]["error"]
    kinds = read_table(out, "checks").to_pylist()
    assert any(c["kind"] == "time_limit" and c["doc_id"] == docs["b_noise.tif"]["doc_id"] for c in kinds)
    assert read_table(out, "amounts").num_rows > 0


@pytest.mark.slow
def test_no_worker_outlives_a_kill_9_of_the_parent(tmp_path):
    root = tmp_path / "in"
    (root).mkdir()
    (root / "slow.txt").write_text(
        "Kế hoạch năm 2024\nMục tiêu: " + "đạt 1% " * 4000 + "\n", encoding="utf-8"
    )
    _copy(PLAN_A, root / "a.txt")
    cmd = [
        sys.executable,
        "-m",
        "extract.cli",
        "extract",
        str(root),
        "-o",
        str(tmp_path / "out"),
        "-j",
        "2",
        "-q",
        "--no-progress",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []  # the template and the two workers forked from it
    deadline = time.time() + 60
    while time.time() < deadline and len(workers) < 3:
        workers = _descendants(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 3, "no worker started"
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGKILL)  # only the parent
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not any(_alive(w) for w in workers)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _descendants(pid: int) -> list[int]:
    found, frontier = [], [pid]
    while frontier:
        kids = _children(frontier.pop())
        found.extend(kids)
        frontier.extend(kids)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def test_a_failed_write_is_exit_3_keeps_what_was_committed_and_the_next_run_resumes(
    tmp_path, monkeypatch, capsys
):
    root = tmp_path / "in"
    for i, src in enumerate((PLAN_A, PLAN_B, PLAN_A)):
        text = src.read_text(encoding="utf-8") + f"\n(bản {i})\n"
        (root).mkdir(exist_ok=True)
        (root / f"p{i}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    real_write = Store.write_part
    calls = {"n": 0}

    def disk_full_after_two(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Store, "write_part", disk_full_after_two)
    assert main(["extract", str(root), "-o", str(out), "-j", "1", "-q"]) == EXIT_OUTPUT
    err = capsys.readouterr().err
    assert "the disk is full" in err and "Traceback" not in err
    committed = [p for p in (out / "_parts").iterdir() if not p.name.startswith(".")]
    assert len(committed) == 2
    monkeypatch.setattr(Store, "write_part", real_write)
    assert main(["extract", str(root), "-o", str(out), "-j", "1"]) == 0
    assert "2 unchanged and skipped" in capsys.readouterr().out
    assert len(read_table(out, "documents")) == 3


def test_a_vanished_out_is_exit_3(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    real_write = Store.write_part

    def vanish(self, *args, **kwargs):
        shutil.rmtree(self.out)
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(Store, "write_part", vanish)
    assert main(["extract", str(PLAN_A), "-o", str(out), "-j", "1", "-q"]) == EXIT_OUTPUT
    assert "vanished" in capsys.readouterr().err


def test_a_new_column_changes_the_pipeline_version_so_every_document_is_redone(monkeypatch):
    from extract import fingerprint, schema

    before = fingerprint.code_fingerprint()
    fingerprint.code_fingerprint.cache_clear()
    widened = [*schema.COLUMNS["amounts"], ("a_new_column", "string")]
    monkeypatch.setitem(schema.COLUMNS, "amounts", widened)
    try:
        assert fingerprint.code_fingerprint() != before
    finally:
        fingerprint.code_fingerprint.cache_clear()


def _as_earlier_version(out: Path, key: str, drop: dict[str, list[str]] | None = None) -> None:
    """Rewrite a committed part as an earlier version of kehoach wrote it: a folder of one
    Arrow file per table and meta.json (DROP: columns that version did not have)."""
    import json

    import pyarrow as pa

    from extract.schema import TABLE_NAMES

    store = Store(out)
    info = next(i for i in store.part_infos() if i.key == key)
    folder = out / "_parts" / key
    folder.mkdir()
    for name in TABLE_NAMES:
        table = store.read_part(key, name).drop_columns((drop or {}).get(name, []))
        with pa.OSFile(str(folder / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
    (folder / "meta.json").write_text(
        json.dumps({"source": info.identity, "committed_ns": info.committed_ns})
    )
    (out / "_parts" / f"{key}.part").unlink()


def test_parts_of_an_earlier_version_without_a_new_column_still_compact(tmp_path):
    out = tmp_path / "out"
    run([PLAN_A], out, jobs=1)
    key = Store(out).part_infos()[0].key
    _as_earlier_version(out, key, {"amounts": ["context"]})
    (out / "_parts" / ".built").unlink()
    summary = run([PLAN_B], out, jobs=1)  # compacts both documents
    assert summary.held == 2
    amounts = read_table(out, "amounts").to_pylist()
    assert any(a["context"] is None for a in amounts) and any(a["context"] for a in amounts)
    assert (out / "_parts" / key).is_dir()  # read where it is, not rewritten


def test_a_part_folder_of_an_earlier_version_counts_as_committed_and_is_replaced_by_a_file(tmp_path):
    out = tmp_path / "out"
    run([PLAN_A, PLAN_B], out, jobs=1)
    before = read_table(out, "amounts").num_rows
    keys = [i.key for i in Store(out).part_infos()]
    for key in keys:
        _as_earlier_version(out, key)
    summary = run([PLAN_A, PLAN_B], out, jobs=1)
    assert summary.skipped == 2 and summary.held == 2  # unchanged files: skipped, not redone
    assert read_table(out, "amounts").num_rows == before
    # --force writes the same keys again: each folder gives way to its file, none counted twice
    summary = run([PLAN_A, PLAN_B], out, jobs=1, force=True)
    assert summary.held == 2 and read_table(out, "amounts").num_rows == before
    assert sorted(p.name for p in (out / "_parts").iterdir() if not p.name.startswith(".")) == sorted(
        f"{k}.part" for k in keys
    )


def test_a_folder_left_beside_its_file_by_a_killed_run_is_not_counted_twice(tmp_path):
    out = tmp_path / "out"
    run([PLAN_A], out, jobs=1)
    key = Store(out).part_infos()[0].key
    part = out / "_parts" / f"{key}.part"
    kept = part.read_bytes()
    _as_earlier_version(out, key)
    part.write_bytes(kept)  # killed after the file was renamed in, before the folder was removed
    assert [i.key for i in Store(out).part_infos()] == [key]
    (out / "_parts" / ".built").unlink()
    summary = run([PLAN_A], out, jobs=1)
    assert summary.held == 1 and read_table(out, "documents").num_rows == 1
    assert not (out / "_parts" / key).exists()


def test_a_half_written_part_of_a_killed_run_is_removed_and_never_read(tmp_path):
    out = tmp_path / "out"
    run([PLAN_A], out, jobs=1)
    half = out / "_parts" / ".tmp-x1y2z3"
    half.write_bytes(b"kehoach-part 1\n{")  # killed mid-write: never renamed into place
    summary = run([PLAN_A, PLAN_B], out, jobs=1)
    assert summary.held == 2 and not half.exists()


@pytest.mark.parametrize("options, why", [("size=48k", "the disk is full"), ("ro", "read-only")])
def test_a_real_full_or_read_only_file_system_is_exit_3(tmp_path, capsys, options, why):
    mount = tmp_path / "mnt"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("mounting a tmpfs needs root")
    try:
        assert (
            main(["extract", str(PLAN_A), str(PLAN_B), "-o", str(mount / "out"), "-j", "1", "-q"])
            == EXIT_OUTPUT
        )
        err = capsys.readouterr().err
        assert why in err and "Traceback" not in err
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_failure_building_plans_and_allocations_keeps_the_contract_tables(tmp_path, monkeypatch):
    import extract.store

    def broken(*args, **kwargs):
        raise ValueError("no plans today")

    monkeypatch.setattr(extract.store, "write_derived", broken)
    summary = run([PLAN_A], tmp_path / "out", jobs=1)
    assert summary.derive_error == "ValueError: no plans today"
    assert read_table(tmp_path / "out", "amounts").num_rows > 0


def test_a_breakdown_thousands_deep_builds_its_allocations():
    from extract.allocations import AllocationRules, statements_of
    from extract.rules import load_rules

    depth = 5000  # "… trong đó … trong đó …": each amount a part of the one before
    amounts = [
        {
            "amount_id": f"d:a{i}",
            "value_million_vnd": float(depth - i),
            "raw_text": str(depth - i),
            "parent_amount_id": f"d:a{i - 1}" if i else None,
            "measure": "carryover" if i == depth - 1 else "plan",
            "line": 1,
            "char_start": i,
        }
        for i in range(depth)
    ]
    statements = statements_of(amounts, 2024, AllocationRules.from_rules(load_rules()))
    assert statements[0].measure == load_rules().section("allocations")["mixed_measure"]
