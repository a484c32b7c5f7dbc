"""A failing sum on an OCR'd document names the figure whose misreading explains it."""

import pytest

from tests.conftest import run_text


def _linked_amounts(extractor, text: str):
    from extract.document import Block

    finder = extractor.amount_finder
    amounts = finder.find(Block(text, [(0, i) for i in range(len(text))], [0]))
    finder.link_block(amounts)
    return amounts


@pytest.mark.parametrize(
    "text,confidences,named,corrected,how",
    [
        # "592,3" read as 5923: a lost decimal comma
        (
            "Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 5923 tỷ đồng; ngân sách tỉnh 356,42 tỷ đồng.",
            (96.0, 61.0, 95.0),
            1,
            592.3,
            "a separator lost or moved",
        ),
        # one digit: the total or a part could explain it; the less confident reading is named
        (
            "Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 592,3 tỷ đồng; ngân sách tỉnh 366,42 tỷ đồng.",
            (96.0, 95.0, 52.0),
            2,
            356.42,
            "one digit",
        ),
        (
            "Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 592,3 tỷ đồng; ngân sách tỉnh 366,42 tỷ đồng.",
            (52.0, 95.0, 96.0),
            0,
            958.72,
            "one digit",
        ),
        # a digit lost: "14.210" read as 4.210
        (
            "Kinh phí 4.210 triệu đồng, trong đó: NSTW 12.918 triệu đồng; NSĐP 1.292 triệu đồng.",
            (90.0, 96.0, 96.0),
            0,
            14210.0,
            "a digit lost",
        ),
    ],
)
def test_a_failing_sum_names_the_figure_whose_misreading_explains_it(
    extractor, text, confidences, named, corrected, how
):
    from extract.checks import likely_misreading

    amounts = _linked_amounts(extractor, text)
    assert [a.parent is amounts[0] for a in amounts[1:]] == [True, True]
    confidence = dict(zip(map(id, amounts), confidences))
    misread = likely_misreading(amounts[0], lambda a: confidence[id(a)])
    assert (misread.amount is amounts[named], misread.corrected, misread.how) == (True, corrected, how)


def test_a_sum_no_single_misreading_explains_names_nothing(extractor):
    from extract.checks import likely_misreading

    amounts = _linked_amounts(
        extractor, "Tổng vốn là 1.000 triệu đồng, trong đó: NSTW 123 triệu đồng; NSĐP 456 triệu đồng."
    )
    assert likely_misreading(amounts[0], lambda a: 50.0) is None


def test_a_text_plan_stays_ok_with_a_failing_sum_and_carries_no_confidence(extractor):
    rows = run_text(
        extractor,
        "Tổng vốn là 948,72 tỷ đồng, trong đó: ngân sách Trung ương 5923 tỷ đồng; "
        "ngân sách tỉnh 356,42 tỷ đồng.\n",
    )
    sums = [c for c in rows.tables["checks"] if c["kind"] == "sum_mismatch"]
    assert len(sums) == 1 and "misread" not in sums[0]["message"]
    assert rows.document["status"] == "ok"
    assert all(a["ocr_confidence"] is None for a in rows.tables["amounts"])
