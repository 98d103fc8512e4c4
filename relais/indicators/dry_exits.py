"""Dry exits per month (JUS-06): how many people left detention with no secured housing
solution, as recorded by the daily job (`relais.releases.models.DryExit`)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from relais.justice.dates import add_months
from relais.releases.models import DryExit

MONTHS_SHOWN = 12


@dataclass(frozen=True)
class MonthCount:
    month: dt.date  # the first day of the month
    dry_exits: int
    persons: int


def dry_exits_by_month(territory, *, until: dt.date, months: int = MONTHS_SHOWN) -> list:
    """The `months` months up to `until`'s month, oldest first, each with its dry exits (a
    month without any shows 0). Counted up to `until` included."""
    first = add_months(until.replace(day=1), -(months - 1))
    counted = {
        row["month"]: row
        for row in DryExit.objects.filter(
            detention__territory=territory, on__gte=first, on__lte=until
        )
        .annotate(month=TruncMonth("on"))
        .values("month")
        .annotate(dry_exits=Count("id"), persons=Count("person", distinct=True))
    }
    result = []
    for offset in range(months):
        month = add_months(first, offset)
        row = counted.get(month, {})
        result.append(MonthCount(month, row.get("dry_exits", 0), row.get("persons", 0)))
    return result
