"""SIAO-17, SIAO-18: the Annex II table of the golden fortnight, written out by hand.

Each row reads: (level, label, channel) → direct admissions, requests, orientations as
(persons, groups) — requests only by channel — then hosted, capacity and occupancy rate.
See tests/indicators/conftest.py for the story behind the numbers.
"""

import datetime as dt

import pytest
from django.utils import timezone

from relais.indicators.calendar import Cutoff
from relais.indicators.engine import Indicator, compute
from relais.places.enums import PlaceType
from relais.requests.enums import Channel
from relais.requests.models import create_request
from tests.factories import PersonFactory, PlaceCapacityFactory
from tests.indicators.conftest import paris

pytestmark = pytest.mark.django_db

D = dt.date
U, INS, L = Channel.EMERGENCY, Channel.INSERTION, Channel.HOUSING
CHU = "Centre d'hébergement d'urgence (CHU)"
CHRS = "Insertion en CHRS"
MR = "Logement adapté – maison relais"


def written_out(table) -> dict:
    out = {}
    for row in table.rows:
        requests = row.count(Indicator.REQUESTS)
        out[row.level, row.label, row.channel] = (
            tuple(vars(row.count(Indicator.DIRECT_ADMISSIONS)).values()),
            tuple(vars(requests).values()) if requests else None,
            tuple(vars(row.count(Indicator.ORIENTATIONS)).values()),
            row.hosted,
            row.capacity,
            str(row.occupancy),
        )
    return out


def late_entries(table) -> dict:
    return {
        (row.level, row.label, indicator): (count.persons, count.groups)
        for row in table.rows
        for indicator, count in row.late.items()
    }


DAILY = {
    # Saturday 28: U1 (3 persons, 1 household) and U2 call; U1 oriented and admitted.
    D(2026, 3, 28): {
        ("channel", "Urgence", U): ((0, 0), (4, 2), (3, 1), 3, 10, "30.0"),
        ("type", CHU, U): ((0, 0), None, (3, 1), 3, 10, "30.0"),
        ("structure", "CHU Le Phare", U): ((0, 0), None, (3, 1), 3, 10, "30.0"),
    },
    # Sunday 29, 23 hours long: U2 oriented at 01:30 CET, admitted at 03:30 CEST. D1's direct
    # admission at 20:00 is not known at midnight: it is not here.
    D(2026, 3, 29): {
        ("channel", "Urgence", U): ((0, 0), (0, 0), (1, 1), 4, 10, "40.0"),
        ("type", CHU, U): ((0, 0), None, (1, 1), 4, 10, "40.0"),
        ("structure", "CHU Le Phare", U): ((0, 0), None, (1, 1), 4, 10, "40.0"),
    },
    # Monday 30: U4 called at 00:30 CEST (22:30 UTC on Sunday); U2 left; D1 recorded at 09:00,
    # so D1 is hosted at midnight, and its direct admission is a late entry, not a figure.
    D(2026, 3, 30): {
        ("channel", "Urgence", U): ((0, 0), (1, 1), (0, 0), 4, 10, "40.0"),
        ("type", CHU, U): ((0, 0), None, (0, 0), 4, 10, "40.0"),
        ("structure", "CHU Le Phare", U): ((0, 0), None, (0, 0), 4, 10, "40.0"),
    },
    # Tuesday 31: U1 left at 08:00 but nobody said so before Friday: still hosted at midnight.
    D(2026, 3, 31): {
        ("channel", "Urgence", U): ((0, 0), (0, 0), (0, 0), 4, 10, "40.0"),
        ("type", CHU, U): ((0, 0), None, (0, 0), 4, 10, "40.0"),
        ("structure", "CHU Le Phare", U): ((0, 0), None, (0, 0), 4, 10, "40.0"),
    },
}

