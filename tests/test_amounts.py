import pytest

from tests.conftest import run_text


def _amounts(extractor, text):
    result = run_text(extractor, text)
    rows = result.tables["amounts"]
    by_id = {r["amount_id"]: r for r in rows}
    return rows, by_id, result.tables["checks"]


def test_breakdown_in_parentheses_and_inherited_attributes(extractor):
    rows, by_id, checks = _amounts(extractor,
        "e) Kinh phí thực hiện năm 2024 là 122.854 triệu đồng, trong đó:\n"
        "- Ngân sách Trung ương: 111.687 triệu đồng (vốn đầu tư phát triển: 99.654 triệu đồng, vốn sự nghiệp: 12.033 triệu đồng);\n"
        "- Ngân sách địa phương: 11.167 triệu đồng (vốn sự nghiệp).\n")
    values = [r["value_million_vnd"] for r in rows]
    assert values == [122854, 111687, 99654, 12033, 11167]
    parent = {r["value_million_vnd"]: by_id[r["parent_amount_id"]]["value_million_vnd"] if r["parent_amount_id"] else None for r in rows}
    assert parent == {122854: None, 111687: 122854, 99654: 111687, 12033: 111687, 11167: 122854}
    attrs = {r["value_million_vnd"]: (r["funding_source"], r["capital_type"], r["fiscal_year"]) for r in rows}
    assert attrs[99654] == ("central", "investment", 2024)
    assert attrs[11167] == ("local", "recurrent", 2024)
    assert not [c for c in checks if c["kind"] == "sum_mismatch"]


@pytest.mark.parametrize("text,value,unit", [
    ("Vốn sự nghiệp: 267, 0 trđ.", 267.0, "trđ"),
    ("NSĐP 13,350 trđ.", 13.35, "trđ"),
    ("NSĐP: 42,850trđ.", 42.85, "trđ"),
    ("Tổng vốn 1.250,5 tỷ đồng.", 1250500.0, "tỷ đồng"),
    ("Hỗ trợ 500 nghìn đồng.", 0.5, "nghìn đồng"),
    ("Kinh phí 458,0 tr đ.", 458.0, "tr đ"),
    ("Kinh phí 120 triệuđồng.", 120.0, "triệuđồng"),
])
def test_units(extractor, text, value, unit):
    rows, _, _ = _amounts(extractor, text)
    assert [(r["value_million_vnd"], r["unit_raw"]) for r in rows] == [(value, unit)]


def test_not_amounts(extractor):
    rows, _, _ = _amounts(extractor, "Kế hoạch số 122/KH-UBND năm 2024; 100% đồng bào dân tộc; 1,5 triệu người; 35% hộ nghèo.")
    assert rows == []


def test_malformed_number_is_reported_not_guessed(extractor):
    rows, _, checks = _amounts(extractor, "+ Vốn đầu tư: 37.805,0trđ (trong đó NSTW: 36.004,0trđ; NSDP: 1.8,0trđ)")
    assert [r["value_million_vnd"] for r in rows] == [37805.0, 36004.0, None]
    malformed = [c for c in checks if c["kind"] == "malformed_number"]
    assert len(malformed) == 1 and malformed[0]["line"] == 1
    assert not [c for c in checks if c["kind"] == "sum_mismatch"]


def test_sum_mismatch_with_rounding_rule(extractor):
    rows, _, checks = _amounts(extractor,
        "+ Vốn sự nghiệp: 899,0trđ (trong đó NSTW: 857,0trđ; NSDP: 42,850trđ)\n"
        "+ Vốn sự nghiệp: 280,35 trđ (trong đó NSTW 267, 0 trđ; NSĐP 13,350 trđ)\n")
    mism = [c for c in checks if c["kind"] == "sum_mismatch"]
    assert [(c["line"], c["expected"], c["actual"]) for c in mism] == [(1, 899.0, 899.85)]


