import pytest

from tests.conftest import run_text

PLAN = """KẾ HOẠCH
Thực hiện Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi năm 2024
II. NỘI DUNG THỰC HIỆN
1. Dư án 5: Phát triển giáo dục đào tạo nâng cao chất lượng nguồn nhân lực
a) Tiêu dự án 1: Đổi mới hoạt động, củng cố phát triển các trường phổ thông dân tộc nội trú
- Nôi dung số 01: Đầu tư cơ sở vật chất, trang thiết bị cho các trường phổ thông dân tộc nội trú, bán trú
- Nội dung 2: Xóa mù chữ cho người dân vùng đồng bào dân tộc thiểu số
b) Tiểu dự án 3: Phát triển giáo dục nghề nghiệp và giải quyết việc làm
2. Dự án 9: Đầu tư phát triển nhóm dân tộc thiểu số rất ít người
1.1. Tiểu dự án 2: Giảm thiểu tình trạng tảo hôn và hôn nhân cận huyết thống
*Tiểu dự án 1: Đầu tư tạo sinh kế*
đ) Mục thứ sáu
e) Mục thứ bảy
"""


def _sections(extractor, text):
    result = run_text(extractor, text)
    return result.tables["sections"]


def test_label_styles_and_ocr_noise(extractor):
    rows = _sections(extractor, PLAN)
    by_line = {r["line_start"]: r for r in rows}
    assert (by_line[4]["kind"], by_line[4]["number"]) == ("project", "5")          # "Dư án" (OCR)
    assert (by_line[5]["kind"], by_line[5]["number"]) == ("subproject", "1")       # "a) Tiêu dự án"
    assert (by_line[6]["kind"], by_line[6]["number"]) == ("content", "01")         # "Nôi dung số 01"
    assert by_line[6]["parent_id"] == by_line[5]["section_id"]
    assert by_line[8]["parent_id"] == by_line[4]["section_id"]                    # b) closes a)
    assert (by_line[10]["kind"], by_line[10]["label"]) == ("subproject", "1.1.")
    assert by_line[11]["kind"] == "subproject"                                     # *Tiểu dự án 1*
    assert by_line[11]["parent_id"] == by_line[9]["section_id"]                    # sibling of 1.1.


def test_canonical_codes_by_number_and_title(extractor):
    rows = _sections(extractor, PLAN)
    by_line = {r["line_start"]: r for r in rows}
    assert by_line[4]["canonical_code"] == "DTTS.DA5"
    assert by_line[5]["canonical_code"] == "DTTS.DA5.TDA1"
    assert by_line[6]["canonical_code"] == "DTTS.DA5.TDA1.ND1"
    assert by_line[10]["canonical_code"] == "DTTS.DA9.TDA2"


def test_vietnamese_letter_order(extractor):
    rows = _sections(extractor, PLAN)
    by_line = {r["line_start"]: r for r in rows}
    assert by_line[12]["number"] == "đ" and by_line[13]["number"] == "e"
    assert by_line[12]["parent_id"] == by_line[13]["parent_id"]


def test_roles_inherit(extractor):
    rows = _sections(extractor, "I. MỤC TIÊU, CHỈ TIÊU\n1. Chỉ tiêu về y tế\na) Tỷ lệ đạt 90%.\nII. KINH PHÍ THỰC HIỆN\n1. Nguồn vốn\n")
    roles = [(r["line_start"], r["role"]) for r in rows]
    assert roles == [(1, "objectives"), (2, "objectives"), (3, "objectives"), (4, "funding"), (5, "funding")]


@pytest.mark.parametrize("text,codes,checks", [
    # a plan that lists "Dự án 9" by the title of its second sub-project; "Dự án 4" keeps
    # its own code, since its own title matches
    ("Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi\n"
     "a) Dự án 9. Giảm thiểu tình trạng tảo hôn và hôn nhân cận huyết thống trong vùng đồng bào dân tộc thiểu số\n"
     "b) Dự án 4. Đầu tư cơ sở hạ tầng thiết yếu, phục vụ sản xuất, đời sống trong vùng đồng bào dân tộc thiểu số\n",
     {2: "DTTS.DA9.TDA2", 3: "DTTS.DA4"}, [("taxonomy_flattened", "info", 2)]),
    # a sub-project numbered 1 with the title of number 2: the title wins, with a warning
    ("Chương trình mục tiêu quốc gia giảm nghèo bền vững\n"
     "1. Dự án 3: Hỗ trợ phát triển sản xuất, cải thiện dinh dưỡng\n"
     "- Tiểu dự án 1: Cải thiện dinh dưỡng\n",
     {3: "GNBV.DA3.TDA2"}, [("taxonomy_mismatch", "warning", 3)]),
])
def test_title_trusted_over_number(extractor, text, codes, checks):
    result = run_text(extractor, text)
    got = {r["line_start"]: r["canonical_code"] for r in result.tables["sections"]}
    assert {line: got[line] for line in codes} == codes
    assert [(c["kind"], c["severity"], c["line"]) for c in result.tables["checks"]] == checks
