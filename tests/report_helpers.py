"""Output folders for the report tests: the corpus extracted (real plans) and N generated plans
(scripts/make_report_plans.py, tables written directly)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def make_generated(out: Path, plans: int, seed: int = 0) -> Path:
    spec = importlib.util.spec_from_file_location(
        "make_report_plans", ROOT / "scripts" / "make_report_plans.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    module.generate(out, plans, seed)
    return out


def make_corpus_out(out: Path) -> Path:
    """The corpus's plans (kh_*: the Kế hoạch whose figures the README and these tests write
    down) extracted by the CLI, as a user would."""
    plans = sorted(str(p) for p in (ROOT / "corpus").glob("kh_*") if p.suffix in (".txt", ".md"))
    subprocess.run(
        [sys.executable, "-m", "extract.cli", "extract", *plans, "-o", str(out), "-j", "1", "-q"],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    return out
