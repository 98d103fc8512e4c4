"""Identity traits: birth dates may be full or partial."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from relais.persons.models import Person
from relais.requests.forms import parse_partial_date


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("12/03/1985", (1985, 3, 12)),
        ("1/3/1985", (1985, 3, 1)),
        ("12.03.1985", (1985, 3, 12)),
        ("03/1985", (1985, 3, None)),
        ("1985", (1985, None, None)),
        (" 1985 ", (1985, None, None)),
        ("1985-03-12", (1985, 3, 12)),
        ("1985-03", (1985, 3, None)),
    ],
)
def test_siao_01_partial_birth_dates_are_read(text, parts):
    assert parse_partial_date(text) == parts


@pytest.mark.parametrize(
    "text", ["85", "12/03/85", "mars 1985", "1985-03-12x", "//1985", "1985-3-4-5", "1985/03/12"]
)
def test_siao_01_unreadable_birth_dates_are_refused_in_french(text):
    with pytest.raises(ValidationError, match="JJ/MM/AAAA"):
        parse_partial_date(text)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2026, 1, 1)))
def test_siao_01_any_full_date_typed_in_french_order_round_trips(day):
    assert parse_partial_date(day.strftime("%d/%m/%Y")) == (day.year, day.month, day.day)


def test_siao_01_partial_birth_date_displays_unknown_parts():
    assert (
        Person(birth_name="X", first_names="Y", birth_year=1985, birth_month=3).birth_date_display
        == "??/03/1985"
    )
    assert Person(birth_name="X", first_names="Y").birth_date_display == "inconnue"


@pytest.mark.django_db
def test_siao_01_impossible_or_future_birth_dates_are_refused():
    with pytest.raises(ValidationError, match="n'existe pas"):
        Person(
            birth_name="X", first_names="Y", birth_year=1990, birth_month=2, birth_day=30
        ).full_clean()
    next_year = dt.date.today().year + 1
    with pytest.raises(ValidationError, match="comprise entre 1900"):
        Person(birth_name="X", first_names="Y", birth_year=next_year).full_clean()


def test_siao_01_usage_name_shows_with_birth_name():
    person = Person(birth_name="Durand", usage_name="Petit", first_names="Anne")
    assert person.full_name == "PETIT Anne (né(e) DURAND)"
    assert person.last_name == "Petit"
