"""Sentence dates computed, never typed (JUS-07; code de procédure pénale art. 720).

- A *libération sous contrainte* is examined once the time served is at least twice the time
  remaining, for a total sentence of at most 5 years: the first day d with
  (d − incarceration) ≥ 2 × (end − d), that is incarceration + ⌈2 × (end − incarceration) / 3⌉
  days.
- For a total sentence of at most 2 years it applies *de plein droit* once 3 months at most
  remain: the end date minus 3 calendar months (the 31st of a shorter month becomes its last
  day).

The total sentence is the quantum pronounced (years, months, days), counted in calendar time
from the incarceration date; the end date is the current expected end of sentence, which moves
with reductions, new sentences and adjustments — both LSC dates move with it.
"""

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months` calendar months; a day the target month lacks becomes its last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def sentence_end(start: dt.date, years: int, months: int, days: int) -> dt.date:
    """The day a quantum of (years, months, days) started on `start` runs to."""
    return add_months(start, 12 * years + months) + dt.timedelta(days=days)


def sentence_at_most(start: dt.date, quantum: tuple[int, int, int], years: int) -> bool:
    """Whether the quantum is at most `years` years, counted in calendar time from `start`."""
    return sentence_end(start, *quantum) <= add_months(start, 12 * years)


def lsc_examination_date(incarcerated_on: dt.date, end_date: dt.date) -> dt.date:
    """The first day on which the time served is at least twice the time remaining."""
    total = (end_date - incarcerated_on).days
    return incarcerated_on + dt.timedelta(days=-(-2 * total // 3))


def lsc_automatic_date(end_date: dt.date) -> dt.date:
    """The day the LSC applies de plein droit: 3 months before the end of sentence."""
    return add_months(end_date, -3)


def lsc_dates(
    incarcerated_on: dt.date | None,
    end_date: dt.date | None,
    quantum: tuple[int, int, int] | None,
) -> tuple[dt.date | None, dt.date | None]:
    """(examination date, de plein droit date), each None where the law does not apply."""
    if not (incarcerated_on and end_date and quantum) or not any(quantum):
        return None, None
    if end_date <= incarcerated_on:
        return None, None
    examination = automatic = None
    if sentence_at_most(incarcerated_on, quantum, 5):
        examination = lsc_examination_date(incarcerated_on, end_date)
    if sentence_at_most(incarcerated_on, quantum, 2):
        automatic = lsc_automatic_date(end_date)
    return examination, automatic
