import subprocess
import sys
from pathlib import Path

from extract.cli import main
from extract.pipeline import DocumentResult
from extract.schema import SCHEMA_VERSION, TABLE_NAMES, TABLES
from extract.store import read_table
from tests.conftest import CORPUS


def test_docx_automatic_numbering_and_pdf_text_give_the_same_facts(extractor, generated):
    for stem in ("kh_son_la_giam_ngheo_2024", "kh_dakrong_dtts_2024"):
        text = extractor.process_path(next(CORPUS.glob(stem + ".*")))
        docx = extractor.process_path(generated / f"{stem}.docx")
        pdf = extractor.process_path(generated / f"{stem}.pdf")

        def values(r: DocumentResult) -> list[float]:
            return sorted((a["value_million_vnd"] or -1) for a in r.tables["amounts"])

        assert values(docx) == values(text) == values(pdf)
        assert docx.document["doc_number"] == text.document["doc_number"] == pdf.document["doc_number"]
        assert pdf.document["pages"] >= 1 and pdf.tables["amounts"][0]["page"] == 1


def test_docx_labels_come_from_numbering_xml(extractor, generated):
    result = extractor.process_path(generated / "kh_son_la_giam_ngheo_2024.docx")
    labels = [
        (s["label"], s["kind"])
        for s in result.tables["sections"]
        if s["kind"] in ("section", "project", "subproject")
    ]
    assert labels[:5] == [
        ("I.", "section"),
        ("II.", "section"),
        ("1.", "project"),
        ("1.1.", "subproject"),
        ("1.2.", "subproject"),
    ]


def test_bad_files_become_failed_rows(extractor, tmp_path):
    cases = {
        "random.pdf": b"%PDF-1.4 this is not really a pdf",
        "broken.docx": b"PK\x03\x04 not a zip",
        "old.doc": b"\xd0\xcf\x11\xe0 legacy word",
        "scan.png": b"\x89PNG\r\n",
        "empty.txt": b"",
    }
    for name, data in cases.items():
        result = extractor.process(Path(name), data)
        doc = result.document
        assert doc["status"] == "failed" and name in doc["error"], name
        assert result.tables["checks"][0]["kind"] == "read_error"


def test_encrypted_pdf_fails_cleanly(extractor, tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Ke hoach 2024")
    target = tmp_path / "locked.pdf"
    pdf.output(str(target))
    doc = extractor.process_path(target).document
    assert doc["status"] == "failed" and "encrypted" in doc["error"]


def test_cli_writes_every_table_and_keeps_going(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "plan.txt").write_text(
        (CORPUS / "kh_son_la_giam_ngheo_2024.txt").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "in" / "bad.odt").write_bytes(b"nothing")
    out = tmp_path / "out"
    assert main(["extract", str(tmp_path / "in"), "-o", str(out)]) == 1
    partition = ["province", "plan_year"]
    for name in TABLE_NAMES:  # the per-document tables; plans and allocations are tested in test_comparable
        schema = TABLES[name]
        table = read_table(out, name)  # hive partitioned: province and plan_year come last, from the folders
        assert table.schema.names == [n for n in schema.names if n not in partition] + partition, name
        assert table.schema.metadata[b"kehoach.schema_version"] == SCHEMA_VERSION.encode()
    docs = read_table(out, "documents").to_pylist()
    assert sorted(d["status"] for d in docs) == ["failed", "ok"]
    assignments = read_table(out, "assignments").to_pylist()
    assert [(a["agency"], a["role"], a["deadline"]) for a in assignments] == [
        ("Sở Lao động - Thương binh và Xã hội", "lead", "trước ngày 15/12/2024")
    ]
    # same bytes -> same ids and rows
    out2 = tmp_path / "out2"
    main(["extract", str(tmp_path / "in"), "-o", str(out2)])
    assert read_table(out, "amounts").equals(read_table(out2, "amounts"))


def test_cli_usage_errors_and_fast_help():
    assert main(["extract", "/no/such/path"]) == 2
    assert main(["bogus"]) == 2
    code = (
        "import sys, time; t=time.time(); from extract.cli import main; import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])\n"
        "assert 'pyarrow' not in sys.modules and 'spacy' not in sys.modules, 'heavy import at start-up'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
