"""Issue 13, classes 1, 2 and 10: the shapes real documents come in, in our own words.
Class 1: law-site exports (tables one cell per line, units per row, hard-wrapped labels);
class 2: resolutions (articles, quoted amending articles, brackets naming the other level,
percentage tables without % signs); class 10: a project named in a list item."""

from tests.conftest import run_text

# A law-site export: the two-column header block and the signature are layout tables
# between "|" lines; the appendix is a table one cell per line, a blank line an empty cell.
LAW_SITE = """|
**ỦY BAN NHÂN DÂN
HUYỆN MINH HÓA**
-------
Số: 15/KH-UBND
|

**KẾ HOẠCH**

**I. NỘI DUNG**

**1. Vốn thực hiện Chương trình mục tiêu quốc gia xây dựng nông
thôn mới**

a) Dự án 2: Phát triển hạ tầng, trong đó:

- Tiểu
dự án 3: Cải tạo đường giao thông liên xã;

|
***Nơi nhận:***
- Như trên;
- Lưu: VT.
|
**CHỦ TỊCH**

**Trần Văn Bình**
|

**Phụ lục 03**

**VỐN VÀ GIẢI NGÂN NĂM 2024**

*Đơn vị: Tỷ đồng.*

|
**TT**
**Nội dung**
**Đơn vị tính**
**Kế hoạch vốn**
**Đã giải ngân**
**Tỷ lệ (%)**
|
(1)
(2)
(3)
(4)
(5)
(6)=(5)/(4)
|

**Cộng (A+B)**
Tỷ đồng
60,5
48,4
80,0
|
A
Dự án 7: Hỗ trợ sản xuất, đa dạng hóa sinh kế và nhân rộng mô hình
giảm nghèo
Tỷ đồng
40,5
32,4
80,0
|
B
Dự án 8: Nâng cao năng lực
Tỷ đồng
20
16
-
|
C
Vốn vay ưu đãi
Triệu USD
1,2
0,9
75,0
|
"""


def _amount(result, value, line=None):
    hits = [
        r
        for r in result.tables["amounts"]
        if r["value_million_vnd"] == value and (line is None or r["line"] == line)
    ]
    assert len(hits) == 1, (value, hits)
    return hits[0]


def test_law_site_table_one_cell_per_line_is_read_cell_by_cell(extractor):
    result = run_text(extractor, LAW_SITE, "plan.md")
    lines = LAW_SITE.split("\n")
    total = _amount(result, 60500.0)
    assert lines[total["line"] - 1] == "60,5" and total["raw_text"] == "60,5"  # each cell keeps its own line
    part = _amount(result, 40500.0)
    assert (part["project"], part["measure"]) == ("7", "plan")
    assert part["parent_amount_id"] == total["amount_id"]  # "Cộng (A+B)" sums A and B
    assert _amount(result, 32400.0)["measure"] == "disbursed"
    assert _amount(result, 20000.0)["project"] == "8"
    # a row in Triệu USD, the column-number row and the percentage column are not money
    values = {r["value_million_vnd"] for r in result.tables["amounts"]}
    assert not values & {1.2, 1200.0, 0.9, 900.0, 80.0, 80000.0, 6.0}
    rates = sorted((t["value"], t["kind"]) for t in result.tables["targets"])
    assert rates == [(75.0, "result"), (80.0, "result"), (80.0, "result")]
    # no table line is a heading ("Dự án 7: …" is a row), no layout table is a table
    sections = result.tables["sections"]
    assert not [s for s in sections if s["line_start"] > 30]
    assert not [r for r in result.tables["amounts"] if r["line"] < 30]


def test_heading_split_by_a_hard_wrap_and_bold_title_over_two_lines(extractor):
    result = run_text(extractor, LAW_SITE, "plan.md")
    by_kind = {(s["kind"], s["number"]): s for s in result.tables["sections"]}
    sub = by_kind[("subproject", "3")]
    assert sub["line_start"] == LAW_SITE.split("\n").index("- Tiểu") + 1
    project = by_kind[("project", "2")]
    assert sub["parent_id"] == project["section_id"]
    assert not [s for s in result.tables["sections"] if s["title"].startswith("dự án")]
    # "**1. Vốn … nông" / "thôn mới**": the whole title names the program
    assert project["program"] == "NTM"


def test_layout_tables_and_text_between_tables_stay_text(extractor):
    text = (
        "|\nCơ quan\nNgày ký\n|\n\nNội dung báo cáo gồm 3 phần.\n\n|\nBảng 1\nChỉ tiêu\nSố\n|\n"
        "Ghi chú chung của bảng\n|\n"
    )
    result = run_text(extractor, text, "plan.md")
    assert result.tables["amounts"] == [] and result.tables["targets"] == []


