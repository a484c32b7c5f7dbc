"""Hostile paragraphs for time-complexity tests: each entry is a function of a scale factor
giving one paragraph (no line breaks) whose length grows linearly with the factor.

Every extractor must take time proportional to the paragraph's length on these; the
counts at scale 1 are chosen so that a plan holding the paragraph twice takes about a
tenth of a second through the whole pipeline. Also imported by the batch tests.
"""

from __future__ import annotations

from collections.abc import Callable

# a realistic plan sentence: amounts with a breakdown, a percentage, a count, a ratio, a
# reference and an agency, so a long run of it exercises every extractor at once
_PLAN_SENTENCE = (
    "Tổng kế hoạch vốn năm 2024 theo Quyết định số 12/QĐ-UBND ngày 05/01/2024 là 1.234,5 triệu đồng "
    "(vốn đầu tư phát triển: 1.000 triệu đồng, vốn sự nghiệp: 234,5 triệu đồng), trong đó: "
    "ngân sách trung ương 1.100 triệu đồng; giải ngân đạt 85,5% kế hoạch, hỗ trợ 12 hộ nghèo, "
    "đạt 3/4 xã; Sở Tài chính chủ trì, phối hợp với Sở Kế hoạch và Đầu tư báo cáo trước ngày 15/12/2024. "
)


def _repeat(unit: str, count: int) -> Callable[[int], str]:
    return lambda scale: unit * (count * scale)


def _nested_brackets(scale: int) -> str:
    depth = 500 * scale
    return "(" * depth + "vốn 100 triệu đồng" + ")" * depth


def _long_thousands(scale: int) -> str:
    return "Tổng vốn 1" + ".000" * (2000 * scale) + " triệu đồng"


def _long_digit_run(scale: int) -> str:
    return "Tổng vốn " + "1" * (8000 * scale) + " triệu đồng đạt " + "9" * (8000 * scale) + "%"


def _separator_runs(scale: int) -> str:
    # long runs of thousands points, decimal commas and spaces between digits
    n = 2000 * scale
    return (
        "vốn 1"
        + "." * n
        + "5 triệu đồng, đạt 2"
        + "," * n
        + "5%, tăng 3"
        + " " * n
        + "% và 4"
        + ", " * n
        + "5 hộ"
    )


def _unclosed_brackets(scale: int) -> str:
    return "(vốn 1 triệu đồng " * (300 * scale)


ADVERSARIAL_PARAGRAPHS: dict[str, Callable[[int], str]] = {
    # the five of the hostile-input campaign
    "percent_list": _repeat("đạt 1% ", 150),
    "amount_list": _repeat("vốn 1 triệu đồng, ", 200),
    "long_thousands": _long_thousands,
    "nested_brackets": _nested_brackets,
    "one_line_plan": _repeat(_PLAN_SENTENCE, 8),
    # and more of the same kind
    "long_digit_run": _long_digit_run,
    "separator_runs": _separator_runs,
    "many_units": lambda scale: "Tổng vốn 1 " + "triệu đồng tỷ đồng " * (500 * scale),
    "unit_list": _repeat("1 tỷ đồng; ", 200),
    "unclosed_brackets": _unclosed_brackets,
    "closing_brackets": _repeat(") vốn 1 triệu đồng ", 300),
    "no_spaces": _repeat("đạt1%vốn1triệuđồng(hộ)", 150),
    "no_spaces_letters": lambda scale: "a" * (20000 * scale),
    "many_trong_do": _repeat("tổng 1 triệu đồng, trong đó ", 150),
    "many_ratios": _repeat("1/2 ", 250),
    "many_comparators": lambda scale: "không thấp hơn " * (600 * scale) + "1%",
    "many_sentences": _repeat("Đạt 1% kế hoạch. ", 150),
    "many_references": _repeat("Quyết định số 1/QĐ-TTg ngày 1/1/2022, ", 200),
    "many_agencies": _repeat("Sở Tài chính chủ trì, phối hợp với Sở Y tế; ", 150),
    "many_counts": _repeat("12 hộ nghèo, ", 250),
    "agency_run": _repeat("Sở Y tế ", 600),
    "long_note": lambda scale: "(" + "vốn 1 triệu đồng, " * (200 * scale) + ")",
    "long_label": lambda scale: "vốn " + "kinh phí hỗ trợ " * (600 * scale) + "1 triệu đồng",
}


def plan_with(paragraph: str) -> str:
    """A small plan that puts PARAGRAPH where every extractor reads it: under an
    objectives heading (targets, counts) and under an organization heading (assignments)."""
    return (
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ\nKẾ HOẠCH\nThực hiện Chương trình mục tiêu quốc gia giảm nghèo bền vững năm 2024\n"
        f"I. MỤC TIÊU\n{paragraph}\nII. TỔ CHỨC THỰC HIỆN\n{paragraph}\n"
    )
