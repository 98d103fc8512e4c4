"""The legal cut-offs of the Annex II indicators (seed 004 Annex II §5; SIAO-18).

- urgence: every day at midnight, Europe/Paris time. The cut-off named by day D is the
  midnight that ends D (D+1 00:00); its period is the whole day D, 23 or 25 hours long on the
  days the clocks change;
- insertion/stabilisation and housing: every Friday at 17:00, Europe/Paris time; the period
  runs from the previous Friday 17:00 (excluded) to this one (included).

Instants are computed in Europe/Paris wall-clock time with zoneinfo, then kept as aware
datetimes (compared in UTC by the database), so the clock changes move nothing.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import models
from django.utils import timezone

from relais.requests.enums import Channel

PARIS = ZoneInfo("Europe/Paris")
FRIDAY = 4  # date.weekday()
WEEKLY_HOUR = dt.time(17, 0)


class Schedule(models.TextChoices):
    DAILY = "daily", "Quotidien (urgence, à minuit)"
    WEEKLY = "weekly", "Hebdomadaire (insertion / stabilisation et logement, vendredi 17 h)"

    @property
    def channels(self) -> tuple[str, ...]:
        if self == Schedule.DAILY:
            return (Channel.EMERGENCY,)
        return (Channel.INSERTION, Channel.HOUSING)


def _paris(day: dt.date, time: dt.time) -> dt.datetime:
    """Wall-clock time in Paris, returned in UTC: Python subtracts two datetimes of the same
    zoneinfo as wall-clock times, which would hide the hour the clocks gain or lose."""
    return dt.datetime.combine(day, time, tzinfo=PARIS).astimezone(dt.UTC)


@dataclass(frozen=True, order=True)
class Cutoff:
    """One cut-off: its schedule and the day that names it (D for daily, the Friday weekly)."""

    schedule: str
    day: dt.date

    def __post_init__(self) -> None:
        if self.schedule == Schedule.WEEKLY and self.day.weekday() != FRIDAY:
            raise ValueError(f"A weekly cut-off falls on a Friday, not on {self.day}.")

    @classmethod
    def daily(cls, day: dt.date) -> "Cutoff":
        return cls(Schedule.DAILY, day)

    @classmethod
    def weekly(cls, friday: dt.date) -> "Cutoff":
        return cls(Schedule.WEEKLY, friday)

    @property
    def at(self) -> dt.datetime:
        """The cut-off instant (aware, in UTC)."""
        if self.schedule == Schedule.DAILY:
            return _paris(self.day + dt.timedelta(days=1), dt.time(0, 0))
        return _paris(self.day, WEEKLY_HOUR)

    @property
    def previous(self) -> "Cutoff":
        step = dt.timedelta(days=1 if self.schedule == Schedule.DAILY else 7)
        return Cutoff(self.schedule, self.day - step)

    @property
    def next(self) -> "Cutoff":
        step = dt.timedelta(days=1 if self.schedule == Schedule.DAILY else 7)
        return Cutoff(self.schedule, self.day + step)

    @property
    def start(self) -> dt.datetime:
        """The period is (start, at]: the previous cut-off excluded, this one included."""
        return self.previous.at

    @property
    def channels(self) -> tuple[str, ...]:
        return Schedule(self.schedule).channels

    @property
    def label(self) -> str:
        if self.schedule == Schedule.DAILY:
            return f"journée du {self.day:%d/%m/%Y} (arrêté à minuit)"
        return f"semaine arrêtée le vendredi {self.day:%d/%m/%Y} à 17 h"

    @property
    def short_label(self) -> str:
        return f"{self.day:%d/%m/%Y}"

    @property
    def slug(self) -> str:
        return f"{self.schedule}-{self.day:%Y-%m-%d}"

    def is_past(self, now: dt.datetime | None = None) -> bool:
        return self.at <= (now or timezone.now())


def latest_cutoff(schedule: str, now: dt.datetime | None = None) -> Cutoff:
    """The last cut-off of `schedule` at or before `now`."""
    local = (now or timezone.now()).astimezone(PARIS)
    if schedule == Schedule.DAILY:
        # The midnight that just passed ends yesterday.
        return Cutoff.daily(local.date() - dt.timedelta(days=1))
    friday = local.date() - dt.timedelta(days=(local.date().weekday() - FRIDAY) % 7)
    cutoff = Cutoff.weekly(friday)
    if cutoff.at > local:
        cutoff = cutoff.previous
    return cutoff


def cutoff_for(schedule: str, day: dt.date) -> Cutoff:
    """The cut-off of `schedule` whose period contains day `day` (the Friday at or after it)."""
    if schedule == Schedule.DAILY:
        return Cutoff.daily(day)
    return Cutoff.weekly(day + dt.timedelta(days=(FRIDAY - day.weekday()) % 7))


def cutoffs_between(schedule: str, first: dt.date, last: dt.date) -> list[Cutoff]:
    """Every cut-off of `schedule` named by a day in [first, last]."""
    cutoff = cutoff_for(schedule, first)
    cutoffs = []
    while cutoff.day <= last:
        cutoffs.append(cutoff)
        cutoff = cutoff.next
    return cutoffs


def daily_cutoffs_of_week(weekly: Cutoff) -> list[Cutoff]:
    """The urgence cut-offs that fall in a weekly period: the seven midnights of the Friday file.

    Friday 17:00 to Friday 17:00 contains the midnights ending Friday … Thursday, i.e. the
    days from the previous Friday to this Thursday.
    """
    return [Cutoff.daily(weekly.day - dt.timedelta(days=n)) for n in range(7, 0, -1)]


def cutoff_covering(schedule: str, moment: dt.datetime) -> Cutoff:
    """The cut-off whose period contains `moment`: the first one at or after it."""
    cutoff = cutoff_for(schedule, moment.astimezone(PARIS).date())
    while cutoff.at < moment:
        cutoff = cutoff.next
    while cutoff.start >= moment:
        cutoff = cutoff.previous
    return cutoff


def schedule_of(channel: str) -> str:
    return Schedule.DAILY if channel == Channel.EMERGENCY else Schedule.WEEKLY
