"""The hostile-input and fault cases of the safety issue, each run alone through the CLI
under /usr/bin/time -v: exit code, wall time, peak RSS, and what the documents table says.

    python benchmarks/hostile_cases.py [--scale 8] [--only NAME] > table.md

File cases come from tests/hostile_files.py, adversarial paragraphs from
tests/adversarial_text.py (at --scale), folder cases are built here. Run as root for the
tiny and read-only file systems (tmpfs mounts); without root those rows are skipped.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOOD = ROOT / "corpus" / "kh_son_la_giam_ngheo_2024.txt"


@dataclass
class Case:
    name: str
    args: list[str]  # after `kehoach`
    cwd: Path
    cleanup: Callable[[], None] | None = None
    file: str | None = None  # the hostile file's name: its documents row and checks are shown
    out: Path | None = None


@dataclass
class Outcome:
    exit_code: int
    seconds: float
    peak_rss_mb: float
    said: str


def _run(case: Case) -> Outcome:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "extract.cli", *case.args]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=case.cwd, capture_output=True, text=True, env=env, timeout=3600)
    seconds = time.perf_counter() - started
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    said_lines = [
        ln
        for ln in (proc.stdout + proc.stderr).splitlines()
        if ln.startswith(("kehoach:", "skipped")) or "Traceback" in ln
    ]
    if case.file and case.out and (case.out / "documents").is_dir():
        from extract.store import read_table

        doc = next(d for d in read_table(case.out, "documents").to_pylist() if d["source_name"] == case.file)
        kinds = sorted(
            {c["kind"] for c in read_table(case.out, "checks").to_pylist() if c["doc_id"] == doc["doc_id"]}
        )
        said_lines.insert(
            0,
            f"{doc['status']}"
            + (f": {doc['error'].split(': ', 1)[-1]}" if doc["error"] else "")
            + (f" [{', '.join(kinds)}]" if kinds else ""),
        )
    said = " / ".join(said_lines)[:200]
    if case.cleanup:
        case.cleanup()
    return Outcome(proc.returncode, seconds, int(rss.group(1)) / 1024 if rss else float("nan"), said)


def _file_case(work: Path, name: str, path: Path) -> Case:
    folder = work / f"in-{name}"
    folder.mkdir()
    shutil.copyfile(GOOD, folder / "a_good_plan.txt")
    shutil.move(str(path), folder / path.name)
    out = work / f"out-{name}"
    return Case(
        name,
        ["extract", str(folder), "-o", str(out), "-j", "1", "--no-progress"],
        work,
        file=path.name,
        out=out,
    )


def cases(work: Path, scale: int) -> list[Case]:
    found: list[Case] = []
    try:
        from tests.hostile_files import write_hostile_files

        made = work / "hostile"
        made.mkdir()
        for name, path in write_hostile_files(made).items():
            found.append(_file_case(work, name, path))
    except ImportError:
        print("tests/hostile_files.py not found: file cases left out", file=sys.stderr)
    try:
        from tests.adversarial_text import ADVERSARIAL_PARAGRAPHS

        for name, make in ADVERSARIAL_PARAGRAPHS.items():
            path = work / f"{name}.txt"
            path.write_text("KẾ HOẠCH năm 2024\n" + make(scale) + "\n", encoding="utf-8")
            found.append(_file_case(work, f"{name} ×{scale}", path))
    except ImportError:
        print("tests/adversarial_text.py not found: paragraph cases left out", file=sys.stderr)

    # folder and fault cases
    beside = work / "beside"
    (beside / "documents").mkdir(parents=True)
    shutil.copyfile(GOOD, beside / "documents" / "plan.txt")
    found.append(Case("-o . beside a folder named documents", ["extract", "documents", "-o", "."], beside))
    inside = work / "inside"
    inside.mkdir()
    shutil.copyfile(GOOD, inside / "plan.txt")
    found.append(Case("OUT inside the inputs", ["extract", str(inside), "-o", str(inside / "out")], work))
    odd = work / "odd"
    odd.mkdir()
    shutil.copyfile(GOOD, odd / "plan.txt")
    with open(os.fsencode(odd) + b"/k\xe9 ho\xffach.txt", "wb") as f:
        f.write(GOOD.read_bytes())
    os.mkfifo(odd / "pipe.txt")
    os.symlink("/proc/self/mem", odd / "mem.txt")
    os.symlink(odd, odd / "loop")
    found.append(
        Case(
            "non-UTF-8 name, a pipe, a link to /proc/self/mem, a loop",
            ["extract", str(odd), "-o", str(work / "out-odd"), "-j", "1"],
            work,
        )
    )
    if os.geteuid() == 0:
        for label, options in (
            ("a tiny file system (disk full)", "size=48k"),
            ("a read-only file system", "ro"),
        ):
            mount = work / f"mnt-{options}"
            mount.mkdir()
            if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mount)]).returncode == 0:
                found.append(
                    Case(
                        label,
                        ["extract", str(GOOD), "-o", str(mount / "out"), "-j", "1"],
                        work,
                        cleanup=lambda m=mount: subprocess.run(["umount", str(m)]),
                    )
                )
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--scale", type=int, default=8, help="adversarial paragraphs at this many times their base"
    )
    ap.add_argument("--only", help="run only the cases whose name contains this")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kehoach-hostile-"))
    try:
        print("| case | exit | s | peak RSS MB | what kehoach said |")
        print("| --- | --- | --- | --- | --- |")
        for case in cases(work, args.scale):
            if args.only and args.only not in case.name:
                if case.cleanup:
                    case.cleanup()
                continue
            out = _run(case)
            said = out.said.replace("|", "\\|")
            print(
                f"| {case.name} | {out.exit_code} | {out.seconds:.1f} | {out.peak_rss_mb:.0f} | {said} |",
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