RESOLUTION = """NGHỊ QUYẾT
Sửa đổi Nghị quyết về phân bổ vốn Chương trình mục tiêu quốc gia giảm nghèo bền vững
Điều 1. Sửa đổi, bổ sung một số điều
1. Sửa đổi Điều 7 như sau:
“Điều 7. Dự án 4: Phát triển giáo dục nghề nghiệp, việc làm bền vững
1. Tiểu dự án 2 (Dự án 4): Hỗ trợ người lao động đi làm việc ở nước ngoài theo hợp đồng.
“2. Dự án 4 (Tiểu dự án 3): Hỗ trợ việc làm bền vững cho người lao động.”
Điều 2. Phân bổ vốn năm 2025
Vốn sự nghiệp năm 2025 phân bổ như sau:
- Tiểu dự án 1 (Dự án 1): 2.400 triệu đồng;
- Dự án 6 (Tiểu dự án 2): 950 triệu đồng;
- Dự án 3 (Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng): 1.730,5 triệu đồng;
- Dự án 7:
4.120 triệu đồng.
Kinh phí còn lại giao cho Dự án 5 là 600 triệu đồng và dự phòng 150 triệu đồng.
"""


def test_articles_quoted_articles_and_brackets_naming_the_other_level(extractor):
    result = run_text(extractor, RESOLUTION)
    keys = sorted(
        (s["kind"], s["number"], s["line_start"])
        for s in result.tables["sections"]
        if s["kind"] in ("project", "subproject")
    )
    assert keys == [("project", "4", 5), ("subproject", "2", 6), ("subproject", "3", 7)]
    by_id = {s["section_id"]: s for s in result.tables["sections"]}
    for s in result.tables["sections"]:
        if s["kind"] == "subproject":
            assert by_id[s["parent_id"]]["number"] == "4"
    articles = [(s["kind"], s["number"]) for s in result.tables["sections"] if s["label"].startswith("Điều")]
    assert articles == [
        ("section", "1"),
        ("project", "4"),
        ("section", "2"),
    ]  # "Điều 7. Dự án 4:" is the project


def test_project_named_in_a_list_item_places_its_amount(extractor):
    result = run_text(extractor, RESOLUTION)
    placed = {r["value_million_vnd"]: (r["project"], r["subproject"]) for r in result.tables["amounts"]}
    assert placed[2400.0] == ("1", "1")
    assert placed[950.0] == ("6", "2")
    assert placed[1730.5] == ("3", None)
    assert placed[4120.0] == ("7", None)
    assert placed[600.0] == ("5", None)
    assert placed[150.0] == (None, None)  # a later amount in the sentence is not the project's


def test_project_of_a_table_row_does_not_leak_into_the_prose_after_it(extractor):
    text = (
        "*Đơn vị: Triệu đồng*\n\n|\nTT\nDự án\nKinh phí\n|\n1\nDự án 9\n300\n|\n2\nDự án 10\n450\n|\n\n"
        "Tổng kinh phí của các địa phương là 5.000 triệu đồng.\n"
    )
    result = run_text(extractor, text, "plan.md")
    assert _amount(result, 450.0)["project"] == "10"
    assert _amount(result, 5000.0)["project"] is None
    assert result.tables["sections"] == []


def test_percentage_table_without_percent_signs_gives_norms_not_money(extractor):
    text = (
        "PHỤ LỤC\nCƠ CẤU PHÂN BỔ VỐN GIỮA CÁC CẤP\n*Đơn vị tính: %*\n\n|\nTT\nNội dung\nTỉnh\nHuyện\n|\n"
        "1\nVốn đầu tư\n30\n70\n|\n2\nVốn sự nghiệp\n55,5\n44,5\n|\n"
    )
    result = run_text(extractor, text, "plan.md")
    assert result.tables["amounts"] == []
    got = sorted((t["value"], t["kind"], t["unit"]) for t in result.tables["targets"])
    assert got == [
        (30.0, "norm", "percent"),
        (44.5, "norm", "percent"),
        (55.5, "norm", "percent"),
        (70.0, "norm", "percent"),
    ]  # the order cells 1, 2 are not percentages


def test_allocation_formula_coefficients_are_not_facts(extractor):
    text = (
        "Điều 5. Phân bổ vốn\nVốn phân bổ cho xã j: Vj = V x Hj / ΣH, với Hj = 1,0 + 0,4 x Nj\n"
        "Xã có trên 40% số hộ nghèo được cộng thêm hệ số 0,3.\n"
    )
    result = run_text(extractor, text)
    assert result.tables["amounts"] == []
    assert [t["value"] for t in result.tables["targets"]] == [40.0]


