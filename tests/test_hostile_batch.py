"""Every hostile case of the safety issue in ONE batch between two good plans: the batch
ends (exit 1), each hostile file ends as it should (refused, bounded or repaired) with a
plain message and the check that says what was done, the adversarial paragraphs finish,
and every amount of the good plans is there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from extract.store import read_table
from tests.adversarial_text import ADVERSARIAL_PARAGRAPHS
from tests.conftest import CORPUS, ROOT
from tests.hostile_files import write_hostile_files

pytestmark = pytest.mark.slow

GOOD = [CORPUS / "kh_dakrong_dtts_2024.txt", CORPUS / "kh_son_la_giam_ngheo_2024.txt"]
# what a plain message never holds: a traceback, an object's repr or address, a temp path
UNPLAIN = re.compile(r"Traceback|<[\w.]+ object|0x[0-9a-f]{6,}|/tmp/")


# each hostile file: the statuses it may end with, and the check that says what was done
EXPECTED = {
    "huge_page.pdf": ({"partial"}, "unreadable_page"),  # too big to OCR even downsampled
    "blank_pages.pdf": ({"ok"}, None),  # 60 empty pages: nothing to read, in bounded memory
    "counts.docx": ({"ok"}, "input_clamped"),  # gridSpan and list numbers clamped
    "declared_size.docx": ({"failed"}, "read_error"),
    "zip_bomb.docx": ({"failed"}, "read_error"),
    "big_frames.tif": ({"ok", "partial"}, "page_downsampled"),
    "invalid_byte.txt": ({"ok"}, "encoding_repaired"),
    "nul_bytes.txt": ({"ok"}, "encoding_repaired"),
    "corrupt.pdf": ({"failed"}, "read_error"),
    "not_an_image.png": ({"failed"}, "read_error"),
}


def _amounts(out: Path, source_name: str) -> list[tuple]:
    docs = {d["doc_id"]: d["source_name"] for d in read_table(out, "documents").to_pylist()}
    return sorted(
        (a["line"], a["raw_text"], a["value_million_vnd"], a["funding_source"], a["parent_amount_id"])
        for a in read_table(out, "amounts").to_pylist()
        if docs[a["doc_id"]] == source_name
    )


def test_one_batch_of_every_hostile_case_between_two_good_plans(tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copyfile(GOOD[0], batch / "0_first_good.txt")
    hostile = write_hostile_files(batch / "1_hostile")
    for name, make in ADVERSARIAL_PARAGRAPHS.items():
        (batch / "2_paragraphs").mkdir(exist_ok=True)
        (batch / "2_paragraphs" / f"{name}.txt").write_text(
            "KẾ HOẠCH năm 2024\n" + make(1) + "\n", encoding="utf-8"
        )
    with open(os.fsencode(batch) + b"/3_k\xe9 ho\xffach.txt", "wb") as f:  # a name that is not UTF-8
        f.write((CORPUS / "kh_quang_tri_dtts_2025.md").read_bytes())
    os.mkfifo(batch / "4_pipe.txt")
    os.symlink("/proc/self/mem", batch / "4_mem.txt")
    shutil.copyfile(GOOD[1], batch / "9_last_good.txt")

    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "extract.cli",
            "extract",
            str(batch),
            "-o",
            str(out),
            "-j",
            "2",
            "--no-progress",
            "--doc-timeout",
            "120",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "4_pipe.txt: a named pipe" in proc.stderr and "4_mem.txt: a link leading out" in proc.stderr

    docs = {d["source_name"]: d for d in read_table(out, "documents").to_pylist()}
    checks = read_table(out, "checks").to_pylist()
    assert set(hostile) == set(EXPECTED)
    for name, (statuses, kind) in EXPECTED.items():
        doc = docs[name]
        assert doc["status"] in statuses, (name, doc["status"], doc["error"])
        mine = [c for c in checks if c["doc_id"] == doc["doc_id"]]
        if kind is not None:
            assert any(c["kind"] == kind for c in mine), (name, [c["kind"] for c in mine])
        for text in [doc["error"] or "", *(c["message"] for c in mine)]:
            assert not UNPLAIN.search(text) and len(text) < 400, (name, text)
    for name in ADVERSARIAL_PARAGRAPHS:
        assert docs[f"{name}.txt"]["status"] in ("ok", "partial"), (name, docs[f"{name}.txt"]["error"])
    assert any("\ufffd" in name for name in docs)

    # the good plans lose nothing: the same amounts as each extracted alone
    for source, name in ((GOOD[0], "0_first_good.txt"), (GOOD[1], "9_last_good.txt")):
        alone = tmp_path / f"alone-{name}"
        alone.mkdir()
        shutil.copyfile(source, alone / name)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "extract.cli",
                "extract",
                str(alone),
                "-o",
                str(tmp_path / f"o-{name}"),
                "-j",
                "1",
                "-q",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        expected = _amounts(tmp_path / f"o-{name}", name)
        assert expected and _amounts(out, name) == expected
        assert docs[name]["status"] == "ok"
