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
