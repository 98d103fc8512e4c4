"""The 6-month and annual activity reports (seed 004 Annex I, article 4; SIAO-19).

A report counts each fact in the period it happened, as known when the report is produced
(every event recorded up to then): urgence figures over the daily cut-offs,
insertion/stabilisation and housing over the weekly ones (a week belongs to the month of its
Friday). A direct admission, always entered after the fact, counts on the day it happened.
Occupancy is given at the last cut-off of each month, as known now too.

Beside it, the same period as it was transmitted week after week (each cut-off as known at
its instant, late entries on their own line) stays available, unchanged: `transmitted`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

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


# How the charts of an indicator are named on their spreadsheet tab (31 characters at most).
SHORT = {Indicator.REQUESTS: "demandes", Indicator.ORIENTATIONS: "orientations"}


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
    known_at: dt.datetime
    totals: list[Table]
    transmitted: list[Table]
    months: list[Month]
    fridays: list[dt.date] = field(default_factory=list)

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
                x_title="Mois",
                short_title=f"Graphique – {SHORT[indicator]}",
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
                x_title="Mois",
                short_title="Graphique – occupation",
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
            *(exports.chart_sheet(chart) for chart in self.charts),
            *(
                exports.table_sheet(table, title=transmitted_title(table))
                for table in self.transmitted
            ),
        ]


def totals_title(table: Table) -> str:
    if table.cutoff.schedule == Schedule.DAILY:
        return "Urgence (cumul des arrêtés quotidiens)"
    return "Insertion et logement (cumul hebdomadaire)"


def transmitted_title(table: Table) -> str:
    if table.cutoff.schedule == Schedule.DAILY:
        return "Urgence, tel que transmis"
    return "Insertion et logement, transmis"


def _cutoffs(schedule: str, first: dt.date, last: dt.date) -> list[Cutoff]:
    latest = latest_cutoff(schedule)
    return [c for c in cutoffs_between(schedule, first, last) if c <= latest]


def build(
    territory: Territory,
    *,
    kind: str,
    start: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> Report:
    """The report of `kind` starting at `start`'s month (or year), as known at `known_at`
    (default: now)."""
    known_at = known_at or timezone.now()
    today = dt.datetime.now(PARIS).date()
    if kind == ReportKind.ANNUAL:
        first = dt.date((start or today).year, 1, 1)
        end = dt.date(first.year + 1, 1, 1)
    else:
        first = (start or _add_months(today, -5)).replace(day=1)
        end = _add_months(first, 6)
    last = end - dt.timedelta(days=1)
    totals, transmitted = [], []
    for schedule in Schedule:
        cutoffs = _cutoffs(schedule, first, last)
        if cutoffs:
            totals.append(compute_totals(territory, cutoffs, known_at=known_at))
            transmitted.append(compute_totals(territory, cutoffs))
    months = []
    month_start = first
    while month_start < end and month_start <= today:
        month_end = _add_months(month_start, 1) - dt.timedelta(days=1)
        month = Month(first=month_start)
        for schedule in Schedule:
            cutoffs = _cutoffs(schedule, month_start, month_end)
            table = compute_totals(territory, cutoffs, known_at=known_at) if cutoffs else None
            at_end = compute(territory, cutoffs[-1], known_at=known_at) if cutoffs else None
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
        known_at=known_at,
        totals=totals,
        transmitted=transmitted,
        months=months,
        fridays=[cutoff.day for cutoff in _cutoffs(Schedule.WEEKLY, first, last)],
    )
