import pytest

from tests.conftest import run_text


def _targets(extractor, text):
    return run_text(extractor, text).tables["targets"]


@pytest.mark.parametrize("text,expected", [
    ("I. MỤC TIÊU\n- Tỷ lệ dân số tham gia bảo hiểm y tế đạt 94%.", (94, None, "eq", None)),
    ("I. MỤC TIÊU\n- Trên 96% trẻ em đi học đúng độ tuổi.", (96, None, "gt", None)),
    ("I. MỤC TIÊU\n- ít nhất 92% hộ nghèo sử dụng nhà tiêu hợp vệ sinh.", (92, None, "ge", None)),
    ("I. MỤC TIÊU\n- Tỷ lệ hộ nghèo giảm từ 2% trở lên.", (2, None, "ge", "decrease")),
    ("I. MỤC TIÊU\n- Giảm tỷ lệ trẻ em suy dinh dưỡng xuống dưới 15%.", (15, None, "lt", "decrease")),
    ("I. MỤC TIÊU\n- Chi phí quản lý không quá 3%.", (3, None, "le", None)),
    ("I. MỤC TIÊU\n- Hỗ trợ nhà ở cho khoảng 100% hộ nghèo.", (100, None, "approx", None)),
    ("I. MỤC TIÊU\n- Bình quân mỗi năm giảm từ 10% đến 20% hộ nghèo A.", (10, 20, "range", "decrease")),
    ("I. MỤC TIÊU\n- Tỷ lệ hộ nghèo đa chiều giảm 1,5 - 2%/năm.", (1.5, 2, "range", "decrease")),
    ("I. MỤC TIÊU\n- Giảm tai nạn giao thông $\\geq 5\\%$.", (5, None, "ge", "decrease")),
    ("I. MỤC TIÊU\n- Tỷ lệ che phủ rừng đạt 60,4 %.", (60.4, None, "eq", None)),
    ("I. MỤC TIÊU\n- Tỷ lệ tham gia bảo hiểm y tế 93.09 %.", (93.09, None, "eq", None)),
])
def test_percentage_forms(extractor, text, expected):
    rows = [r for r in _targets(extractor, text) if r["unit"] == "percent"]
    assert [(r["value"], r["value_max"], r["comparator"], r["direction"]) for r in rows] == [expected]


def test_shared_verb(extractor):
    rows = _targets(extractor, "II. MỤC TIÊU\nPhấn đấu giảm 80% hộ nghèo A giai đoạn 2021 - 2025 và 85% hộ nghèo A giai đoạn 2026 - 2030.")
    assert [(r["value"], r["direction"], r["year"]) for r in rows] == [(80, "decrease", "2021-2025"), (85, "decrease", "2026-2030")]


def test_kind(extractor):
    rows = _targets(extractor, "PHẦN I\nKẾT QUẢ THỰC HIỆN NĂM 2023\n- Tỷ lệ hộ nghèo giảm 3,35%.\nII. KINH PHÍ\n- Dự phòng 5% kinh phí thực hiện.\n")
    assert [(r["value"], r["kind"]) for r in rows] == [(3.35, "result"), (5, "norm")]


def test_counts_ratios_and_ratio_check(extractor):
    result = run_text(extractor, "I. MỤC TIÊU\n- Phấn đấu có thêm 09 xã đạt chuẩn nông thôn mới; trồng rừng mới đạt 600 ha.\n"
                                 "- Lũy kế 41/58 thôn có nhà văn hóa, đạt 80,7%.\n")
    rows = result.tables["targets"]
    got = {(r["value"], r["unit"]) for r in rows}
    assert {(9, "commune"), (600, "ha"), (41, "ratio"), (80.7, "percent")} <= got
    ratio = next(r for r in rows if r["unit"] == "ratio")
    assert (ratio["numerator"], ratio["denominator"]) == (41, 58)
    assert [c["kind"] for c in result.tables["checks"]] == ["ratio_mismatch"]


def test_indicator_key_is_shared_across_wordings(extractor):
    a = _targets(extractor, "I. MỤC TIÊU\n- Tỷ lệ dân số nông thôn tham gia bảo hiểm y tế đạt 94%.")[0]
    b = _targets(extractor, "I. MỤC TIÊU\n- Tỉ lệ dân số nông thôn tham gia bảo hiểm y tế toàn tỉnh đạt 95%.")[0]
    assert a["indicator"] == "Tỷ lệ dân số nông thôn tham gia bảo hiểm y tế"
    assert a["indicator_key"] == b["indicator_key"]


@pytest.mark.parametrize("text,value,indicator", [
    # the share of an amount against the plan ("KH" spelled out)
    ("- Giải ngân vốn sự nghiệp: 7.420 triệu đồng, đạt 61,5% KH.", 61.5,
     "tỷ lệ Giải ngân vốn sự nghiệp so với kế hoạch"),
    # a ratio before "đạt tỷ lệ": the label before the colon names it
    ("- Huy động trẻ 6 tuổi vào lớp 1: 905/910 đạt tỷ lệ 99,45%.", 99.45,
     "tỷ lệ Huy động trẻ 6 tuổi vào lớp 1"),
    # a percentage alone in brackets is the share of the count before it
    ("Toàn huyện có 410 phòng học, trong đó 301 phòng học kiên cố (73,4%).", 73.4,
     "tỷ lệ phòng học kiên cố"),
    # the population after the figure, past an adverbial head
    ("Đến nay trên 85% đồng bào dân tộc thiểu số được tiếp cận dịch vụ viễn thông.", 85,
     "đồng bào dân tộc thiểu số được tiếp cận dịch vụ viễn thông"),
    # a verb whose object follows the figure; a purpose clause is not part of it
    ("Tập trung nguồn lực để hoàn thành mục tiêu giảm 60% hộ nghèo A giai đoạn 2021 - 2025.", 60,
     "giảm hộ nghèo A giai đoạn 2021 - 2025"),
    # a short aside inside the phrase does not end it
    ("- 40% bản có đội văn nghệ (câu lạc bộ) hoạt động thường xuyên.", 40,
     "bản có đội văn nghệ (câu lạc bộ) hoạt động thường xuyên"),
])
def test_indicator_phrases(extractor, text, value, indicator):
    rows = [r for r in _targets(extractor, "I. MỤC TIÊU\n" + text) if r["unit"] == "percent"]
    assert [(r["value"], r["indicator"]) for r in rows] == [(value, indicator)]


