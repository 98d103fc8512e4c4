"""The justice indicators of the dashboard, month by month, each month as known at its end:
releases with a solution or dry (JUS-06), LSC refused for lack of housing (JUS-07), days from
request to solution in detention (JUS-06), use of reserved and flying places (JUS-12)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.core.transitions import noon_of as noon
from relais.indicators.justice import justice_months
from relais.indicators.offer import day_end
from relais.justice.enums import AdjustmentEventKind, AdjustmentKind, AdjustmentRefusalReason
from relais.justice.models import DetentionEvent, SentenceAdjustment
from relais.orientations.models import Orientation, OrientationEvent
from relais.places.enums import PlaceReservation, PlaceType
from relais.places.models import CapacityChange, PlaceCapacity
from relais.releases.models import DryExit
from tests.factories import StructureFactory, make_detention, make_evaluation, make_request

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FIRST = TODAY.replace(day=1)
LAST_MONTH = (FIRST - dt.timedelta(days=1)).replace(day=1)
LONG = (8, 0, 0)


def released(cpip, territory, day: dt.date, *, recorded: dt.date | None = None):
    detention = make_detention(cpip=cpip, end_date=day, sentence=LONG)
    detention.release(on=day, by=cpip)
    DetentionEvent.objects.filter(detention=detention, kind="released").update(
        occurred_at=noon(day), recorded_at=noon(recorded or day)
    )
    return detention


def dry(cpip, day: dt.date, *, detention=None):
    detention = detention or make_detention(cpip=cpip, end_date=day, sentence=LONG)
    DryExit.objects.create(
        detention=detention,
        person=detention.person,
        on=day,
        solution="evaluated",
        recorded_at=noon(day),
    )
    return detention


def month(lines, first_day):
    return next(line for line in lines if line.month == first_day)


def test_jus_06_releases_per_month_with_a_solution_or_dry(cpip, territory):
    released(cpip, territory, LAST_MONTH + dt.timedelta(days=2))
    released(cpip, territory, LAST_MONTH + dt.timedelta(days=4))
    dry(cpip, LAST_MONTH + dt.timedelta(days=6))
    # A dry exit last month, the release recorded this month: one exit, last month, dry.
    late_release = dry(cpip, LAST_MONTH + dt.timedelta(days=8))
    late_release.release(on=TODAY, by=cpip)
    dry(cpip, TODAY)
    lines = justice_months(territory, until=TODAY)
    assert len(lines) == 12 and lines[-1].month == FIRST
    last = month(lines, LAST_MONTH)
    assert (last.releases, last.with_solution, last.dry_exits) == (4, 2, 2)
    this = month(lines, FIRST)
    assert (this.releases, this.dry_exits) == (1, 1)


def test_jus_06_a_past_month_is_recomputed_as_it_was_known(cpip, territory):
    released(cpip, territory, LAST_MONTH + dt.timedelta(days=3))
    before = month(justice_months(territory, until=TODAY), LAST_MONTH)
    # Entered today, dated back into last month: not in last month's figures.
    released(cpip, territory, LAST_MONTH + dt.timedelta(days=5), recorded=TODAY)
    after = month(justice_months(territory, until=TODAY), LAST_MONTH)
    assert before.releases == after.releases == 1
    # Counted as known now if asked about now (the current month's own facts).
    assert month(justice_months(territory, until=TODAY), FIRST).releases == 0


def test_jus_07_lsc_refused_for_lack_of_housing_per_month(cpip, territory):
    def refused(kind, reason):
        detention = make_detention(cpip=cpip)
        adjustment = SentenceAdjustment.plan(detention, kind=kind, by=cpip)
        adjustment.take(AdjustmentEventKind.REQUESTED, by=cpip)
        adjustment.take(AdjustmentEventKind.REFUSED, by=cpip, refusal_reason=reason)

    refused(AdjustmentKind.LSC, AdjustmentRefusalReason.NO_HOUSING)
    refused(AdjustmentKind.LSC, AdjustmentRefusalReason.NO_HOUSING)
    refused(AdjustmentKind.LSC, AdjustmentRefusalReason.BEHAVIOUR)
    refused(AdjustmentKind.SL, AdjustmentRefusalReason.NO_HOUSING)
    assert month(justice_months(territory, until=TODAY), FIRST).lsc_refused == 2


@pytest.fixture
def reserved_room(structure_manager):
    structure = StructureFactory(manager=structure_manager.organisation)
    return PlaceCapacity.objects.create(
        structure=structure,
        place_type=PlaceType.INSERTION,
        places=3,
        reservation=PlaceReservation.DETENTION,
    )


def detained_request(cpip, *, asked_days_ago: int):
    detention = make_detention(cpip=cpip, end_date=TODAY + dt.timedelta(days=60), sentence=LONG)
    req = make_request(
        detention.person,
        referrer=cpip,
        detention=detention,
        requested_on=TODAY - dt.timedelta(days=asked_days_ago),
    )
    make_evaluation(req)
    req.evaluate(by=cpip)
    return req


def test_jus_06_median_days_from_request_to_solution_in_detention(
    cpip, siao_operator, territory, reserved_room
):
    for asked in (10, 20, 40):
        req = detained_request(cpip, asked_days_ago=asked)
        start, end = Orientation.default_window(req.detention)
        Orientation.reserve(
            request=req, capacity=reserved_room, by=siao_operator, starts_on=start, ends_on=end
        )
    this = month(justice_months(territory, until=TODAY), FIRST)
    assert (this.solutions, this.median_days) == (3, 20)


def test_jus_12_use_of_reserved_and_flying_places_per_month(
    cpip, siao_operator, territory, reserved_room, structure_manager
):
    flying = PlaceCapacity.objects.create(
        structure=reserved_room.structure,
        place_type=PlaceType.EMERGENCY,
        places=2,
        reservation=PlaceReservation.FLYING,
    )
    # Both opened last month; one reserved place held since last month.
    CapacityChange.objects.filter(capacity__in=[reserved_room, flying]).update(
        occurred_at=noon(LAST_MONTH), recorded_at=noon(LAST_MONTH)
    )
    req = detained_request(cpip, asked_days_ago=40)
    orientation = Orientation.attribute(request=req, capacity=reserved_room, by=siao_operator)
    OrientationEvent.objects.filter(orientation=orientation).update(
        occurred_at=noon(LAST_MONTH + dt.timedelta(days=1)),
        recorded_at=noon(LAST_MONTH + dt.timedelta(days=1)),
    )
    lines = justice_months(territory, until=TODAY)
    last = month(lines, LAST_MONTH)
    assert (last.reserved.held, last.reserved.places) == (1, 3)
    assert (last.flying.held, last.flying.places) == (0, 2)
    before = month(lines, add_month(LAST_MONTH, -1))
    assert before.reserved.places == 0
    # The month's end instant: the day after its last day, at midnight in Paris.
    assert last.at == day_end(FIRST - dt.timedelta(days=1))


def add_month(day: dt.date, months: int) -> dt.date:
    from relais.justice.dates import add_months

    return add_months(day, months)


@pytest.mark.parametrize("fixture", ["siao_operator", "state_service_user"])
def test_jus_06_the_dashboard_shows_the_justice_indicators(client, request, cpip, fixture):
    dry(cpip, TODAY)
    client.force_login(request.getfixturevalue(fixture))
    html = client.get(reverse("indicators:dashboard"), {"arrete": "daily"}).content.decode()
    assert "Indicateurs justice" in html
    assert "LSC refusées faute d" in html
    assert "Places volantes : occupées / places" in html
    # The AVDL Justice caseload keeps its place, with no figure yet.
    assert "Mesures AVDL Justice en cours" in html


def test_jus_11_avdl_caseload_per_month_as_it_was_known(siao_operator, territory):
    from relais.avdl.models import HousingSupportMeasure
    from tests.avdl.cases import make_measure, make_worker

    started = TODAY - dt.timedelta(days=40)
    known = make_measure(
        make_worker(siao_operator.organisation), siao_operator=siao_operator, starts_days_ago=40
    )
    HousingSupportMeasure.objects.filter(pk=known.pk).update(created_at=noon(started))
    # Entered today, dated back: it runs this month, not in last month as it was known.
    make_measure(
        make_worker(siao_operator.organisation), siao_operator=siao_operator, starts_days_ago=40
    )
    lines = justice_months(territory, until=TODAY)
    last, this = month(lines, LAST_MONTH), month(lines, FIRST)
    assert (last.avdl_measures, last.avdl_workers) == (1, 1)
    assert (this.avdl_measures, this.avdl_workers) == (2, 2)
