"""Rules files: validated at start-up against their schema, overlaid file by file and key by key."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.cli import EXIT_USAGE, main
from extract.pipeline import Extractor
from extract.rules import RuleError, load_rules, merge_rules
from tests.conftest import CORPUS, run_text


def _overlay(tmp_path: Path, name: str, text: str) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / name).write_text(text, encoding="utf-8")
    return rules


@pytest.mark.parametrize(
    "name, text, said",
    [
        (
            "money.yaml",
            "unitless_label: '(?:vốn|ngân sách'\n",
            ["money.yaml", "unitless_label", "does not compile"],
        ),
        ("targets.yaml", "comparator: []\n", ["targets.yaml", "comparator:", "unknown key"]),
        (
            "money.yaml",
            "funding_source:\n  - {value: centrall, phrases: [vốn TW]}\n",
            ["money.yaml", "funding_source[13].value", "'central'"],
        ),
        ("ocr.yaml", "dpi: many\n", ["ocr.yaml", "dpi", "integer"]),
        (
            "headings.yaml",
            "label_styles:\n  - {name: roman, pattern: '^(?P<num>[IVX]+'}\n",
            ["headings.yaml", "label_styles[2].pattern", "does not compile"],
        ),
        ("fundings.yaml", "a: 1\n", ["unknown rules file fundings.yaml"]),
    ],
    ids=["bad pattern", "misspelt key", "enum value", "wrong type", "pattern in a list", "unknown file"],
)
def test_a_bad_rules_file_stops_the_run_before_any_document_naming_file_and_key(
    tmp_path, capsys, name, text, said
):
    rules = _overlay(tmp_path, name, text)
    out = tmp_path / "out"
    assert main(["--rules", str(rules), "extract", str(CORPUS), "-o", str(out), "-j", "1"]) == EXIT_USAGE
    err = capsys.readouterr().err
    for part in said:
        assert part in err, err
    assert not out.exists()  # stopped before any document


def test_an_overlay_adds_one_funding_term_without_copying_the_rules(tmp_path):
    text = "Kinh phí thực hiện là 1.000 triệu đồng, trong đó quỹ hỗ trợ đặc biệt 400 triệu đồng.\n"
    bundled = run_text(Extractor(load_rules()), text)
    assert [a["funding_source"] for a in bundled.tables["amounts"]][1] is None
    rules = _overlay(
        tmp_path, "money.yaml", "funding_source:\n  - {value: other, phrases: [quỹ hỗ trợ đặc biệt]}\n"
    )
    overlaid = load_rules(str(rules))
    assert overlaid.fingerprint != load_rules().fingerprint  # documents are redone under other rules
    result = run_text(Extractor(overlaid), text)
    assert [a["funding_source"] for a in result.tables["amounts"]][1] == "other"
    # everything else of money.yaml is still the bundled one
    assert len(overlaid.section("money")["funding_source"]) == len(
        load_rules().section("money")["funding_source"]
    )


def test_merge_rules_merges_mappings_by_key_entries_by_identity_and_extends_lists():
    base = {"a": 1, "words": ["x", "y"], "entries": [{"value": "p", "phrases": ["one"]}], "keep": {"k": 1}}
    overlay = {
        "a": 2,
        "words": ["y", "z"],
        "entries": [{"value": "p", "phrases": ["two"]}, {"value": "q", "phrases": []}],
    }
    merged = merge_rules(base, overlay)
    assert merged["a"] == 2 and merged["keep"] == {"k": 1}
    assert merged["words"] == ["x", "y", "z"]
    assert merged["entries"] == [{"value": "p", "phrases": ["one", "two"]}, {"value": "q", "phrases": []}]


def test_the_overlay_folder_must_exist():
    with pytest.raises(RuleError, match="no such folder"):
        load_rules("/nonexistent/rules-overlay")