def test_unit_inferred_from_siblings(extractor):
    rows, _, checks = _amounts(extractor, "- Giải ngân vốn đầu tư: 45.389 triệu đồng (vốn năm 2023: 38.924 triệu đồng; vốn kéo dài: 6.465 đạt 96%)")
    assert [r["value_million_vnd"] for r in rows] == [45389, 38924, 6465]
    assert rows[2]["unit_inferred"] and rows[2]["measure"] == "disbursed"
    assert [c["kind"] for c in checks] == ["unit_missing"]


def test_measures(extractor):
    rows, _, _ = _amounts(extractor,
        "- Kinh phí chuyển nguồn năm 2023:\n+ Vốn sự nghiệp NSTW: 322,0 trđ\n"
        "- Thu nhập bình quân đầu người đạt 42 triệu đồng/người/năm.\n- Tổng thu ngân sách nhà nước trên địa bàn 41.020 triệu đồng.\n")
    assert [(r["value_million_vnd"], r["measure"]) for r in rows] == [(322.0, "carryover"), (42, "indicator"), (41020, "revenue")]


def test_provenance_points_at_the_source(extractor):
    text = "Dòng đầu.\n**Kinh phí:** 1.024,8 trđ\n"
    result = run_text(extractor, text, "plan.md")
    row = result.tables["amounts"][0]
    assert row["line"] == 2 and row["raw_text"] == "1.024,8 trđ"
    assert text[row["char_start"]:row["char_end"]] == "1.024,8 trđ"


def _linked_amounts(extractor, text: str):
    from extract.document import Block

    finder = extractor.amount_finder
    amounts = finder.find(Block(text, [(0, i) for i in range(len(text))], [0]))
    finder.link_block(amounts)
    return amounts


@pytest.mark.parametrize("text,confidences,named,corrected,how", [
    # "592,3" read as 5923: a lost decimal comma
    ("Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 5923 tỷ đồng; ngân sách tỉnh 356,42 tỷ đồng.",
     (96.0, 61.0, 95.0), 1, 592.3, "a separator lost or moved"),
    # one digit: the total or a part could explain it; the less confident reading is named
    ("Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 592,3 tỷ đồng; ngân sách tỉnh 366,42 tỷ đồng.",
     (96.0, 95.0, 52.0), 2, 356.42, "one digit"),
    ("Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 592,3 tỷ đồng; ngân sách tỉnh 366,42 tỷ đồng.",
     (52.0, 95.0, 96.0), 0, 958.72, "one digit"),
    # a digit lost: "14.210" read as 4.210
    ("Kinh phí 4.210 triệu đồng, trong đó: NSTW 12.918 triệu đồng; NSĐP 1.292 triệu đồng.",
     (90.0, 96.0, 96.0), 0, 14210.0, "a digit lost"),
])
def test_a_failing_sum_names_the_figure_whose_misreading_explains_it(extractor, text, confidences, named,
                                                                    corrected, how):
    from extract.checks import likely_misreading

    amounts = _linked_amounts(extractor, text)
    assert [a.parent is amounts[0] for a in amounts[1:]] == [True, True]
    confidence = dict(zip(map(id, amounts), confidences))
    misread = likely_misreading(amounts[0], lambda a: confidence[id(a)])
    assert (misread.amount is amounts[named], misread.corrected, misread.how) == (True, corrected, how)


def test_a_sum_no_single_misreading_explains_names_nothing(extractor):
    from extract.checks import likely_misreading

    amounts = _linked_amounts(extractor, "Tổng vốn là 1.000 triệu đồng, trong đó: NSTW 123 triệu đồng; "
                                         "NSĐP 456 triệu đồng.")
    assert likely_misreading(amounts[0], lambda a: 50.0) is None


def test_a_text_plan_stays_ok_with_a_failing_sum_and_carries_no_confidence(extractor):
    rows = run_text(extractor, "Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 5923 tỷ đồng; "
                               "ngân sách tỉnh 356,42 tỷ đồng.\n")
    sums = [c for c in rows.tables["checks"] if c["kind"] == "sum_mismatch"]
    assert len(sums) == 1 and "misread" not in sums[0]["message"]
    assert rows.document["status"] == "ok"
    assert all(a["ocr_confidence"] is None for a in rows.tables["amounts"])
