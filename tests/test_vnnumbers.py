from hypothesis import given
from hypothesis import strategies as st

from extract.vnnumbers import format_vn_number, parse_vn_number


def test_thousands_and_decimals():
    assert parse_vn_number("122.854").value == 122854
    assert parse_vn_number("9.757,650").value == 9757.65
    assert parse_vn_number("13,350").value == 13.35
    assert parse_vn_number("42,850").value == 42.85
    assert parse_vn_number("180.377.961").value == 180377961


def test_typing_noise():
    assert parse_vn_number("267, 0").value == 267.0
    repaired = parse_vn_number("1.O25")
    assert repaired.value == 1025 and repaired.status == "repaired"


def test_malformed_is_never_guessed():
    for raw in ("1.8,0", "1.0,4", "12.34.5", "1,2,3"):
        n = parse_vn_number(raw)
        assert n.value is None and n.status == "malformed", raw


def test_decimal_point_only_for_percentages():
    assert parse_vn_number("93.09", decimal_point_ok=True).value == 93.09
    assert parse_vn_number("93.09").value is None


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=3))
def test_any_vietnamese_number_parses_back(whole, decimals):
    value = whole / (10**decimals)
    text = format_vn_number(value, decimals)
    parsed = parse_vn_number(text)
    assert parsed.status == "ok"
    assert abs(parsed.value - value) < 1e-6 * max(1, value)
    assert parsed.decimals == decimals