WEEKLY = {
    # Up to Friday 27 March 17:00 CET (16:00 UTC): the I1 couple asks and is attributed the
    # CHRS (not admitted yet); L1 asks at 16:30, L2 at 17:30 is next week's.
    D(2026, 3, 27): {
        ("channel", "Insertion / stabilisation", INS): ((0, 0), (2, 1), (2, 1), 0, 20, "0.0"),
        ("channel", "Logement", L): ((0, 0), (1, 1), (0, 0), 0, 5, "0.0"),
        ("type", CHRS, INS): ((0, 0), None, (2, 1), 0, 20, "0.0"),
        ("type", MR, L): ((0, 0), None, (0, 0), 0, 5, "0.0"),
        ("structure", "CHRS Les Tilleuls", INS): ((0, 0), None, (2, 1), 0, 20, "0.0"),
        ("structure", "Maison relais Les Vignes", L): ((0, 0), None, (0, 0), 0, 5, "0.0"),
    },
    # Up to Friday 3 April 17:00 CEST (15:00 UTC): I1 admitted; L1 attributed and admitted;
    # L2 and L3 (16:30) asked; L4 (17:30 CEST = 15:30 UTC) is next week's.
    D(2026, 4, 3): {
        ("channel", "Insertion / stabilisation", INS): ((0, 0), (0, 0), (0, 0), 2, 20, "10.0"),
        ("channel", "Logement", L): ((0, 0), (2, 2), (1, 1), 1, 5, "20.0"),
        ("type", CHRS, INS): ((0, 0), None, (0, 0), 2, 20, "10.0"),
        ("type", MR, L): ((0, 0), None, (1, 1), 1, 5, "20.0"),
        ("structure", "CHRS Les Tilleuls", INS): ((0, 0), None, (0, 0), 2, 20, "10.0"),
        ("structure", "Maison relais Les Vignes", L): ((0, 0), None, (1, 1), 1, 5, "20.0"),
    },
    D(2026, 4, 10): {
        ("channel", "Insertion / stabilisation", INS): ((0, 0), (0, 0), (0, 0), 2, 20, "10.0"),
        ("channel", "Logement", L): ((0, 0), (1, 1), (0, 0), 1, 5, "20.0"),
        ("type", CHRS, INS): ((0, 0), None, (0, 0), 2, 20, "10.0"),
        ("type", MR, L): ((0, 0), None, (0, 0), 1, 5, "20.0"),
        ("structure", "CHRS Les Tilleuls", INS): ((0, 0), None, (0, 0), 2, 20, "10.0"),
        ("structure", "Maison relais Les Vignes", L): ((0, 0), None, (0, 0), 1, 5, "20.0"),
    },
}


@pytest.mark.parametrize("day", list(DAILY))
def test_siao_17_siao_18_golden_daily_urgence_table(golden, territory, day):
    assert written_out(compute(territory, Cutoff.daily(day))) == DAILY[day]


@pytest.mark.parametrize("friday", list(WEEKLY))
def test_siao_17_siao_18_golden_weekly_table(golden, territory, friday):
    assert written_out(compute(territory, Cutoff.weekly(friday))) == WEEKLY[friday]


def test_siao_18_late_entries_are_reported_where_they_were_recorded(golden, territory):
    assert late_entries(compute(territory, Cutoff.daily(D(2026, 3, 29)))) == {}
    assert late_entries(compute(territory, Cutoff.daily(D(2026, 3, 30)))) == {
        ("channel", "Urgence", Indicator.DIRECT_ADMISSIONS): (1, 1),
        ("type", CHU, Indicator.DIRECT_ADMISSIONS): (1, 1),
        ("structure", "CHU Le Phare", Indicator.DIRECT_ADMISSIONS): (1, 1),
    }


def test_siao_17_a_household_counts_per_person_and_per_group(golden, territory):
    table = compute(territory, Cutoff.daily(D(2026, 3, 28)))
    row = table.row("structure", golden.chu.pk, U)
    assert vars(row.count(Indicator.ORIENTATIONS)) == {"persons": 3, "groups": 1}
    assert table.request_ids(
        indicator=Indicator.ORIENTATIONS, level="structure", key=golden.chu.pk, channel=U
    ) == {r.pk for r in golden.u1}


def test_siao_18_a_past_cut_off_is_the_same_whatever_is_entered_afterwards(
    golden, territory, emergency_line_user
):
    cutoff = Cutoff.daily(D(2026, 3, 29))
    before = written_out(compute(territory, cutoff))
    # Today someone records a call that happened on Sunday 29 at noon.
    create_request(
        person=PersonFactory(),
        channel=U,
        referrer_organisation=emergency_line_user.organisation,
        by=emergency_line_user,
        occurred_at=dt.datetime(2026, 3, 29, 10, tzinfo=dt.UTC),
    )
    assert written_out(compute(territory, cutoff)) == before
    # Known today, the day has one more request; the cut-off's own figures do not move.
    now = compute(territory, cutoff, known_at=timezone.now())
    assert now.row("channel", U, U).count(Indicator.REQUESTS).persons == 1
    assert written_out(compute(territory, cutoff)) == before


def test_siao_18_a_late_end_of_stay_does_not_rewrite_the_occupancy_transmitted(golden, territory):
    cutoff = Cutoff.daily(D(2026, 3, 31))
    assert compute(territory, cutoff).row("channel", U, U).hosted == 4
    # As known today, the U1 household had left on the 31st at 08:00.
    assert compute(territory, cutoff, known_at=timezone.now()).row("channel", U, U).hosted == 1


def test_siao_17_occupancy_counts_the_places_of_the_orientation(golden, territory):
    """I1 is admitted in the CHRS's insertion places: it fills the weekly table, not urgence."""
    daily = compute(territory, Cutoff.daily(D(2026, 3, 30)))
    assert {fact.request_id for fact in daily.facts if fact.indicator == "hosted"} == {
        golden.d1.pk,
        *(r.pk for r in golden.u1),
    }


