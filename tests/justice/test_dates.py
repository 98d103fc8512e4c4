"""JUS-07: LSC dates computed from the incarceration date, the quantum and the end date."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from relais.justice.dates import (
    add_months,
    lsc_automatic_date,
    lsc_dates,
    lsc_examination_date,
    sentence_at_most,
)

D = dt.date


def test_jus_07_examination_is_the_first_day_served_is_twice_remaining():
    # 300 days: served ≥ 2 × remaining from day 200 (200 = 2 × 100), not day 199.
    start = D(2026, 1, 1)
    end = start + dt.timedelta(days=300)
    exam = lsc_examination_date(start, end)
    assert exam == start + dt.timedelta(days=200)
    # 301 days: 2 × 301 / 3 = 200.67 → day 201 (200 served < 2 × 101 remaining).
    end = start + dt.timedelta(days=301)
    assert lsc_examination_date(start, end) == start + dt.timedelta(days=201)


@given(
    st.dates(D(2000, 1, 1), D(2090, 1, 1)),
    st.integers(1, 5 * 366),
)
def test_jus_07_examination_date_is_minimal(start, length):
    end = start + dt.timedelta(days=length)
    exam = lsc_examination_date(start, end)

    def served_twice_remaining(day):
        return (day - start).days >= 2 * (end - day).days

    assert served_twice_remaining(exam)
    assert not served_twice_remaining(exam - dt.timedelta(days=1))


def test_jus_07_five_years_exactly_is_examined_five_years_and_a_day_is_not():
    start = D(2024, 3, 1)
    assert sentence_at_most(start, (5, 0, 0), 5)
    assert not sentence_at_most(start, (5, 0, 1), 5)
    exam, automatic = lsc_dates(start, D(2029, 3, 1), (5, 0, 0))
    assert exam is not None and automatic is None
    assert lsc_dates(start, D(2029, 3, 2), (5, 0, 1)) == (None, None)


def test_jus_07_two_years_exactly_applies_de_plein_droit():
    start = D(2025, 6, 15)
    exam, automatic = lsc_dates(start, D(2027, 6, 15), (2, 0, 0))
    assert automatic == D(2027, 3, 15)
    assert exam == lsc_examination_date(start, D(2027, 6, 15))
    _, automatic = lsc_dates(start, D(2027, 6, 16), (2, 0, 1))
    assert automatic is None


def test_jus_07_month_ends_and_leap_years():
    assert lsc_automatic_date(D(2027, 5, 31)) == D(2027, 2, 28)
    assert lsc_automatic_date(D(2028, 5, 31)) == D(2028, 2, 29)
    assert lsc_automatic_date(D(2028, 2, 29)) == D(2027, 11, 29)
    assert add_months(D(2028, 2, 29), 12) == D(2029, 2, 28)
    # Incarcerated on 29 February: four years later is the 28th, so (4, 0, 0) ends then.
    assert sentence_at_most(D(2024, 2, 29), (5, 0, 0), 5)
    # Across a leap day the examination counts the real number of days.
    assert lsc_examination_date(D(2027, 12, 1), D(2028, 3, 1)) == D(2028, 1, 31)


def test_jus_07_remand_has_no_lsc_date():
    assert lsc_dates(D(2026, 1, 1), D(2027, 1, 1), None) == (None, None)
    assert lsc_dates(D(2026, 1, 1), None, (1, 0, 0)) == (None, None)


def test_jus_07_the_readme_worked_example():
    start = dt.date(2026, 1, 10)
    assert lsc_dates(start, dt.date(2028, 1, 10), (2, 0, 0)) == (
        dt.date(2027, 5, 12),
        dt.date(2027, 10, 10),
    )
    assert lsc_dates(start, dt.date(2027, 11, 10), (2, 0, 0)) == (
        dt.date(2027, 4, 1),
        dt.date(2027, 8, 10),
    )
