"""The 6-month and annual activity reports (seed 004 Annex I, article 4; SIAO-19).

A report adds up the cut-offs of its months as they were transmitted: urgence figures are
the sum of the daily cut-offs, insertion/stabilisation and housing the sum of the weekly
ones (a week belongs to the month of its Friday), late entries on their own line. Occupancy
is given at the last cut-off of each month.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models

from relais.accounts.models import Territory
from relais.requests.enums import Channel

from . import exports
from .calendar import PARIS, Cutoff, Schedule, cutoffs_between, latest_cutoff
from .charts import Chart, Series
from .engine import COUNTED, Indicator, Level, Table, compute, compute_totals

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


class ReportKind(models.TextChoices):
    SEMESTER = "semestriel", "Bilan à six mois"
    ANNUAL = "annuel", "Bilan annuel"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Month:
    first: dt.date
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # channel → indicator → n
    occupancy: dict[str, object] = field(default_factory=dict)  # channel → rate or None

    @property
    def label(self) -> str:
        return f"{MONTHS[self.first.month - 1]} {self.first.year}"


@dataclass
class Report:
    territory: Territory
    kind: str
    first_day: dt.date
    last_day: dt.date
    totals: list[Table]
    months: list[Month]

    @property
    def title(self) -> str:
        return ReportKind(self.kind).label

    @property
    def is_complete(self) -> bool:
        """False while the period is still running: the report is then a report to date."""
        return self.last_day < latest_cutoff(Schedule.DAILY).day

    @property
    def charts(self) -> list[Chart]:
        labels = [month.label for month in self.months]
        charts = [
            Chart(
                title=f"{Indicator(indicator).label} (personnes) par mois et par dispositif",
                x_labels=labels,
                series=[
                    Series(channel.label, [m.counts[channel][indicator] for m in self.months])
                    for channel in Channel
                ],
            )
            for indicator in (Indicator.REQUESTS, Indicator.ORIENTATIONS)
        ]
        charts.append(
            Chart(
                title="Taux d'occupation (%) au dernier arrêté du mois",
                x_labels=labels,
                unit="%",
                series=[
                    Series(channel.label, [m.occupancy[channel] for m in self.months])
                    for channel in Channel
                ],
            )
        )
        return charts

    @property
    def sheets(self) -> list[exports.Sheet]:
        month_header = [
            "Territoire",
            "Mois",
            "Dispositif",
            *[f"{Indicator(i).label} – personnes" for i in COUNTED],
            "Taux d'occupation au dernier arrêté du mois (%)",
        ]
        month_rows = [
            [
                str(self.territory),
                month.label,
                channel.label,
                *[month.counts[channel][i] for i in COUNTED],
                month.occupancy[channel],
            ]
            for month in self.months
            for channel in Channel
        ]
        return [
            *(exports.table_sheet(table, title=totals_title(table)) for table in self.totals),
            exports.Sheet(title="Par mois", header=month_header, rows=month_rows),
        ]


def totals_title(table: Table) -> str:
    if table.cutoff.schedule == Schedule.DAILY:
        return "Urgence (cumul des arrêtés quotidiens)"
    return "Insertion et logement (cumul hebdomadaire)"


def _cutoffs(schedule: str, first: dt.date, last: dt.date) -> list[Cutoff]:
    latest = latest_cutoff(schedule)
    return [c for c in cutoffs_between(schedule, first, last) if c <= latest]


def build(territory: Territory, *, kind: str, start: dt.date | None = None) -> Report:
    today = dt.datetime.now(PARIS).date()
    if kind == ReportKind.ANNUAL:
        first = dt.date((start or today).year, 1, 1)
        end = dt.date(first.year + 1, 1, 1)
    else:
        first = (start or _add_months(today, -5)).replace(day=1)
        end = _add_months(first, 6)
    last = end - dt.timedelta(days=1)
    totals = []
    for schedule in Schedule:
        cutoffs = _cutoffs(schedule, first, last)
        if cutoffs:
            totals.append(compute_totals(territory, cutoffs))
    months = []
    month_start = first
    while month_start < end and month_start <= today:
        month_end = _add_months(month_start, 1) - dt.timedelta(days=1)
        month = Month(first=month_start)
        for schedule in Schedule:
            cutoffs = _cutoffs(schedule, month_start, month_end)
            table = compute_totals(territory, cutoffs) if cutoffs else None
            at_end = compute(territory, cutoffs[-1]) if cutoffs else None
            for channel in Schedule(schedule).channels:
                row = table.row(Level.CHANNEL, channel, channel) if table else None
                month.counts[channel] = {i: row.count(i).persons if row else 0 for i in COUNTED}
                end_row = at_end.row(Level.CHANNEL, channel, channel) if at_end else None
                month.occupancy[channel] = end_row.occupancy if end_row else None
        months.append(month)
        month_start = _add_months(month_start, 1)
    return Report(
        territory=territory,
        kind=kind,
        first_day=first,
        last_day=last,
        totals=totals,
        months=months,
    )
