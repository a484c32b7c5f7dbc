from tests.conftest import run_text

PLAN = """IV. TỔ CHỨC THỰC HIỆN
1. Sở Lao động - Thương binh và Xã hội chủ trì, phối hợp với Sở Tài chính tổng hợp báo cáo kết quả thực hiện, gửi về Sở Kế hoạch và Đầu tư trước ngày 15/12/2024.
2. Sở Y tế:
- Hướng dẫn các địa phương tổ chức khám sức khỏe định kỳ cho người cao tuổi.
"""


def test_roles_deadline_and_product(extractor):
    rows = run_text(extractor, PLAN).tables["assignments"]
    got = [(r["line"], r["agency"], r["role"], r["deadline"]) for r in rows]
    assert got == [
        (2, "Sở Lao động - Thương binh và Xã hội", "lead", "trước ngày 15/12/2024"),
        (2, "Sở Tài chính", "coordinate", "trước ngày 15/12/2024"),
        (2, "Sở Kế hoạch và Đầu tư", "report_to", "trước ngày 15/12/2024"),
        (4, "Sở Y tế", "lead", None),
    ]
    assert rows[0]["product"] == "báo cáo kết quả thực hiện"
    assert rows[3]["task"] == "Hướng dẫn các địa phương tổ chức khám sức khỏe định kỳ cho người cao tuổi."
    assert rows[0]["raw_text"] == "Sở Lao động - Thương binh và Xã hội"


def test_agency_spellings_fold_to_one_name(extractor):
    rows = run_text(extractor, "V. TỔ CHỨC THỰC HIỆN\n- Sở LĐTBXH chủ trì thực hiện.\n").tables["assignments"]
    assert [(r["agency"], r["role"]) for r in rows] == [("Sở Lao động - Thương binh và Xã hội", "lead")]
