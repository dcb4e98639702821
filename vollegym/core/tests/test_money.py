import pytest
from hypothesis import given
from hypothesis import strategies as st

from vollegym.core.money import euro, parse_euro


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("1195", 119500), ("1.195,00", 119500), ("€ 1.195,5", 119550), ("89,95", 8995), ("89.95", 8995),
     ("1.195", 119500), (" 12 ", 1200), ("0,05", 5)],
)  # fmt: skip
def test_amounts_are_read_the_way_dutch_people_type_them(typed, cents):
    assert parse_euro(typed) == cents


@pytest.mark.parametrize("typed", ["", "abc", "12,345", "-5", "1,2,3", "€"])
def test_what_is_not_an_amount_is_refused(typed):
    with pytest.raises(ValueError):
        parse_euro(typed)


@given(st.integers(min_value=0, max_value=10**9))
def test_what_is_shown_reads_back_as_the_same_cents(cents):
    assert parse_euro(euro(cents)) == cents
