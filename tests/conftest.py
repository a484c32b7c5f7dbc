from __future__ import annotations

from pathlib import Path

import pytest

from extract.pipeline import Extractor
from extract.rules import load_rules

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def extractor(rules):
    return Extractor(rules)


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """DOCX and PDF versions of the corpus, made by the project's own script."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("generated")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_corpus_formats.py"), str(CORPUS), str(out)], check=True
    )
    return out


def run_text(extractor, text: str, name: str = "plan.txt"):
    return extractor.process(Path(name), text.encode("utf-8"))
