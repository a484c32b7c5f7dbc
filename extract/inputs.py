"""Which files a run reads: the paths given, walked without surprises.

A folder is walked recursively in sorted order, hidden names skipped. Nothing here reads a
file's content. What is not a plain file is skipped with a message, never a crash:
special files (pipes, devices, sockets), folders that cannot be listed, symbolic links
that lead out of the input tree or round in a loop (`--follow-links` follows those that
lead out, never a loop), and kehoach output folders (they carry a marker file: kehoach
never reads its own output back).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

OUTPUT_MARKER = ".kehoach-output.json"


@dataclass
class InputFile:
    path: Path  # the path to open (may hold bytes that are not UTF-8)
    display: str  # the same path as text: undecodable bytes shown as U+FFFD
    identity: str  # the absolute path as text: one file, one identity across runs


@dataclass
class Collected:
    files: list[InputFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "path: why" for each skipped entry
    missing: list[str] = field(default_factory=list)


def display_path(path: Path | str) -> str:
    """PATH as valid text: bytes of a file name that are not UTF-8 become U+FFFD, so the
    name can go into a table and a message."""
    return os.fsencode(path).decode("utf-8", "replace")


def _input_file(path: Path) -> InputFile:
    return InputFile(path, display_path(path), display_path(os.path.abspath(path)))


def is_output_folder(folder: Path) -> bool:
    return (folder / OUTPUT_MARKER).is_file()


def collect(paths: list[Path], follow_links: bool = False) -> Collected:
    result = Collected()
    roots = [Path(os.path.realpath(p)) for p in paths if os.path.isdir(p)]
    for p in paths:
        try:
            st = os.stat(p)
        except OSError as exc:
            if os.path.islink(p):
                result.skipped.append(f"{display_path(p)}: a link that leads nowhere or round in a loop")
            elif isinstance(exc, FileNotFoundError):
                result.missing.append(display_path(p))
            else:
                result.skipped.append(f"{display_path(p)}: {exc.strerror or exc}")
            continue
        if stat.S_ISDIR(st.st_mode):
            if is_output_folder(p):
                result.skipped.append(f"{display_path(p)}: a kehoach output folder, never read as input")
                continue
            _walk(p, roots, follow_links, result, {os.path.realpath(p)})
        elif stat.S_ISREG(st.st_mode):
            result.files.append(_input_file(p))
        else:
            result.skipped.append(f"{display_path(p)}: {_special_kind(st.st_mode)}, not a file to read")
    unique: dict[str, InputFile] = {}
    for f in result.files:  # a file named twice (or inside a folder also named) is read once
        unique.setdefault(f.identity, f)
    result.files = list(unique.values())
    return result


def _walk(folder: Path, roots: list[Path], follow_links: bool, result: Collected, visiting: set[str]) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: os.fsencode(e.name))
    except OSError as exc:
        result.skipped.append(f"{display_path(folder)}: cannot list the folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            is_link = entry.is_symlink()
            st = os.stat(path)  # follows links; a broken link or a loop raises
        except OSError:
            result.skipped.append(
                f"{display_path(path)}: a link that leads nowhere or round in a loop"
                if entry.is_symlink()
                else f"{display_path(path)}: cannot be read"
            )
            continue
        inside = True
        if is_link:
            target = Path(os.path.realpath(path))
            inside = any(target == r or r in target.parents for r in roots)
            if not inside and not follow_links:
                result.skipped.append(
                    f"{display_path(path)}: a link leading out of the input folders "
                    f"(--follow-links to follow it)"
                )
                continue
        if stat.S_ISDIR(st.st_mode):
            real = os.path.realpath(path)
            if real in visiting:
                result.skipped.append(f"{display_path(path)}: a link back into a folder above it (a loop)")
                continue
            if is_output_folder(path):
                result.skipped.append(f"{display_path(path)}: a kehoach output folder, never read as input")
                continue
            if is_link and inside:  # that part of the tree is read where it is
                result.skipped.append(f"{display_path(path)}: a link to a folder already in the inputs")
                continue
            _walk(path, roots, follow_links, result, visiting | {real})
        elif stat.S_ISREG(st.st_mode):
            result.files.append(_input_file(path))
        else:
            result.skipped.append(f"{display_path(path)}: {_special_kind(st.st_mode)}, not a file to read")


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