def test_list_of_figures_sharing_a_head(extractor):
    rows = _targets(extractor, "I. MỤC TIÊU\n- Giảm tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi: 0,4% đối với thể "
                               "nhẹ cân và 0,2% đối với thể thấp còi.\n"
                               "- Tỷ lệ hộ dùng nước sạch đạt 90,5%, trong đó nước máy tập trung đạt 40%.\n")
    assert [r["indicator"] for r in rows] == [
        "Giảm tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi đối với thể nhẹ cân",
        "Giảm tỷ lệ suy dinh dưỡng trẻ em dưới 5 tuổi đối với thể thấp còi",
        "Tỷ lệ hộ dùng nước sạch",
        "Tỷ lệ hộ dùng nước sạch, nước máy tập trung",
    ]


def test_count_indicator_names_what_is_counted(extractor):
    rows = _targets(extractor, "I. MỤC TIÊU\n- Phấn đấu năm 2025 có thêm 04 xã đạt chuẩn nông thôn mới nâng cao; "
                               "trồng rừng mới 420 ha.\n")
    assert [(r["unit"], r["indicator"]) for r in rows] == [
        ("commune", "xã đạt chuẩn nông thôn mới nâng cao"), ("ha", "trồng rừng mới")]


@pytest.mark.parametrize("text,expected", [
    ("- Tỷ lệ trẻ em được tiêm chủng đầy đủ hơn 97%.", (97, None, "gt")),
    ("- Tỷ lệ lao động có việc làm tối thiểu 70%.", (70, None, "ge")),
    ("- Tỷ lệ chi hành chính tối đa 8%.", (8, None, "le")),
    ("- Tỷ lệ hộ cận nghèo giảm 1-1,5%.", (1, 1.5, "range")),
    ("- Tỷ lệ hộ có điện lưới đạt 99,2 %.", (99.2, None, "eq")),
])
def test_more_comparator_forms(extractor, text, expected):
    rows = [r for r in _targets(extractor, "I. MỤC TIÊU\n" + text) if r["unit"] == "percent"]
    assert [(r["value"], r["value_max"], r["comparator"]) for r in rows] == [expected]


@pytest.mark.parametrize("text,kind", [
    ("Năm 2023 đã có 71% hộ dân được dùng nước sạch.", "result"),
    ("Kết quả: tỷ lệ che phủ rừng 51,2%.", "result"),
    ("Mục tiêu năm 2025 tỷ lệ che phủ rừng đạt 52%.", "target"),
    ("Ngân sách tỉnh bố trí vốn đối ứng tối thiểu bằng 12% tổng ngân sách Trung ương hỗ trợ.", "norm"),
])
def test_kind_from_the_sentence(extractor, text, kind):
    rows = _targets(extractor, "1. Một số nội dung\n" + text)
    assert [r["kind"] for r in rows if r["unit"] == "percent"] == [kind]


@pytest.mark.parametrize("text,year", [
    ("- Tỷ lệ hộ nghèo năm 2025 giảm 2%.", "2025"),
    ("- Tỷ lệ hộ nghèo giai đoạn 2021-2025 giảm 6%.", "2021-2025"),
    ("- Bình quân mỗi năm giảm 1,2% hộ nghèo.", "per_year"),
])
def test_year_and_period(extractor, text, year):
    rows = _targets(extractor, "I. MỤC TIÊU\n" + text)
    assert [r["year"] for r in rows] == [year]


@pytest.mark.parametrize("text,value,unit", [
    ("- Xây dựng 12 khu dân cư kiểu mẫu.", 12, "village"),
    ("- Đầu tư 03 trường đạt chuẩn quốc gia.", 3, "school"),
    ("- Cứng hóa 14,6 km đường giao thông nông thôn.", 14.6, "km"),
    ("- Sản lượng lương thực đạt 41 nghìn tấn.", 41000, "tonne"),
    ("- Giải quyết việc làm cho 185 nghìn người.", 185000, "person"),
    ("- Thu nhập bình quân đạt 48 triệu đồng/người/năm.", 48, "million_vnd_per_person"),
])
def test_count_and_measure_units(extractor, text, value, unit):
    rows = _targets(extractor, "I. MỤC TIÊU\n" + text)
    assert [(r["value"], r["unit"]) for r in rows] == [(value, unit)]


def test_ratios_with_units_and_thousands(extractor):
    rows = _targets(extractor, "I. MỤC TIÊU\n- Nhựa hóa 180,25 km/240,5 km đường huyện; "
                               "trẻ mẫu giáo ra lớp 2.104/2.311 trẻ.\n")
    ratios = [(r["numerator"], r["denominator"], r["unit"]) for r in rows if r["numerator"] is not None]
    assert ratios == [(180.25, 240.5, "km"), (2104, 2311, "ratio")]
