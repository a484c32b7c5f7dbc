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
