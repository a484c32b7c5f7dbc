#!/usr/bin/env python3
"""Build tests/expected/*.jsonl, the hand-checked answers for the real-shape documents of
issue 13 (corpus/tvpl_*, nq_*, tin_*, web_*), from the annotations below.

    python scripts/build_expected.py [--check]

Every fact is written here once, in document order, with its attributes; the script finds
its line and verifies its raw text in the document (scripts/expected_lib.py), so line
numbers and raw strings cannot drift. --check rebuilds in memory and fails when the files
in tests/expected differ, and lists lines whose written amounts or percentages outnumber
the annotations (a reminder to look).

Fields beyond the gold format of ../shared/gold/README.md:
- amounts: `comparator` and `value_max` (money bounds and ranges, same enums as targets);
- every row: `classes`, the issue-13 classes (1-15) the fact exercises, for per-class scores;
- negatives.jsonl: what must not be reported (USD, visitor counts, counters, dates read as
  ratios, formula cells, false sum_mismatch near a partial list);
- documents.jsonl: the header fields of each document (class 14).

Conventions decided here (the gold README leaves them open):
- A table cell is an amount (raw = the cell as written, unit from the unit line, a header cell
  or the row's unit column); a "0" cell is an amount of 0, a "-" cell is nothing; the cells
  of a column-number row ("(3)=(4)+(5)", "6=5/4") are nothing. In a table, a row's figure by
  source has the row's total as parent, a row total the total row (as tests/test_tables.py);
  where the columns are years or measures, a figure's parent is the figure of its enclosing
  row (I, II, the total row, above or below) in the same column.
- A cell of a "(%)" column, or of a table whose unit is %, is a target (raw without "%").
- Sections: a "Dự án" / "Tiểu dự án" / "Nội dung" label at the start of a line with a title
  after it (after ":" or "."), also inside curly quotes ("“Điều 9. Dự án 3: …") and in the
  bracket forms "Tiểu dự án 1 (Dự án 5): …" and "Dự án 10 (Tiểu dự án 3): …", is a heading.
  A list item whose text is only an amount ("- Dự án 5: 64.830 triệu đồng", "- Dự án 1 (title
  in brackets): 58.640 triệu đồng") and a table row are not headings.
- Money bounds: "tối đa", "không quá" le; "trên", "hơn" gt; "từ … trở lên" ge; "khoảng",
  "gần" approx; "từ A đến B", "A - B" range with value_max (a range after "khoảng" is a range).
- Per-unit norms (…/hộ, …/căn, …/ha, bình quân mỗi xã) and legal thresholds: measure other;
  income per head, GRDP, tourism revenue: indicator; revenue (thu, dự toán thu): revenue;
  bội chi: other.
- The source named after the number ("12 tỷ đồng từ ngân sách huyện") counts; "địa phương"
  as the actor is no source; "bổ sung cho ngân sách địa phương" is central.
- A slash pair "58.240/96.310 triệu đồng" is two amounts (raw of the first without unit):
  disbursed, then plan. A comparison figure in brackets ("so cùng kỳ (3.657 tỷ đồng)") and
  a variant ("Nếu không tính …") are not parts. A partial list ("trong đó" with one part,
  "Một số dự án", "Bao gồm") gives parents but no sum_mismatch.
- `skip` marks attributes that the text leaves open (e.g. the program of a rural income
  figure in a news report that does not name it).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from expected_lib import CORPUS, Doc, coverage, write  # noqa: E402

OUT = CORPUS.parent / "tests" / "expected"


def tvpl_bac_kan() -> Doc:
    d = Doc("tvpl_bac_kan_phan_bo_von_2025")
    d.meta(
        doc_number="87/KH-UBND",
        doc_type="KH",
        issuer="UBND tỉnh Bắc Kạn",
        issue_date="2025-02-18",
        province="Bắc Kạn",
        plan_year=2025,
        cls=(14, 1),
    )
    # I. Căn cứ và yêu cầu: results and a norm without a results heading
    d.t("93,1%", "result", None, "tỷ lệ giải ngân vốn ngân sách nhà nước các Chương trình năm 2024", cls=[3])
    d.t("6,4%", "result", None, "tăng giải ngân so cùng kỳ năm 2023", dir="increase", cls=[3, 7])
    d.t("13,26%", "result", None, "tỷ lệ hộ nghèo đa chiều toàn tỉnh", cls=[3])
    d.t(
        "2,48%",
        "result",
        None,
        "giảm tỷ lệ hộ nghèo đa chiều so với cuối năm 2023",
        dir="decrease",
        cls=[3, 1],
    )
    d.a("41,2 triệu đồng", meas="indicator", cls=[6, 1])
    d.t(
        "10%",
        "norm",
        None,
        "vốn đối ứng ngân sách tỉnh trên tổng vốn ngân sách trung ương",
        cmp="ge",
        cls=[3, 1],
    )
    # II. Mục tiêu
    d.t("42,7%", "target", "NTM", "tỷ lệ xã đạt chuẩn nông thôn mới", skip=["direction"])
    d.t("60%", "target", "NTM", "tỷ lệ dân số nông thôn sử dụng nước sạch", cmp="ge")
    d.t("2,5% đến 3%", "target", "GNBV", "giảm tỷ lệ hộ nghèo đa chiều", cmp="range", vmax=3, dir="decrease")
    d.t("56%", "target", "GNBV", "tỷ lệ lao động qua đào tạo")
    d.t(
        "3%",
        "target",
        "DTTS",
        "giảm tỷ lệ hộ nghèo đồng bào dân tộc thiểu số",
        cmp="gt",
        dir="decrease",
        cls=[1],
        at="trên\n3%",
    )
    d.t("24,5%", "target", "DTTS", "tỷ lệ trẻ em dưới 5 tuổi suy dinh dưỡng thể thấp còi", cmp="lt")
    # III.1 total and its parts (bold over two lines, unit on the next line, footnote marker)
    d.a("1.284.600 triệu đồng", cls=[1])
    d.a("1.167.700 triệu đồng", src="central", parent="1.284.600")
    d.a("800.100\ntriệu đồng", src="central", cap="investment", parent="1.167.700", cls=[1])
    d.a("367.600 triệu đồng", src="central", cap="recurrent", parent="1.167.700")
    d.a("116.900 triệu đồng", src="province", parent="1.284.600", cls=[1])
    # one sentence, each program its figure
    d.a("418.200 triệu đồng", prog="NTM", parent="1.284.600", cls=[4, 5])
    d.a("356.900 triệu đồng", prog="GNBV", parent="1.284.600", cls=[4, 5])
    d.a("509.500 triệu đồng", prog="DTTS", parent="1.284.600", cls=[4, 5])
    # III.2 norms: ranges and bounds on money, a legal threshold
    d.a("1,5 đến 2 tỷ\nđồng", cap="investment", meas="other", cmp="range", vmax=2000, cls=[13, 15, 1])
    d.a("600 triệu đồng", cap="investment", meas="other", cmp="le", cls=[13, 15])
    d.a("20 tỷ đồng", meas="other", cmp="ge", cls=[13, 15], skip=["capital_type"])
    d.a("40 triệu đồng", cap="recurrent", meas="other", cmp="le", cls=[13, 15])
    d.a("50 triệu đồng", cap="recurrent", meas="other", cls=[15])
    d.a("25 triệu đồng", cap="recurrent", meas="other", cls=[15])
    d.t("5%", "norm", None, "dự phòng trên tổng vốn sự nghiệp của mỗi Chương trình", cls=[3], at="dành 5%")
    # III.3 GNBV: "Cụ thể:" closing the paragraph, labels after the number, split label
    d.s(
        "a) Dự án 1:",
        "project",
        "1",
        "1",
        None,
        "GNBV",
        "Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội các huyện nghèo, các xã đặc biệt khó khăn",
    )
    d.s(
        "- Tiểu\ndự án 1",
        "subproject",
        "1",
        "1",
        None,
        "GNBV",
        "Hỗ trợ đầu tư phát triển hạ tầng kinh tế - xã hội các huyện nghèo",
        cls=[1],
    )
    d.s(
        "- Tiểu dự án 2:",
        "subproject",
        "2",
        "1",
        None,
        "GNBV",
        "Triển khai Đề án hỗ trợ huyện nghèo thoát khỏi tình trạng nghèo",
    )
    d.s("b) Dự án 5:", "project", "5", "5", None, "GNBV", "Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo")
    d.set(prog="GNBV", src="central")
    d.a("324.500 triệu đồng", cls=[5])
    d.a("162.900 triệu đồng", proj="1", cap="investment", parent="324.500", cls=[5, 8])
    d.a("128.400 triệu đồng", proj="1", sub="1", cap="investment", parent="162.900", cls=[1])
    d.a("34.500 triệu đồng", proj="1", sub="2", cap="investment", parent="162.900")
    d.a("35.500 triệu đồng", proj="5", cap="investment", parent="324.500", cls=[5, 8])
    d.a("50 triệu đồng", proj="5", src=None, meas="other", cls=[5, 15], skip=["capital_type"])
    d.a("126.100 triệu đồng", cap="recurrent", parent="324.500", cls=[5])
    d.a("22.800 triệu đồng", proj="2", cap="recurrent", parent="126.100", cls=[10])
    d.a("62.300 triệu đồng", proj="4", cap="recurrent", parent="126.100", cls=[10])
    d.a("41.000 triệu đồng", proj="7", cap="recurrent", parent="126.100", cls=[10])
    # III.4 DTTS: list items naming their project in brackets; a partial "trong đó"
    d.set(prog="DTTS", src=None)
    d.a("509.500 triệu đồng")
    d.n(
        "509.500 triệu đồng",
        "checks",
        [11, 5],
        "two complete breakdowns (by source, by project), each adds up; "
        "Tiểu dự án 1 is a part of Dự án 4, not of the total",
        at="Tổng vốn năm 2025 là",
    )
    d.a("463.200\ntriệu đồng", src="central", parent="509.500", cls=[1])
    d.a("46.300 triệu đồng", src="province", parent="509.500")
    d.a("58.640 triệu đồng", proj="1", parent="509.500", cls=[10])
    d.a("214.700 triệu đồng", proj="4", parent="509.500", cls=[10])
    d.a("198.200 triệu đồng", proj="4", sub="1", parent="214.700", cls=[11, 1])
    d.n("214.700", "checks", [11], "only Tiểu dự án 1 of Dự án 4 is named: a partial list")
    d.a("36.480,5 triệu đồng", proj="5", parent="509.500", cls=[10])
    d.a("199.679,5 triệu đồng", parent="509.500", cls=[1])
    # III.5 NTM: khoảng / tỉ / a word that must not leak
    d.set(prog="NTM")
    d.a("418.200 triệu đồng")
    d.a("3,6 tỷ đồng", meas="other", cmp="approx", cls=[12, 13])
    d.a("85 tỉ đồng", src="integrated", cmp="approx", cls=[12])
    d.a("12,5 tỷ đồng", src="community", cls=[7])
    # III.6 capital type and measure from the heading
    d.set(prog=None)
    d.a("800.100 triệu đồng", src="central", cap="investment", cls=[15])
    d.a("72.400 triệu đồng", src="province", cap="investment", cls=[15])
    d.t("60%", "target", None, "tỷ lệ giải ngân vốn đầu tư đến ngày 30/9/2025", cmp="gt", at="đạt trên 60%")
    # Biểu số 01: cells one per line, unit in an italic line, formula row
    d.set(unit="triệu", cls=[1])
    for f in ("(3)=(4)+(5)", "(6)"):
        d.n(f, "amounts", [1], "column-number row of the table (a formula)")
    d.a("1.284.600")
    d.a("1.167.700", src="central", parent="1.284.600")
    d.a("116.900", src="province", parent="1.284.600")
    for prog, total, central, prov in (
        ("NTM", "418.200", "380.000", "38.200"),
        ("GNBV", "356.900", "324.500", "32.400"),
        ("DTTS", "509.500", "463.200", "46.300"),
    ):
        d.a(total, prog=prog, parent="1.284.600")
        d.a(central, prog=prog, src="central", parent=total)
        d.a(prov, prog=prog, src="province", parent=total)
    # Biểu số 02: unit column per row, percentage column "6=5/4", zero cells, "-" placeholders
    d.n("6=5/4", "amounts", [1], "formula cell of the column-number row")
    d.set(prog="GNBV", src="central")
    cols = (("plan", 2024), ("disbursed", 2024), None, ("plan", 2025))
    rows = [
        (None, None, ("301.850", "276.420", "91,6", "324.500"), None, "tổng vốn ngân sách trung ương"),
        (None, "investment", ("182.600", "175.310", "96,0", "198.400"), 0, "vốn đầu tư phát triển"),
        ("1", "investment", ("150.200", "144.860", "96,4", "162.900"), 1, "Dự án 1"),
        ("5", "investment", ("32.400", "30.450", "94,0", "35.500"), 1, "Dự án 5"),
        (None, "recurrent", ("119.250", "101.110", "84,8", "126.100"), 0, "vốn sự nghiệp"),
        ("2", "recurrent", ("21.300", "18.020", "84,6", "22.800"), 4, "Dự án 2"),
        ("4", "recurrent", ("58.950", "49.870", "84,6", "62.300"), 4, "Dự án 4"),
        ("6", "recurrent", ("0", "0", None, "0"), 4, "Dự án 6"),
        ("7", "recurrent", ("39.000", "33.220", "85,2", "41.000"), 4, "Dự án 7"),
    ]
    for proj, cap, cells, parent_row, label in rows:
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            if i == 2:
                d.t(cell, "result", "GNBV", f"tỷ lệ giải ngân năm 2024 {label}", cls=[1], at=cell)
                continue
            parent = None if parent_row is None else rows[parent_row][2][i]
            d.a(cell, proj=proj, cap=cap, meas=cols[i][0], parent=parent)
    d.a("95,0", unit="tỷ", src="credit", cls=[1])
    d.a("95,0", unit="tỷ", src="credit", meas="disbursed", cls=[1])
    d.t("100", "result", "GNBV", "tỷ lệ giải ngân vốn tín dụng chính sách năm 2024", cls=[1], at="95,0\n100")
    d.n("301.850", "checks", [11], "row III (credit) is outside the total (I+II)")
    # footnotes at the end
    d.set(unit=None, prog=None, src=None, cls=[1])
    d.a("96.000 triệu đồng", src="credit")
    d.a("12.600 triệu đồng", prog="DTTS", meas="carryover", parent="199.679,5", cls=[1, 11])
    return d


def nq_kon_tum() -> Doc:
    d = Doc("nq_kon_tum_sua_doi_1719_2025")
    d.meta(
        doc_number="09/2025/NQ-HĐND",
        doc_type="NQ",
        issuer="HĐND tỉnh Kon Tum",
        issue_date="2025-04-22",
        province="Kon Tum",
        plan_year=None,
        cls=(14,),
    )
    P = "DTTS"
    # Điều 1 khoản 1: norms inside curly quotes
    d.t("12%", "norm", P, "vốn đối ứng ngân sách tỉnh trên tổng vốn ngân sách trung ương", cls=[3, 2])
    d.t("3%", "norm", P, "vốn đối ứng ngân sách cấp huyện", cmp="ge", cls=[3])
    d.t("15%", "norm", P, "tỷ lệ hộ nghèo của huyện phải bố trí vốn đối ứng", cmp="lt", cls=[3])
    d.t("5%", "norm", P, "tiết kiệm chi thường xuyên", cls=[3])
    # Điều 6 (Dự án 1): allocation formula with coefficients, per-unit norms, a legal threshold
    d.s(
        "“Điều 6. Dự án 1:",
        "project",
        "1",
        "1",
        None,
        P,
        "Giải quyết tình trạng thiếu đất ở, nhà ở, đất sản xuất, nước sinh hoạt",
        cls=[2],
    )
    for coef in ("1,0", "0,3", "0,1"):
        d.n(
            coef,
            "any",
            [2],
            "coefficient of the allocation formula",
            at="Vi = V x Ki" if coef == "1,0" else None,
        )
    d.t("50%", "norm", P, "tỷ lệ xã khu vực III của huyện được cộng hệ số", cmp="gt", cls=[2])
    d.n("0,2", "any", [2], "coefficient of the allocation formula")
    d.set(prog=P, proj="1", meas="other")
    d.a("52 triệu đồng", cls=[15])
    d.a("22,5\ntriệu đồng", cmp="le", cls=[13, 15, 1])
    d.a("3 triệu đồng", cls=[15])
    d.a("5 tỷ đồng", cmp="le", cls=[13, 15], skip=["capital_type"])
    # Điều 9 (Dự án 3)
    d.s(
        "“Điều 9. Dự án 3:",
        "project",
        "3",
        "3",
        None,
        P,
        "Phát triển sản xuất nông, lâm nghiệp bền vững, phát huy tiềm năng, thế mạnh của các vùng miền để "
        "sản xuất hàng hóa theo chuỗi giá trị",
        cls=[2],
    )
    d.s(
        "1. Tiểu dự án 1:",
        "subproject",
        "1",
        "3",
        None,
        P,
        "Phát triển kinh tế nông, lâm nghiệp bền vững gắn với bảo vệ rừng và nâng cao thu nhập cho người dân",
    )
    d.s("a) Nội dung số 01:", "content", "01", "3", "1", P, "Hỗ trợ khoán bảo vệ rừng")
    d.s("b) Nội dung số 02:", "content", "02", "3", "1", P, "Hỗ trợ trồng rừng sản xuất")
    d.s(
        "2. Tiểu dự án 2:",
        "subproject",
        "2",
        "3",
        None,
        P,
        "Hỗ trợ phát triển sản xuất theo chuỗi giá trị, vùng trồng dược liệu quý",
    )
    d.set(proj="3", sub="1")
    d.a("400.000 đồng", cls=[15])
    d.a("6 triệu đồng đến 10\ntriệu đồng", cmp="range", vmax=10, cls=[13, 1])
    d.t("70%", "norm", P, "ngân sách nhà nước hỗ trợ trên tổng chi phí dự án liên kết", cmp="le", cls=[3])
    d.a("3 tỷ đồng", sub="2", cmp="le", cls=[13, 15])
    # Điều 10a (Dự án 5): "Tiểu dự án 1 (Dự án 5):"
    d.s(
        "“Điều 10a. Dự án 5:",
        "project",
        "5",
        "5",
        None,
        P,
        "Phát triển giáo dục đào tạo nâng cao chất lượng nguồn nhân lực",
        cls=[2],
    )
    d.s(
        "- Tiểu dự án 1 (Dự án 5):",
        "subproject",
        "1",
        "5",
        None,
        P,
        "vốn đầu tư phân bổ cho các trường phổ thông dân tộc nội trú và bán trú",
        cls=[2],
    )
    d.t("60%", "norm", P, "vốn đầu tư phân bổ cho các trường phổ thông dân tộc nội trú", cls=[2, 3])
    d.t("40%", "norm", P, "vốn đầu tư phân bổ cho các trường phổ thông dân tộc bán trú", cls=[2, 3])
    d.s(
        "- Tiểu dự án 4 (Dự án 5):",
        "subproject",
        "4",
        "5",
        None,
        P,
        "ngân sách tỉnh hỗ trợ chi phí đào tạo, bồi dưỡng",
        cls=[2],
    )
    d.t("70%", "norm", P, "ngân sách tỉnh hỗ trợ chi phí đào tạo, bồi dưỡng", cls=[3])
    # Điều 14 (Dự án 10): "Dự án 10 (Tiểu dự án 3):"
    d.s(
        "“Điều 14. Dự án 10:",
        "project",
        "10",
        "10",
        None,
        P,
        "Truyền thông, tuyên truyền, vận động trong vùng đồng bào dân tộc thiểu số và miền núi; kiểm tra, "
        "giám sát, đánh giá việc tổ chức thực hiện Chương trình",
        cls=[2],
    )
    d.s(
        "- Dự án 10 (Tiểu dự án 1):",
        "subproject",
        "1",
        "10",
        None,
        P,
        "Biểu dương, tôn vinh điển hình tiên tiến, phát huy vai trò của người có uy tín; phổ biến, giáo dục "
        "pháp luật, trợ giúp pháp lý",
        cls=[15],
    )
    d.s(
        "- Dự án 10 (Tiểu dự án 3):",
        "subproject",
        "3",
        "10",
        None,
        P,
        "Kiểm tra, giám sát, đánh giá, đào tạo, tập huấn tổ chức thực hiện Chương trình",
        cls=[15],
    )
    d.t("15%", "norm", P, "kinh phí Tiểu dự án 3 dành cho cấp xã", cmp="ge", cls=[3])
    # Điều 2: a central transfer, a complete list that does not add up
    d.set(proj=None, sub=None, meas="plan", src="central")
    d.a("612.480 triệu đồng", cls=[8])
    d.a("402.150 triệu đồng", cap="investment", parent="612.480")
    d.a("210.330 triệu đồng", cap="recurrent", parent="612.480")
    d.a("73.500 triệu đồng", src="province")
    d.t("12%", "norm", P, "vốn đối ứng ngân sách tỉnh trên vốn ngân sách trung ương", at="tương đương 12%")
    d.set(cap="recurrent", parent="210.330")
    d.a("41.200 triệu đồng", proj="3", sub="1", cls=[15, 5])
    d.a("35.600 triệu đồng", proj="3", sub="2", cls=[2, 5])
    d.a("64.830 triệu đồng", proj="5", cls=[10, 5])
    d.a("9.300 triệu đồng", proj="10", sub="3", cls=[15, 5])
    d.a("59.000 triệu đồng", cls=[5])
    d.c("210.330", 210330, 209930, cls=[11])
    d.a("18.600 triệu đồng", src=None, parent=None, cls=[8])
    # Phụ lục: a percentage table without % signs, cells one per line
    for n in ("1", "2", "3"):
        d.n(n, "targets", [1, 2], "row marker (STT) of the percentage table", at=f"|\n{n}\nTiểu dự án {n}")
    shares = (("1", ("40", "35", "25")), ("2", ("60", "30", "10")), ("3", ("45", "40", "15")))
    for sub, cells in shares:
        for level, cell in zip(("cấp tỉnh", "cấp huyện", "cấp xã"), cells):
            d.t(
                cell,
                "norm",
                P,
                f"tỷ lệ phân bổ vốn sự nghiệp Tiểu dự án {sub} Dự án 10 cho {level}",
                cls=[1, 2],
                at=f"Tiểu dự án {sub}:" if level == "cấp tỉnh" else None,
            )
    return d


def tin_cao_bang() -> Doc:
    d = Doc("tin_cao_bang_giam_ngheo_2025")
    G = "GNBV"
    d.t("86%", "result", G, "tỷ lệ giải ngân vốn Chương trình năm 2024", cmp="approx", cls=[3, 12])
    d.set(prog=G)
    d.a("312.650 triệu đồng", cls=[4])
    d.n("01/2025", "any", [9], "a month, not a ratio")
    d.a("268.090 triệu đồng", meas="disbursed", cls=[3])
    d.t("85,7%", "result", G, "tỷ lệ giải ngân so kế hoạch", cls=[3])
    d.t("9,2%", "result", G, "tăng giải ngân so cùng kỳ", dir="increase", cls=[3, 7])
    d.a("209.850", meas="disbursed", cap="investment", parent="268.090", unit="triệu", cls=[9, 5])
    d.a("216.340 triệu đồng", cap="investment", parent="312.650", cls=[9, 5])
    d.t("97%", "result", G, "tỷ lệ giải ngân vốn đầu tư phát triển", cls=[9])
    d.a("58.240", meas="disbursed", cap="recurrent", parent="268.090", unit="triệu", cls=[9, 5])
    d.a("96.310 triệu đồng", cap="recurrent", parent="312.650", cls=[9, 5])
    d.t("60,5%", "result", G, "tỷ lệ giải ngân vốn sự nghiệp", cls=[3])
    d.t("4,3%", "result", G, "tỷ lệ giải ngân vốn sự nghiệp thấp hơn năm 2023", dir="decrease", cls=[7])
    d.t("21,37%", "result", G, "tỷ lệ hộ nghèo", cls=[3])
    d.t("4,56%", "result", G, "giảm tỷ lệ hộ nghèo so với năm trước", dir="decrease", cls=[3])
    d.t("6,1%", "result", G, "giảm tỷ lệ hộ nghèo tại 4 huyện nghèo", dir="decrease", cls=[3])
    d.t("1,1%", "result", G, "vượt so với chỉ tiêu Nghị quyết", dir="increase", cls=[7])
    d.a("40 đến 60 triệu đồng", proj="5", meas="other", cmp="range", vmax=60, cls=[13, 15])
    d.a("40 triệu đồng", proj="5", src="credit", meas="other", cmp="le", cls=[13, 8], skip=["project"])
    d.a("52 tỉ đồng", proj="5", meas="disbursed", cmp="gt", cls=[12, 13])
    d.a("47 tỉ đồng", proj="5", src="central", meas="disbursed", cmp="approx", parent="52", cls=[12, 11])
    d.n("52 tỉ đồng", "checks", [11], "a partial 'trong đó' list with one part")
    d.a("338.900 triệu đồng", cls=[4])
    d.t("8,4%", "result", G, "vốn giao năm 2025 tăng so với năm 2024", dir="increase", skip=["kind"], cls=[3])
    d.t("3% đến 4%", "target", G, "giảm tỷ lệ hộ nghèo", cmp="range", vmax=4, dir="decrease")
    d.t("100%", "target", G, "tỷ lệ giải ngân kế hoạch vốn", cls=[3])
    d.a("1,2 nghìn tỷ đồng", src="credit", cmp="approx", cls=[13, 12], skip=["program"])
    d.a("100 triệu đồng", src="credit", meas="other", cmp="le", cls=[13, 15], skip=["program"])
    d.t("6,6%", "norm", G, "lãi suất cho vay", skip=["program"], cls=[3])
    d.n("05/06", "any", [9], "a date, not a ratio")
    d.n("11/2025", "any", [9], "a month, not a ratio")
    return d


def tin_dien_bien() -> Doc:
    d = Doc("tin_dien_bien_ba_chuong_trinh_2025")
    d.a("1.100 tỷ đồng", cmp="gt", cls=[12, 13])
    d.a("1.138,6 tỷ đồng")
    d.a("286,4 tỷ đồng", prog="NTM", parent="1.138,6", cls=[4])
    d.a("341,7 tỷ đồng", prog="GNBV", parent="1.138,6", cls=[4])
    d.a("510,5 tỷ đồng", prog="DTTS", parent="1.138,6", cls=[4])
    d.n("39/115", "amounts", [9], "communes meeting the standard over all communes: a count ratio, not money")
    d.t("33,9%", "result", "NTM", "tỷ lệ xã đạt chuẩn nông thôn mới", cls=[3])
    d.a("34,8 triệu đồng", prog="NTM", meas="indicator", cls=[6], skip=["program"])
    d.a("2,9 triệu đồng", prog="NTM", meas="indicator", cls=[6], skip=["program"])
    d.set(prog="NTM")
    d.a("248,6", unit="tỷ", meas="disbursed", cls=[9, 4])
    d.a("271,9 tỷ đồng", cls=[9, 4])
    d.t("91,4%", "result", "NTM", "tỷ lệ giải ngân vốn Chương trình năm 2024", cls=[3])
    d.a("86,5 tỷ đồng", src="province", cap="investment", cls=[8])
    d.a("12 tỷ đồng", src="district", cls=[8])
    d.a("200 tỉ đồng", src="enterprise", cmp="approx", cls=[12, 8])
    d.t("38,3%", "target", "NTM", "tỷ lệ xã đạt chuẩn nông thôn mới", skip=["direction"])
    d.set(prog=None)
    d.a("4.500 đồng đến 6.000 đồng", meas="other", cmp="range", vmax=0.006, cls=[13])
    d.t("85%", "norm", None, "hỗ trợ chi phí duy tu, bảo dưỡng công trình cấp nước", cmp="le", cls=[3])
    d.set(prog="GNBV", skip=["parent"])
    d.a("46,8 tỷ đồng", proj="4", cls=[10])
    d.a("3,2 tỷ đồng", proj="6", cls=[10])
    d.set(prog="DTTS", skip=None)
    d.a("402,3 tỷ đồng", cap="recurrent", meas="disbursed", cls=[3, 4])
    d.t("88,6%", "result", "DTTS", "tỷ lệ giải ngân lũy kế vốn sự nghiệp so kế hoạch giao", cls=[3])
    d.a("1 - 1,5 tỷ đồng", meas="other", cmp="range", vmax=1500, cls=[13, 12])
    d.t("3,5%", "target", "DTTS", "giảm tỷ lệ hộ nghèo đồng bào DTTS", cmp="gt", dir="decrease")
    d.t("30%", "norm", None, "tỷ lệ giải ngân dưới mức thì bị điều chuyển vốn", cmp="lt", cls=[3])
    return d


def tin_lai_chau() -> Doc:
    d = Doc("tin_lai_chau_thu_ngan_sach_2025")
    d.t("8,12%", "result", None, "tăng trưởng GRDP năm 2024", dir="increase", cls=[6])
    d.t("8,12%", "result", None, "tốc độ tăng trưởng kinh tế GRDP năm 2024", skip=["direction"], cls=[6])
    d.t("92,4%", "result", None, "so với mục tiêu tăng trưởng đề ra", cls=[15])
    d.a("28.640 tỷ đồng", meas="indicator", cls=[6])
    d.a("51,2 triệu đồng", meas="indicator", cls=[6])
    d.t("3,7%", "result", None, "thu nhập bình quân đầu người cao hơn năm 2023", dir="increase", cls=[7])
    d.set(meas="revenue")
    d.a("3.918,450 tỷ đồng", cls=[9, 6])
    d.a("3.615,200 tỷ đồng", cls=[9, 6])
    d.t("8,4%", "result", None, "thu ngân sách vượt so dự toán", dir="increase", cls=[7])
    d.t("7,15%", "result", None, "thu ngân sách tăng so cùng kỳ", dir="increase", cls=[3])
    d.a("3.657 tỷ đồng", cls=[5])
    d.a("3.402,8 tỷ đồng", parent="3.918,450", cls=[5, 6])
    d.a("515,65 tỷ đồng", parent="3.918,450", cls=[5, 6])
    d.a("2.786,3 tỷ đồng", cls=[15])
    d.t("101,2%", "result", None, "thu nội địa không tính tiền sử dụng đất so dự toán", cls=[3])
    d.set(meas="plan")
    d.a("12.460 tỷ đồng", src="local", meas="expenditure", cls=[6])
    d.a("48,5 tỷ đồng", src="local", meas="other", cls=[6], skip=["funding_source"])
    d.n("1,08 tỷ USD", "amounts", [12], "US dollars, not money in đồng")
    d.t("12,5%", "result", None, "tăng giá trị xuất khẩu hàng hóa", dir="increase", cls=[6])
    d.n("1,36 triệu lượt khách", "amounts", [12], "visitors, not money")
    d.a("1.950 tỉ đồng", meas="indicator", cmp="approx", cls=[6, 12])
    d.a("4.120 tỷ đồng", meas="revenue", cls=[6])
    d.t(
        "5%", "target", None, "thu ngân sách tăng so với ước thực hiện năm 2024", cmp="approx", dir="increase"
    )
    d.a("3.580 tỷ đồng", meas="revenue", parent="4.120", cls=[7, 6])
    d.n("4.120 tỷ đồng", "checks", [11], "a partial 'trong đó' list with one part")
    d.t("15%", "norm", None, "vốn đầu tư công ngân sách tỉnh đối ứng ba chương trình", cmp="ge", cls=[3])
    d.a("1.486,2 tỷ đồng")
    d.a("845.120 triệu đồng", prog="GNBV", parent="1.486,2", cls=[4])
    d.a("512 tỷ đồng", prog="DTTS", parent="1.486,2", cls=[4])
    d.a("129,08 tỷ đồng", prog="NTM", parent="1.486,2", cls=[4])
    d.a("210 tỷ đồng", src="central", cls=[8])
    d.t("9%", "target", None, "tăng trưởng GRDP năm 2025", cmp="gt", dir="increase")
    d.t("95%", "target", None, "tỷ lệ giải ngân vốn đầu tư công", cmp="ge")
    return d


def web_lao_cai() -> Doc:
    d = Doc("web_lao_cai_giai_ngan_1719_2025")
    P = "DTTS"
    d.n("1,2 triệu lượt khách", "amounts", [12], "sidebar title; visitors, not money")
    d.n("2,418", "any", [12], "view counter")
    d.set(prog=P)
    d.a("37,450 triệu đồng", value=37450, meas="disbursed", cls=[12])
    d.t("88,20%", "result", P, "tỷ lệ giải ngân vốn năm 2024 kéo dài", cls=[12, 3])
    d.a("29.870 triệu đồng", cap="investment", meas="disbursed", parent="37,450")
    d.a("7.580 triệu đồng", cap="recurrent", meas="disbursed", parent="37,450")
    d.set(unit="triệu", cls=[1])
    for proj, plan, done, rate in (
        ("1", "12.300", "11.050", "89,8"),
        ("4", "21.760", "19.460", "89,4"),
        ("5", "8.400", "6.940", "82,6"),
    ):
        d.a(plan, proj=proj, meas="carryover", parent="42.460", skip=["measure"])
        d.a(done, proj=proj, meas="disbursed", parent="37.450")
        d.t(rate, "result", P, f"tỷ lệ giải ngân vốn kéo dài Dự án {proj}", cls=[1])
    d.a("42.460", meas="carryover", skip=["measure"])
    d.a("37.450", meas="disbursed")
    d.t("88,2", "result", P, "tỷ lệ giải ngân vốn kéo dài", cls=[1])
    d.set(unit=None, cls=[])
    d.t("5,2%", "result", P, "giảm tỷ lệ hộ nghèo đồng bào DTTS", dir="decrease", cls=[3])
    d.t("18,6%", "result", P, "tỷ lệ hộ nghèo đồng bào DTTS", cls=[3])
    d.t("100%", "result", P, "tỷ lệ xã có đường ô tô đến trung tâm được cứng hóa", cls=[3])
    d.a("689.300 triệu đồng", cls=[4])
    d.a("478.100 triệu đồng", cap="investment", parent="689.300")
    d.a("455.300 triệu đồng", cap="investment", parent="478.100")
    d.a("22.800 triệu đồng", cap="investment", meas="carryover", parent="478.100")
    d.a("211.200 triệu đồng", cap="recurrent", parent="689.300", cls=[11])
    d.n(
        "478.100 triệu đồng",
        "checks",
        [11],
        "the bracket after 478.100 is never closed: 211.200 is its sibling",
    )
    d.set(skip=["parent"])
    d.a("96.420 triệu đồng", proj="1", cls=[10])
    d.n("96.420", "checks", [11], "'Một số dự án': a partial list")
    d.a("305.700 triệu đồng", proj="4", cls=[10])
    d.a("12.480,50 triệu đồng", proj="5", cls=[10])
    d.set(skip=None)
    d.a("30 đến 50 triệu đồng", meas="other", cmp="range", vmax=50, cls=[13, 15])
    d.a("500 triệu đồng", meas="other", cmp="gt", cls=[13])
    d.t("70%", "norm", P, "ngân sách tỉnh hỗ trợ lãi suất vốn vay", cls=[3])
    d.t("65%", "target", P, "tỷ lệ giải ngân đến ngày 30/9/2025", cmp="gt")
    d.t("100%", "target", P, "tỷ lệ giải ngân kế hoạch vốn năm 2025")
    d.n("12,305", "any", [12], "visit counter glued to its label")
    d.n("18.420.557", "any", [12], "visit counter")
    return d


def tin_ha_tinh() -> Doc:
    """Written after the amount classes were fixed, to check that they hold on other wordings."""
    d = Doc("tin_ha_tinh_von_ba_chuong_trinh_2025")
    # a total over the three programs, "Trong đó," in the next sentence, "Chia theo" in the next paragraph
    d.a("1.652,4 tỷ đồng", cls=[4, 5])
    d.a("1.120,8 tỷ đồng", cap="investment", parent="1.652,4", cls=[5])
    d.a("531,6 tỷ đồng", cap="recurrent", parent="1.652,4", cls=[5])
    d.a("702 tỷ đồng", prog="NTM", parent="1.652,4", cls=[4, 5])
    d.a("410,5 tỷ đồng", prog="GNBV", parent="1.652,4", cls=[4, 5])
    d.a("539,9 tỷ đồng", prog="DTTS", parent="1.652,4", cls=[4, 5])
    d.n(
        "1.652,4 tỷ đồng",
        "checks",
        [11, 5],
        "two complete breakdowns (by capital type, by program), each adds up",
    )
    d.n("30/6/2025", "any", [9], "a date, not a ratio")
    d.a("604,2 tỷ đồng", meas="disbursed")
    d.a("688,5 tỷ đồng", meas="disbursed", cls=[5])
    # a lead-in naming the program and the capital type of the list under it
    d.set(prog="GNBV", cap="recurrent")
    d.a("18,6 tỷ đồng", proj="2", cls=[10, 15])
    d.a("42,1 tỷ đồng", proj="3", cls=[10, 15])
    d.a("25,3 tỷ đồng", proj="4", cls=[10, 15])
    d.set(prog=None, cap=None)
    # a project opening the sentence after money words; a rate after "mỗi" is no part
    d.a("11 tỉ đồng", proj="3", meas="disbursed", cmp="approx", cls=[10, 12], skip=["program"])
    d.a(
        "9,5 tỉ đồng",
        proj="3",
        src="central",
        meas="disbursed",
        cmp="approx",
        parent="11",
        cls=[11, 12],
        skip=["program"],
    )
    d.a(
        "200 đến 500 triệu đồng",
        proj="3",
        meas="other",
        cmp="range",
        vmax=500,
        cls=[13, 15, 5],
        skip=["program"],
    )
    d.n("11 tỉ đồng", "checks", [11], "a partial 'trong đó' list with one part")
    # labels after the number, a program after two figures joined by "và", the actor
    d.a("15,2 tỷ đồng", prog="NTM", src="district", cls=[8, 4])
    d.a("4,8 tỷ đồng", prog="NTM", src="community", cls=[8])
    d.a("38 tỉ đồng", cap="recurrent", cmp="gt", cls=[8, 12])
    d.a("100 triệu đồng", src="credit", meas="other", cmp="le", cls=[13, 15])
    d.a("6,2 nghìn tỷ đồng", src="credit", meas="other", cmp="approx", cls=[12, 13])
    # a legal threshold and a norm per commune
    d.a("15 tỷ đồng", meas="other", cmp="lt", cls=[15])
    d.a("2,3 tỷ đồng", meas="other", cmp="approx", cls=[15])
    # revenue; a variant after "Nếu không tính" is no part
    d.set(meas="revenue")
    d.a("4.210 tỷ đồng", cls=[6])
    d.a("11.500 tỷ đồng", cls=[6])
    d.a("2.940 tỷ đồng", cls=[6, 15])
    d.n("3,517", "any", [12], "view counter")
    return d


def build() -> list[Doc]:
    return [
        tvpl_bac_kan(),
        nq_kon_tum(),
        tin_cao_bang(),
        tin_dien_bien(),
        tin_lai_chau(),
        web_lao_cai(),
        tin_ha_tinh(),
    ]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    docs = build()
    for d in docs:
        for p in coverage(d):
            print("look:", p)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            write(docs, Path(tmp))
            bad = [
                p.name
                for p in Path(tmp).iterdir()
                if (OUT / p.name).read_text(encoding="utf-8") != p.read_text(encoding="utf-8")
            ]
        print("differ:" if bad else "tests/expected is up to date", *bad)
        return 1 if bad else 0
    counts = write(docs, OUT)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
