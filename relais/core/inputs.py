"""What the server accepts from a user (SEC-04): plausible bounds, clean text, readable filters.

The bounds are used by the forms (a French message next to the field) and by the database
constraints (the last line of defence), so that both say the same thing.
"""

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, QueryDict
from django.utils import timezone

# A request or an event of a SIAO's life: the SIAO did not exist before (they date from
# 2010; imported files may be older), and nothing is planned past the century.
FIRST_RECORD_DAY = dt.date(2000, 1, 1)
# A fact of a person's past (a job, a right, an aid) or a planned end (rights, a measure).
FIRST_FACT_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
# The largest shelter in France counts a few hundred places; ages are those of people.
MAX_PLACES = 10_000
MAX_AGE = 120
# The largest id the databases hold (a signed 64-bit integer).
MAX_ID = 2**63 - 1

# C0 and C1 control characters, except tab, line feed and carriage return (typed in notes).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def date_validators(first: dt.date, last: dt.date) -> list:
    """Validators for a form or model date field that must fall in [first, last]."""
    return [
        MinValueValidator(first, message=f"Date trop ancienne : le {first:%d/%m/%Y} au plus tôt."),
        MaxValueValidator(last, message=f"Date trop lointaine : le {last:%d/%m/%Y} au plus tard."),
    ]


class LocalDateTimeField(forms.DateTimeField):
    """The date-time field of every form of Relais (a guard test walks them all): what is
    typed is read as Django reads it, then given in the site's time zone.

    A date-time typed with an offset (`2026-12-01T10:00:00+23:00`: Python takes up to ±24 h)
    is the instant it names, but PostgreSQL refuses offsets past ±16 h: saved or filtered on
    as typed, it was a server error. An instant that cannot be written in the site's time
    zone (year 1 or 9999 with an offset) is an invalid date."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return timezone.localtime(value)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


API_PATH = "/api/"


class CleanInputMiddleware:
    """Control characters (a NUL byte above all, which PostgreSQL refuses in text and JSON)
    are removed from every GET and POST value before a view, a form or the audit reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.GET = _cleaned(request.GET)
        # The API reads only JSON, parsed and cleaned by its own parser (relais/api/parsers.py):
        # a form body sent there is refused (415), never read here.
        if request.path_info.startswith(API_PATH):
            return self.get_response(request)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            request.POST = _cleaned(request.POST)
        return self.get_response(request)


def _cleaned(params: QueryDict) -> QueryDict:
    if not any(CONTROL_CHARACTERS.search(k + "".join(v)) for k, v in params.lists()):
        return params
    cleaned = QueryDict(mutable=True, encoding=params.encoding)
    for key, values in params.lists():
        cleaned.setlist(
            strip_control_characters(key), [strip_control_characters(v) for v in values]
        )
    cleaned._mutable = False
    return cleaned


class ListParams:
    """Reads the GET parameters of a list or indicator page.

    A value that does not parse (letters for an id, an id no database holds, an impossible
    or out-of-range date) is ignored, and the page says so in French; it never raises."""

    def __init__(self, request: HttpRequest):
        self.request = request

    def raw(self, name: str) -> str:
        return self.request.GET.get(name, "").strip()

    def id(self, name: str, *, label: str) -> int | None:
        text = self.raw(name)
        if not text:
            return None
        if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
            return int(text)
        self._ignored(label, "ce n'est pas un choix de la liste")
        return None

    def choice(self, name: str, *, choices, label: str) -> str:
        """The value if it is one of `choices` (values), else "" (and the page says so)."""
        text = self.raw(name)
        if text and text not in {str(value) for value in choices}:
            self._ignored(label, "ce n'est pas un choix de la liste")
            return ""
        return text

    def day(
        self,
        name: str,
        *,
        label: str,
        first: dt.date = FIRST_RECORD_DAY,
        last: dt.date = LAST_DAY,
    ) -> dt.date | None:
        text = self.raw(name)
        if not text:
            return None
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            self._ignored(label, "écrivez la date sous la forme AAAA-MM-JJ")
            return None
        if not first <= day <= last:
            self._ignored(
                label, f"choisissez une date entre le {first:%d/%m/%Y} et le {last:%d/%m/%Y}"
            )
            return None
        return day

    def _ignored(self, label: str, why: str) -> None:
        messages.warning(self.request, f"{label} : valeur non reconnue, {why}. Filtre ignoré.")


def in_range(field: str, low, high, *, name: str, message: str) -> models.CheckConstraint:
    """A database check that `field`, when set, lies in [low, high]; `message` is what a
    model form shows if it is broken."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=name,
        violation_error_message=message,
    )


def plausible_dates(prefix: str, **fields: dt.date | None) -> list[models.CheckConstraint]:
    """One `in_range` check per date field, from its first day (the day given, or
    FIRST_FACT_DAY for None) to LAST_DAY; named `<prefix>_<field>_plausible`."""
    checks = []
    for field, first in fields.items():
        first = first or FIRST_FACT_DAY
        checks.append(
            in_range(
                field,
                first,
                LAST_DAY,
                name=f"{prefix}_{field}_plausible",
                message=f"Une date doit être comprise entre le {first:%d/%m/%Y} et le "
                f"{LAST_DAY:%d/%m/%Y}.",
            )
        )
    return checks
