"""Hostile inputs: work stays bounded (memory does not grow with page, frame or declared
counts), nothing is lost silently, the same bytes give the same words, and
Extractor.process never raises. The files come from tests/hostile_files.py."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract.pipeline import DocumentResult
from extract.readers.base import plain_error, plain_message
from extract.readers.text import invalid_utf8
from tests.conftest import ROOT
from tests.hostile_files import (
    PLAN,
    deflated_entry,
    docx_bytes,
    insert_after_lines,
    pdf_bytes,
    tiff_bytes,
    write_hostile_files,
    zip_bytes,
)

GIB = 2**30

# Extracts the files named on the command line in one process under an address-space
# limit set before anything is imported; prints each result and the peak RSS.
_DRIVER = """
import json, resource, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from pathlib import Path
from extract.pipeline import Extractor
extractor, out = Extractor(), {}
for name in sys.argv[2:]:
    result = extractor.process_path(Path(name))
    out[Path(name).name] = {"status": result.document["status"], "error": result.document["error"],
                            "pages": result.document["pages"],
                            "checks": [[c["kind"], c["page"], c["message"]] for c in result.tables["checks"]]}
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def extract_in_subprocess(paths: list[Path], limit_bytes: int = int(2.5 * GIB)) -> dict:
    run = subprocess.run(
        [sys.executable, "-c", _DRIVER, str(limit_bytes), *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def with_limits(rules, **changes):
    """RULES with entries of inputs.yaml's `limits` changed (a dict value updates a section)."""
    inputs = copy.deepcopy(rules.raw["inputs"])
    for key, value in changes.items():
        if isinstance(value, dict):
            inputs["limits"][key].update(value)
        else:
            inputs["limits"][key] = value
    return dataclasses.replace(rules, raw={**rules.raw, "inputs": inputs})


def checks_of(result, kind: str) -> list[dict]:
    return [c for c in result.tables["checks"] if c["kind"] == kind]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Path]:
    return write_hostile_files(tmp_path_factory.mktemp("hostile"))


# ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_huge_pages_and_bombs_finish_under_a_memory_limit(hostile):
    names = ["huge_page.pdf", "zip_bomb.docx", "declared_size.docx", "counts.docx"]
    out = extract_in_subprocess([hostile[n] for n in names])
    assert all(out[n]["status"] in ("ok", "partial", "failed") for n in names)
    huge = out["huge_page.pdf"]
    assert huge["status"] == "partial"
    assert any(
        kind == "unreadable_page" and page == 1 and "page 1" in message and "20000 × 20000 pt" in message
        for kind, page, message in huge["checks"]
    )
    assert out["zip_bomb.docx"]["status"] == out["declared_size.docx"]["status"] == "failed"
    assert "word/media/image1.png" in out["zip_bomb.docx"]["error"]
    assert "4,000,000,000 bytes" in out["declared_size.docx"]["error"]
    assert out["counts.docx"]["status"] == "ok"
    assert out["peak_rss_mb"] < 1024


@pytest.mark.slow
def test_memory_does_not_grow_with_the_number_of_pages(tmp_path):
    rss = {}
    for pages in (2, 24):  # 24 blank A4 page images held at once: +0.8 GB
        path = tmp_path / f"blank{pages}.pdf"
        path.write_bytes(pdf_bytes([(595, 842)] * pages))
        out = extract_in_subprocess([path])
        assert out[path.name]["status"] == "ok" and out[path.name]["pages"] == pages
        rss[pages] = out["peak_rss_mb"]
    assert rss[24] - rss[2] < 150, rss


@pytest.mark.slow
def test_image_frames_are_decoded_one_at_a_time_within_the_pixel_budget(tmp_path):
    rss = {}
    for frames in (2, 8):  # 9000 x 9000 frames; all decoded at once: +0.5 GB
        path = tmp_path / f"frames{frames}.tif"
        path.write_bytes(tiff_bytes(9000, 9000, frames))
        out = extract_in_subprocess([path])
        row = out[path.name]
        assert row["status"] == "ok" and row["pages"] == frames
        downsampled = [(page, message) for kind, page, message in row["checks"] if kind == "page_downsampled"]
        assert [page for page, _ in downsampled] == list(range(1, frames + 1))
        assert "9000 × 9000 pixels" in downsampled[0][1] and "150 dpi" in downsampled[0][1]
        rss[frames] = out["peak_rss_mb"]
    assert rss[8] - rss[2] < 150, rss


# ---------------------------------------------------------------------------------------
def test_page_over_the_pixel_budget_is_downsampled_and_said(extractor):
    a0 = extractor.process(Path("poster.pdf"), pdf_bytes([(2384, 3370)]))  # A0: 139 megapixels at 300 dpi
    assert a0.document["status"] == "ok"
    [check] = checks_of(a0, "page_downsampled")
    assert check["page"] == 1 and "page 1" in check["message"] and "OCR'd at 127 dpi" in check["message"]


def test_absurd_page_sizes_are_refused_and_broken_page_trees_said(extractor):
    vast = extractor.process(Path("vast.pdf"), pdf_bytes([(1e30, 1e30)]))
    assert vast.document["status"] == "partial"
    assert "1e+30 × 1e+30 pt" in checks_of(vast, "unreadable_page")[0]["message"]
    broken = pdf_bytes([(1, 1)]).replace(b"1.000000 1.000000", b"1e+30 1e+30")  # not a PDF number
    doc = extractor.process(Path("broken.pdf"), broken).document
    assert doc["status"] == "failed" and "page tree is broken" in doc["error"]


def test_pdf_pages_beyond_the_bound_are_not_read(rules):
    from extract.pipeline import Extractor

    result = Extractor(with_limits(rules, max_pdf_pages=2)).process(
        Path("long.pdf"), pdf_bytes([(595, 842)] * 5)
    )
    assert result.document["status"] == "partial" and result.document["pages"] == 2
    [check] = checks_of(result, "input_truncated")
    assert "more than 2 pages" in check["message"] and "first 2" in check["message"]


def test_image_frames_beyond_the_bound_are_not_read(rules):
    from extract.pipeline import Extractor

    result = Extractor(with_limits(rules, max_image_frames=3)).process(
        Path("scan.tif"), tiff_bytes(200, 200, 5)
    )
    assert result.document["status"] == "partial" and result.document["pages"] == 3
    assert "first 3" in checks_of(result, "input_truncated")[0]["message"]


def test_frames_after_a_broken_frame_directory_are_reported(extractor):
    import struct

    data = bytearray(tiff_bytes(300, 300, 3))
    first = struct.unpack("<I", data[4:8])[0]
    next_at = first + 2 + 12 * struct.unpack("<H", data[first : first + 2])[0]
    data[next_at : next_at + 4] = struct.pack("<I", len(data) + 1000)  # the second frame: past the end
    result = extractor.process(Path("scan.tif"), bytes(data))
    assert result.document["status"] == "partial" and result.document["pages"] == 1
    assert "after frame 1 could not be found" in checks_of(result, "input_truncated")[0]["message"]


def test_image_over_the_decoding_bound_is_refused_without_decoding(rules):
    from extract.pipeline import Extractor

    small = with_limits(rules, pages={"max_decoded_pixels": 1_000_000})
    result = Extractor(small).process(Path("scan.tif"), tiff_bytes(2000, 2000, 2))
    assert result.document["status"] == "partial"
    assert [c["page"] for c in checks_of(result, "unreadable_page")] == [1, 2]


def test_counts_read_from_a_docx_are_clamped(extractor, hostile):
    result = extractor.process_path(hostile["counts.docx"])
    assert result.document["status"] == "ok"
    messages = " | ".join(c["message"] for c in checks_of(result, "input_clamped"))
    assert "column span is 500000000; 63 used" in messages
    assert (
        "first number is 1000000000; 10000 used" in messages
        and "list level is 1000000000; 8 used" in messages
    )
    assert [a["value_million_vnd"] for a in result.tables["amounts"]] == [1200.0]


def test_docx_parts_are_checked_before_they_are_inflated(extractor):
    lying = docx_bytes(media=bytes(8_000_000), declared_media_size=1000)  # inflates 8,000 times what it says
    cases = {
        "declared.docx": (
            docx_bytes(declared_media_size=4_000_000_000),
            "would inflate to 4,000,000,000 bytes",
        ),
        "bzip2.docx": (docx_bytes(media_bomb_bytes=20_000_000), "zip method 12"),
        "lying.docx": (lying, "is corrupt"),
    }
    for name, (data, said) in cases.items():
        doc = extractor.process(Path(name), data).document
        assert (
            doc["status"] == "failed" and said in doc["error"] and "word/media/image1.png" in doc["error"]
        ), name


def test_docx_package_bounds(rules):
    from extract.pipeline import Extractor

    many_parts = zip_bytes([deflated_entry(f"word/media/p{k}.bin", b"x") for k in range(20)])
    doc = (
        Extractor(with_limits(rules, docx={"max_parts": 10})).process(Path("parts.docx"), many_parts).document
    )
    assert doc["status"] == "failed" and "20 parts, over the limit of 10" in doc["error"]
    spread = docx_bytes(media=bytes(600_000))
    doc = (
        Extractor(with_limits(rules, docx={"max_package_bytes": 500_000}))
        .process(Path("big.docx"), spread)
        .document
    )
    assert doc["status"] == "failed" and "in all, over the limit of 500,000" in doc["error"]


# ---------------------------------------------------------------------------------------
def test_one_invalid_byte_keeps_the_plan_utf8(extractor, hostile):
    clean = extractor.process_path(PLAN)
    damaged = extractor.process_path(hostile["invalid_byte.txt"])

    def values(r: DocumentResult) -> list[float]:
        return sorted(a["value_million_vnd"] or -1 for a in r.tables["amounts"])

    assert values(damaged) == values(clean) and len(values(clean)) > 10
    assert damaged.document["encoding"] == "utf-8" and damaged.document["status"] == "ok"
    [check] = checks_of(damaged, "encoding_repaired")
    position = hostile["invalid_byte.txt"].read_bytes().index(b"\xff")
    assert "1 byte(s)" in check["message"] and f"at byte {position}" in check["message"]


def test_invalid_utf8_positions_are_counted_and_capped():
    head, middle = "Kế hoạch".encode(), "năm".encode()
    data = head + b"\xff\xfe" + middle + b"\xe1\xbb" + b"x" * 5 + b"\x80" * 30  # \xe1\xbb: a cut character
    bad = invalid_utf8(data, 4)
    cut = len(head) + 2 + len(middle)
    assert bad.count == 34 and bad.first == [len(head), len(head) + 1, cut, cut + 1]
    assert invalid_utf8("Kế hoạch năm 2024".encode(), 4).count == 0


def test_legacy_decoding_still_wins_when_the_whole_text_reads_better(extractor):
    tcvn3 = "KÕ ho¹ch gi¶m nghÌo bÒn v÷ng n¨m 2024 cña UBND huyÖn\n".encode("cp1252") * 5
    result = extractor.process(Path("old.txt"), tcvn3)
    assert result.document["encoding"].endswith("tcvn3") and not checks_of(result, "encoding_repaired")


def test_nul_bytes_are_dropped_and_reported(extractor, hostile):
    clean = extractor.process_path(PLAN)
    damaged = extractor.process_path(hostile["nul_bytes.txt"])
    assert damaged.document["status"] == "ok"
    assert len(damaged.tables["amounts"]) == len(clean.tables["amounts"])
    assert [s["title"] for s in damaged.tables["sections"]] == [s["title"] for s in clean.tables["sections"]]
    [check] = checks_of(damaged, "encoding_repaired")
    assert check["message"].startswith("nul_bytes.txt: 8 NUL byte(s) removed")
    # with a bad byte after the NULs, its position is the one in the file as it is
    both = insert_after_lines(PLAN.read_bytes(), b"\x00", every=100, limit=3)
    both = both[:3000] + b"\xff" + both[3000:]
    [bad] = [
        c
        for c in checks_of(extractor.process(Path("both.txt"), both), "encoding_repaired")
        if "UTF-8" in c["message"]
    ]
    assert "at byte 3000" in bad["message"]


def test_what_is_not_text_is_still_refused(extractor):
    for name, data, said in [
        ("nul.txt", b"\x00" * 100, "only NUL bytes"),
        ("blob.txt", bytes(range(256)) * 40, "binary data"),
    ]:
        doc = extractor.process(Path(name), data).document
        assert doc["status"] == "failed" and said in doc["error"], name
    utf16 = "Kế hoạch năm 2024: kinh phí 1.200 triệu đồng\n".encode("utf-16-le") * 3
    assert extractor.process(Path("wide.txt"), utf16).document["encoding"] == "utf-16-le"


# ---------------------------------------------------------------------------------------
def test_plain_messages_have_no_addresses_or_temporary_names():
    import io

    said = plain_message(
        f"cannot identify image file {io.BytesIO()!r} in /tmp/tmpa1b2c3/x.png, id 0x7f3a9c0d1e2f\n  next"
    )
    assert said == "cannot identify image file <_io.BytesIO object> in <temporary file>, id 0x… next"
    assert plain_message("x" * 1000, 50).endswith("…") and len(plain_message("x" * 1000, 50)) == 50

    class Hostile(Exception):
        def __str__(self):
            raise RuntimeError("no")

    assert plain_error(Hostile()) == "Hostile"


@pytest.mark.slow
def test_same_bytes_give_the_same_words_in_two_processes(hostile):
    names = [
        "corrupt.pdf",
        "not_an_image.png",
        "invalid_byte.txt",
        "nul_bytes.txt",
        "zip_bomb.docx",
        "counts.docx",
    ]
    first, second = (extract_in_subprocess([hostile[n] for n in names]) for _ in range(2))
    for name in names:
        assert (
            first[name]["error"] == second[name]["error"] and first[name]["checks"] == second[name]["checks"]
        )
        said = json.dumps(first[name])
        assert " at 0x" not in said and "/tmp/" not in said, said
    assert first["corrupt.pdf"]["status"] == first["not_an_image.png"]["status"] == "failed"


def test_process_never_raises(extractor, hostile):
    """Truncated and bit-flipped versions of every small hostile file, under each suffix."""
    small = [p for n, p in sorted(hostile.items()) if n not in ("big_frames.tif", "blank_pages.pdf")]
    for path in small:
        data = path.read_bytes()
        variants = [
            data[: len(data) // 3],
            data[:-7],
            bytes(b ^ 0x5A if i % 97 == 13 else b for i, b in enumerate(data)),
        ]
        for k, variant in enumerate(variants):
            for suffix in (path.suffix, ".txt", ".docx", ".pdf", ".png"):
                result = extractor.process(Path(f"{path.stem}{k}{suffix}"), variant)
                assert result.document["status"] in ("ok", "partial", "failed")
                assert all(" at 0x" not in (c["message"] or "") for c in result.tables["checks"])


def test_the_hostile_files_are_small(hostile):
    import bz2
    import zipfile

    assert all(p.stat().st_size < 12_000 for p in hostile.values()), {
        n: p.stat().st_size for n, p in hostile.items()
    }
    # the bzip2 part really is a bomb: 1.28 GB declared, and its first megabyte inflates as zeros
    with zipfile.ZipFile(hostile["zip_bomb.docx"]) as archive:
        info = archive.getinfo("word/media/image1.png")
    raw = hostile["zip_bomb.docx"].read_bytes()
    start = info.header_offset + 30 + len(info.filename.encode())
    first = bz2.BZ2Decompressor().decompress(raw[start : start + info.compress_size], max_length=1 << 20)
    assert info.file_size == 1_280_000_000 and first == bytes(1 << 20)
