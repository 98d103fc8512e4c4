"""SIAO-18: cut-offs at midnight (urgence) and on Friday at 17:00, Europe/Paris time."""

import datetime as dt

import pytest

from relais.indicators.calendar import (
    Cutoff,
    Schedule,
    cutoff_for,
    cutoffs_between,
    daily_cutoffs_of_week,
    latest_cutoff,
)
from relais.requests.enums import Channel

UTC = dt.UTC
D = dt.date


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def test_siao_18_daily_cut_off_is_the_midnight_ending_the_day():
    cutoff = Cutoff.daily(D(2026, 1, 15))
    assert cutoff.at == utc(2026, 1, 15, 23)
    assert cutoff.start == utc(2026, 1, 14, 23)
    assert cutoff.channels == (Channel.EMERGENCY,)


def test_siao_18_daily_periods_across_the_clock_changes():
    spring = Cutoff.daily(D(2026, 3, 29))  # 02:00 CET → 03:00 CEST
    assert (spring.start, spring.at) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert spring.at - spring.start == dt.timedelta(hours=23)
    autumn = Cutoff.daily(D(2026, 10, 25))  # 03:00 CEST → 02:00 CET
    assert (autumn.start, autumn.at) == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 23))
    assert autumn.at - autumn.start == dt.timedelta(hours=25)


def test_siao_18_weekly_cut_off_is_friday_17_paris_time_across_the_clock_change():
    before = Cutoff.weekly(D(2026, 3, 27))
    after = Cutoff.weekly(D(2026, 4, 3))
    assert before.at == utc(2026, 3, 27, 16)
    assert after.at == utc(2026, 4, 3, 15)
    assert after.start == before.at
    assert after.at - after.start == dt.timedelta(days=7, hours=-1)
    assert after.channels == (Channel.INSERTION, Channel.HOUSING)


def test_siao_18_a_weekly_cut_off_is_a_friday():
    with pytest.raises(ValueError):
        Cutoff.weekly(D(2026, 4, 2))


def test_siao_18_latest_cut_off():
    # Friday 3 April 2026, 16:59 and 17:00 CEST.
    assert latest_cutoff(Schedule.WEEKLY, utc(2026, 4, 3, 14, 59)).day == D(2026, 3, 27)
    assert latest_cutoff(Schedule.WEEKLY, utc(2026, 4, 3, 15)).day == D(2026, 4, 3)
    assert latest_cutoff(Schedule.WEEKLY, utc(2026, 4, 6, 8)).day == D(2026, 4, 3)
    # 00:30 CEST on Monday 30 March is still 22:30 UTC on Sunday.
    assert latest_cutoff(Schedule.DAILY, utc(2026, 3, 29, 22, 30)).day == D(2026, 3, 29)
    assert latest_cutoff(Schedule.DAILY, utc(2026, 3, 29, 21, 59)).day == D(2026, 3, 28)


def test_siao_18_calendar_of_a_year():
    fridays = cutoffs_between(Schedule.WEEKLY, D(2026, 1, 1), D(2026, 12, 31))
    assert len(fridays) == 52
    assert fridays[0].day == D(2026, 1, 2)
    days = cutoffs_between(Schedule.DAILY, D(2026, 1, 1), D(2026, 12, 31))
    assert len(days) == 365
    # Consecutive periods tile the year: no instant falls in two periods or none.
    for cutoffs in (fridays, days):
        for first, second in zip(cutoffs, cutoffs[1:], strict=False):
            assert first.at == second.start
    assert cutoff_for(Schedule.WEEKLY, D(2026, 4, 4)).day == D(2026, 4, 10)


def test_siao_18_the_friday_file_holds_the_seven_midnights_of_its_week():
    week = Cutoff.weekly(D(2026, 4, 3))
    midnights = [cutoff.at for cutoff in daily_cutoffs_of_week(week)]
    assert len(midnights) == 7
    assert all(week.start < moment <= week.at for moment in midnights)