def test_law_site_header_in_two_rows_under_a_spanning_cell(extractor):
    text = (
        "*Đơn vị: Triệu đồng*\n\n|\nSTT\nĐịa phương\nTổng số\nTrong đó\n|\nVốn đầu tư phát triển\nVốn sự nghiệp\n|\n"
        "1\nXã Tân Lập\n1.500\n1.000\n500\n|\n2\nXã Hòa Bình\n900\n-\n900\n|\n"
    )
    result = run_text(extractor, text, "plan.md")
    rows = {r["value_million_vnd"]: r for r in result.tables["amounts"]}
    assert set(rows) == {1500.0, 1000.0, 500.0, 900.0}
    assert rows[1000.0]["capital_type"] == "investment" and rows[500.0]["capital_type"] == "recurrent"
    assert rows[1000.0]["parent_amount_id"] == rows[1500.0]["amount_id"]


def test_footnote_note_belongs_where_its_marker_stands(extractor):
    text = (
        "I. CHƯƠNG TRÌNH MỤC TIÊU QUỐC GIA GIẢM NGHÈO BỀN VỮNG\n"
        "1. Dự án 3: Hỗ trợ phát triển sản xuất\n"
        "Vốn năm 2025 là 8.400 triệu đồng*[1]*.\n"
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Dự án 9: Theo dõi, đánh giá\n"
        "Giao Sở Tài chính hướng dẫn.\n\n"
        "[1] Trong đó 1.300 triệu đồng vốn năm trước chuyển sang.\n"
        "[2] Ghi chú không có dấu trong văn bản: 50 triệu đồng.\n"
    )
    result = run_text(extractor, text)
    rows = {r["value_million_vnd"]: r for r in result.tables["amounts"]}
    part = rows[1300.0]
    assert (part["program"], part["project"]) == ("GNBV", "3")  # the marker's place, not Dự án 9's
    assert part["parent_amount_id"] == rows[8400.0]["amount_id"]
    assert rows[50.0]["project"] == "9"  # a note with no marker stays where it is


def test_typed_heads_split_anywhere_by_the_wrap(extractor):
    text = (
        "II. NỘI DUNG\n1. Dự\nán 4: Đầu tư cơ sở hạ tầng thiết yếu\n2. Tiểu dự\nán 2: Đầu tư cứng hóa đường\n"
        "Dự án\n6: Bảo tồn văn hóa truyền thống\n"
    )
    result = run_text(extractor, text)
    got = [
        (s["kind"], s["number"], s["line_start"])
        for s in result.tables["sections"]
        if s["kind"] in ("project", "subproject")
    ]
    assert got == [("project", "4", 2), ("subproject", "2", 4), ("project", "6", 6)]


def test_two_column_law_site_table(extractor):
    text = (
        "*Đơn vị: Triệu đồng*\n\n|\nNội dung\nKinh phí\n|\nDự án 2\n1.250\n|\nDự án 3\n-\n|\nCộng\n1.250\n|\n"
    )
    result = run_text(extractor, text, "plan.md")
    rows = sorted((r["value_million_vnd"], r["project"] or "") for r in result.tables["amounts"])
    assert rows == [(1250.0, ""), (1250.0, "2")]  # "Dự án 3" with "-" is a row of its own


def test_row_in_percent_of_a_unit_column_gives_percentages(extractor):
    text = (
        "|\nTT\nChỉ tiêu\nĐơn vị tính\nKế hoạch năm 2025\n|\n1\nVốn hỗ trợ sản xuất\nTriệu đồng\n2.300\n|\n"
        "2\nTỷ lệ hộ thoát nghèo\n%\n4,5\n|\n3\nVốn vay ưu đãi\nTriệu USD\n1,5\n|\n"
    )
    result = run_text(extractor, text, "plan.md")
    assert [r["value_million_vnd"] for r in result.tables["amounts"]] == [2300.0]
    assert [(t["value"], t["kind"]) for t in result.tables["targets"]] == [(4.5, "target")]


def test_item_naming_both_levels_places_its_amounts_beyond_the_tree(extractor):
    text = (
        "Điều 3. Kinh phí\n- Tiểu dự án 2 (Dự án 3): hỗ trợ phát triển sản xuất theo chuỗi, kinh phí 780 triệu đồng;\n"
        "- Dự án 10 (Tiểu dự án 1): tuyên truyền, vận động với tổng kinh phí 95 triệu đồng.\n"
    )
    result = run_text(extractor, text)
    placed = {r["value_million_vnd"]: (r["project"], r["subproject"]) for r in result.tables["amounts"]}
    assert placed == {780.0: ("3", "2"), 95.0: ("10", "1")}