def test_siao_19_added_up_periods_equal_the_sum_of_their_cut_offs(golden, territory):
    from relais.indicators.calendar import Schedule, cutoffs_between
    from relais.indicators.engine import compute_totals

    for schedule in Schedule:
        cutoffs = cutoffs_between(schedule, D(2026, 3, 20), D(2026, 4, 12))
        totals = compute_totals(territory, cutoffs)
        tables = [compute(territory, cutoff) for cutoff in cutoffs]
        for row in totals.rows:
            for indicator in (Indicator.ORIENTATIONS, Indicator.DIRECT_ADMISSIONS):
                persons = sum(
                    (t.row(row.level, row.key, row.channel) or row).count(indicator).persons
                    if t.row(row.level, row.key, row.channel)
                    else 0
                    for t in tables
                )
                assert row.count(indicator).persons == persons
        assert len(totals.facts) == sum(
            len([f for f in t.facts if f.indicator != "hosted"]) for t in tables
        )


# -- capacity history (SIAO-18) ---------------------------------------------------------------


def test_siao_18_a_capacity_raised_after_a_cut_off_leaves_its_occupancy_unchanged(
    golden, territory, siao_operator
):
    cutoff = Cutoff.daily(D(2026, 3, 29))
    before = written_out(compute(territory, cutoff))
    chu_places = golden.chu.capacities.get()
    chu_places.places = 20
    chu_places.save(change_by=siao_operator)
    assert written_out(compute(territory, cutoff)) == before
    # Even as known today: the raise took effect after the cut-off.
    assert compute(territory, cutoff, known_at=timezone.now()).row("channel", U, U).capacity == 10
    # The cut-off of the day it took effect counts the new places.
    today = compute(territory, Cutoff.daily(timezone.localdate()))
    assert today.row("structure", str(golden.chu.pk), U).capacity == 20


def test_siao_18_a_capacity_change_recorded_late_does_not_change_the_cut_off_as_sent(
    golden, territory, siao_operator
):
    cutoff = Cutoff.daily(D(2026, 3, 29))
    before = written_out(compute(territory, cutoff))
    chu_places = golden.chu.capacities.get()
    # Entered today: the CHU had opened 10 more places on Sunday 29 at noon.
    chu_places.places = 20
    chu_places.save(change_by=siao_operator, change_at=paris(3, 29, 12))
    assert written_out(compute(territory, cutoff)) == before
    assert written_out(compute(territory, Cutoff.daily(D(2026, 3, 28)))) == DAILY[D(2026, 3, 28)]
    # As known today, that cut-off had 20 places (and D1, recorded on Monday, was hosted).
    now = compute(territory, cutoff, known_at=timezone.now()).row("channel", U, U)
    assert (now.hosted, now.capacity, str(now.occupancy)) == (5, 20, "25.0")


def test_siao_18_removed_or_moved_places_still_count_where_they_were(
    golden, territory, siao_operator
):
    """Winter-only places count while they are open; a capacity deleted, or moved to another
    kind of places, keeps its past cut-offs."""
    winter = PlaceCapacityFactory(
        structure=golden.chu, place_type=PlaceType.EMERGENCY, places=6, is_winter_only=True
    )
    winter.changes.update(occurred_at=paris(3, 29, 12), recorded_at=paris(3, 29, 12))
    assert compute(territory, Cutoff.daily(D(2026, 3, 28))).row("channel", U, U).capacity == 10
    assert compute(territory, Cutoff.daily(D(2026, 3, 29))).row("channel", U, U).capacity == 16
    winter.delete()  # closed today
    assert compute(territory, Cutoff.daily(D(2026, 3, 29))).row("channel", U, U).capacity == 16
    today = Cutoff.daily(timezone.localdate())
    assert compute(territory, today).row("channel", U, U).capacity == 10

    mr_places = golden.maison_relais.capacities.get()
    mr_places.place_type = PlaceType.INSERTION
    mr_places.save(change_by=siao_operator)
    table = compute(territory, Cutoff.weekly(D(2026, 4, 3)))
    capacities = {(row.level, row.label, row.channel): row.capacity for row in table.rows}
    for key, expected in WEEKLY[D(2026, 4, 3)].items():
        assert capacities[key] == expected[4]
    # The first weekly cut-off still to come (on a Friday after 17 h, next week's): the move
    # made just now counts from it.
    today = timezone.localdate()
    coming = Cutoff.weekly(today + dt.timedelta(days=(4 - today.weekday()) % 7))
    today = compute(territory, coming.next if coming.is_past() else coming)
    assert today.row("structure", str(golden.maison_relais.pk), INS).capacity == 5
    assert today.row("channel", L, L).capacity == 0
