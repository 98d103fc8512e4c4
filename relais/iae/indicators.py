"""IAE-08: activity and results of the insertion sites, per site and period.

Every figure is dated by the step it counts, never by when it was typed: a workflow step by
its event's date (`data["on"]`), hours by their month, an action by its end (or start), a
follow-up outside by the day it falls due. A past period therefore recomputes exactly; a
step recorded later only changes it if it is dated inside it. Aggregates only: no person.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from .enums import (
    CERTIFYING_ACTIONS,
    FULL_TIME_HOURS_A_YEAR,
    OUTSIDE_FOLLOW_UP_MONTHS,
    POSITIVE_OUTCOMES,
    ActionKind,
    ActionStatus,
    EndReason,
    ParcoursEventKind,
)
from .models import ExitSynthesis, MonthlyHours, OutsideFollowUp, ParcoursAction, ParcoursEvent

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

E = ParcoursEventKind
COUNTED_STEPS = [E.CPU_ORIENTED, E.RETAINED, E.NOT_RETAINED, E.ASSIGNED, E.ENDED]


# -- periods ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    @property
    def label(self) -> str:
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    @property
    def title(self) -> str:
        """'1er semestre 2026', '2d semestre 2026', 'Année 2025', else the dates."""
        same_year = self.start.year == self.end.year
        bounds = (self.start.month, self.start.day, self.end.month, self.end.day)
        names = {
            (1, 1, 6, 30): "1er semestre",
            (7, 1, 12, 31): "2d semestre",
            (1, 1, 12, 31): "Année",
        }
        if same_year and bounds in names:
            return f"{names[bounds]} {self.start.year}"
        return f"Du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month the period touches."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = _next_month(month)
        return months

    def __contains__(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def previous_half_year(self) -> "Period":
        return half_year(self.start - dt.timedelta(days=1))


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def half_year(day: dt.date) -> Period:
    """The half-year holding `day` (the departmental committee meets twice a year)."""
    if day.month <= 6:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 6, 30))
    return Period(dt.date(day.year, 7, 1), dt.date(day.year, 12, 31))


def year(day: dt.date) -> Period:
    return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))


def month_label(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


# -- figures ----------------------------------------------------------------------------------


@dataclass
class Continuity:
    """Follow-ups outside falling due in the period, `months` after release."""

    months: int
    due: int = 0
    checked: int = 0
    in_employment_or_training: int = 0
    still_with_siae: int = 0

    def add(self, other: "Continuity") -> None:
        self.due += other.due
        self.checked += other.checked
        self.in_employment_or_training += other.in_employment_or_training
        self.still_with_siae += other.still_with_siae


@dataclass
class Figures:
    label: str
    months_in_period: int
    oriented: int = 0
    interviewed: int = 0
    retained: int = 0
    recruited: int = 0
    in_parcours: int = 0
    hours: Decimal = Decimal(0)
    trainings: int = 0
    certifications: int = 0
    pmsmp: int = 0
    exits: int = 0
    exits_by_reason: dict[str, int] = field(default_factory=dict)
    positive_exits: int = 0
    continuity: dict[int, Continuity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.exits_by_reason = {reason: 0 for reason in EndReason.values} | self.exits_by_reason
        for months in OUTSIDE_FOLLOW_UP_MONTHS:
            self.continuity.setdefault(months, Continuity(months))

    @property
    def full_time_equivalents(self) -> Decimal:
        """Hours over a full time of the period (1,350 h a year, pro rata of its months)."""
        if not self.months_in_period:
            return Decimal(0)
        full_time = Decimal(FULL_TIME_HOURS_A_YEAR) * self.months_in_period / 12
        return (Decimal(self.hours) / full_time).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def positive_exit_rate(self) -> int | None:
        """Exits to employment or training, in % of the exits."""
        return round(100 * self.positive_exits / self.exits) if self.exits else None

    def add(self, other: "Figures") -> None:
        for name in (
            "oriented",
            "interviewed",
            "retained",
            "recruited",
            "in_parcours",
            "hours",
            "trainings",
            "certifications",
            "pmsmp",
            "exits",
            "positive_exits",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for reason, n in other.exits_by_reason.items():
            self.exits_by_reason[reason] += n
        for months, continuity in other.continuity.items():
            self.continuity[months].add(continuity)


@dataclass
class MonthRow:
    month: dt.date
    oriented: int = 0
    recruited: int = 0
    exits: int = 0
    positive_exits: int = 0
    hours: Decimal = Decimal(0)

    @property
    def label(self) -> str:
        return month_label(self.month)


@dataclass
class Indicators:
    period: Period
    sites: list[Figures]
    total: Figures
    monthly: list[MonthRow]


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def compute(sites, period: Period) -> Indicators:
    """The figures of each of `sites` (a Site QuerySet, already scoped to the reader) over
    `period`, their total and the month-by-month series of the total."""
    sites = list(sites.select_related("siae", "establishment").order_by("pk"))
    site_ids = [site.pk for site in sites]
    months = period.months
    per_site = {site.pk: Figures(str(site), len(months)) for site in sites}
    monthly = {month: MonthRow(month) for month in months}

    steps: dict[int, dict[str, dt.date]] = defaultdict(dict)  # parcours → kind → day
    site_of: dict[int, int] = {}
    reasons: dict[int, str] = {}
    events = ParcoursEvent.objects.filter(
        parcours__site_id__in=site_ids, kind__in=COUNTED_STEPS
    ).values_list("parcours_id", "parcours__site_id", "kind", "data")
    for parcours_id, site_id, kind, data in events:
        on = _day((data or {}).get("on"))
        if on is None:
            continue
        steps[parcours_id][kind] = on
        site_of[parcours_id] = site_id
        if kind == E.ENDED:
            reasons[parcours_id] = (data or {}).get("reason", "")

    ended_in_period = [p for p, s in steps.items() if s.get(E.ENDED) in period]
    positive = set(
        ExitSynthesis.objects.filter(
            parcours_id__in=ended_in_period, outcome__in=POSITIVE_OUTCOMES
        ).values_list("parcours_id", flat=True)
    )
    for parcours_id, days in steps.items():
        figures = per_site[site_of[parcours_id]]
        oriented, ended = days.get(E.CPU_ORIENTED), days.get(E.ENDED)
        assigned = days.get(E.ASSIGNED)
        if oriented in period:
            figures.oriented += 1
            monthly[oriented.replace(day=1)].oriented += 1
        if days.get(E.RETAINED) in period:
            figures.interviewed += 1
            figures.retained += 1
        if days.get(E.NOT_RETAINED) in period:
            figures.interviewed += 1
        if assigned in period:
            figures.recruited += 1
            monthly[assigned.replace(day=1)].recruited += 1
        if assigned and assigned <= period.end and (ended is None or ended >= period.start):
            figures.in_parcours += 1
        if ended in period:
            figures.exits += 1
            reason = reasons.get(parcours_id, "")
            if reason in figures.exits_by_reason:
                figures.exits_by_reason[reason] += 1
            monthly[ended.replace(day=1)].exits += 1
            if parcours_id in positive:
                figures.positive_exits += 1
                monthly[ended.replace(day=1)].positive_exits += 1

    hours = (
        MonthlyHours.objects.filter(
            parcours__site_id__in=site_ids, month__gte=months[0], month__lte=period.end
        )
        .values_list("parcours__site_id", "month")
        .annotate(total=Sum("hours"))
    )
    for site_id, month, total in hours:
        per_site[site_id].hours += total
        monthly[month.replace(day=1)].hours += total

    actions = ParcoursAction.objects.filter(parcours__site_id__in=site_ids).values_list(
        "parcours__site_id", "kind", "status", "starts_on", "ends_on"
    )
    for site_id, kind, status, starts_on, ends_on in actions:
        if (ends_on or starts_on) not in period:
            continue
        figures = per_site[site_id]
        if kind == ActionKind.TRAINING and status == ActionStatus.DONE:
            figures.trainings += 1
        elif kind in CERTIFYING_ACTIONS and status == ActionStatus.OBTAINED:
            figures.certifications += 1
        elif kind == ActionKind.PMSMP and status == ActionStatus.DONE:
            figures.pmsmp += 1

    follow_ups = OutsideFollowUp.objects.filter(
        parcours__site_id__in=site_ids, due_on__gte=period.start, due_on__lte=period.end
    ).values_list(
        "parcours__site_id", "months", "checked_on", "in_employment_or_training", "still_with_siae"
    )
    for site_id, months_after, checked_on, working, with_siae in follow_ups:
        continuity = per_site[site_id].continuity.get(months_after)
        if continuity is None:
            continue
        continuity.due += 1
        if checked_on is not None:
            continuity.checked += 1
            continuity.in_employment_or_training += bool(working)
            continuity.still_with_siae += bool(with_siae)

    total = Figures("Total", len(months))
    for figures in per_site.values():
        total.add(figures)
    return Indicators(
        period=period,
        sites=[per_site[site.pk] for site in sites],
        total=total,
        monthly=list(monthly.values()),
    )


# -- the rows every output shows (page, spreadsheet, printed report) --------------------------


def rows(figures: Figures) -> list[tuple[str, object]]:
    """(French label, value) of each figure, in the order every output shows them."""
    lines: list[tuple[str, object]] = [
        ("Personnes orientées par la CPU", figures.oriented),
        ("Personnes reçues en entretien par la SIAE", figures.interviewed),
        ("dont retenues", figures.retained),
        ("Personnes recrutées (décision d'affectation)", figures.recruited),
        ("Personnes en parcours sur la période", figures.in_parcours),
        ("Heures travaillées", figures.hours),
        ("Équivalents temps plein (1 350 h par an)", figures.full_time_equivalents),
        ("Formations réalisées", figures.trainings),
        ("Certifications obtenues (CléA, diplômes, VAE)", figures.certifications),
        ("Périodes de mise en situation en milieu professionnel (PMSMP)", figures.pmsmp),
        ("Sorties du parcours", figures.exits),
    ]
    lines += [
        (f"dont {EndReason(reason).label.lower()}", n)
        for reason, n in figures.exits_by_reason.items()
    ]
    lines += [
        ("Sorties vers l'emploi ou la formation", figures.positive_exits),
        (
            "Part des sorties vers l'emploi ou la formation (%)",
            figures.positive_exit_rate,
        ),
    ]
    for months, continuity in figures.continuity.items():
        lines += [
            (f"Suivis à {months} mois après la sortie à faire", continuity.due),
            (f"dont faits (à {months} mois)", continuity.checked),
            (f"en emploi ou en formation (à {months} mois)", continuity.in_employment_or_training),
            (f"toujours accompagnées par la SIAE (à {months} mois)", continuity.still_with_siae),
        ]
    return lines
