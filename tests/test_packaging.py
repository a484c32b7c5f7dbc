"""A wheel (not an editable install) carries the rules and runs: `pip install` into a fresh
virtual environment, then `kehoach extract` and `kehoach show` from a folder far from the
checkout. The fresh environment borrows the dependencies of the test environment (a .pth
line), so nothing is downloaded but the build backend."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from extract.store import read_table
from tests.conftest import ROOT, SHARED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((work / "dist").glob("kehoach-*.whl"))
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    fresh_site = Path(
        subprocess.run(
            [
                str(env_dir / "bin" / "python"),
                "-c",
                "import sysconfig; print(sysconfig.get_paths()['purelib'])",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # dependencies from the test environment; its editable kehoach is not on that path
    (fresh_site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(fresh_site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return env_dir


def _kehoach(env_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "KEHOACH_RULES")}
    return subprocess.run(
        [str(env_dir / "bin" / "python"), "-m", "extract.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_installed_wheel_ships_its_rules_and_extracts_the_seeds(installed, tmp_path):
    where = _kehoach(installed, "--version", cwd=tmp_path)
    assert where.returncode == 0
    located = subprocess.run(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import extract, extract.rules as r; print(extract.__file__); print(r.default_rules_dir())",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert str(ROOT) not in located[0] and located[1].endswith("rules_data")
    out = tmp_path / "out"
    run = _kehoach(installed, "extract", str(SHARED / "seeds"), "-o", str(out), "-j", "1", "-q", cwd=tmp_path)
    assert run.returncode == 0, run.stderr[-2000:]
    assert read_table(out, "documents").num_rows == len(list((SHARED / "seeds").glob("*.txt")))
    assert read_table(out, "amounts").num_rows > 100
    seed = sorted((SHARED / "seeds").glob("*.txt"))[0]
    shown = _kehoach(installed, "show", str(seed), cwd=tmp_path)
    assert shown.returncode == 0 and "Traceback" not in shown.stderr and shown.stdout.strip()
