"""JUS-11: AVDL Justice measures — 2 months from entry into housing, renewable with a reason,
at most 20 active per worker (held by the database too)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from relais.avdl.caseload import caseload_on
from relais.avdl.enums import CloseReason, MeasureEventKind, MeasureState
from relais.avdl.models import HousingSupportMeasure, Worker
from relais.core.transitions import StateWriteRefused, TransitionNotAllowed
from relais.justice.dates import add_months
from tests.factories import UserFactory

from .cases import make_measure, make_worker, released, stay_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(siao):
    return make_worker(siao, first_name="Noémie", last_name="Kientz")


def _today():
    return timezone.localdate()


def test_jus_11_a_measure_starts_on_arrival_in_a_stay_and_runs_two_months(
    worker, siao_operator, territory
):
    detention = released(territory)
    orientation = stay_for(detention, siao_operator=siao_operator, arrived_days_ago=3)
    measure = HousingSupportMeasure.assign(
        worker=worker, detention=detention, orientation=orientation, by=siao_operator
    )
    arrival = timezone.localdate(orientation.stay_started_at)
    assert measure.starts_on == arrival
    assert measure.ends_on == add_months(arrival, 2)
    assert measure.state == MeasureState.ACTIVE
    assert measure.slot == 1
    assert measure.person_id == detention.person_id
    assert list(measure.events.values_list("kind", flat=True)) == [MeasureEventKind.ASSIGNED]


def test_jus_11_housing_outside_relais_starts_on_the_typed_date(worker, siao_operator):
    measure = make_measure(worker, siao_operator=siao_operator, starts_days_ago=10)
    assert measure.starts_on == _today() - dt.timedelta(days=10)
    assert measure.ends_on == add_months(measure.starts_on, 2)
    assert measure.housing_label() == "Logement social, Mulhouse"


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [(-1, "ne peut pas être dans le futur"), (70, "seraient déjà écoulés")],
)
def test_jus_11_the_start_is_an_entry_into_housing_that_happened(
    worker, siao_operator, days_ago, message
):
    with pytest.raises(TransitionNotAllowed, match=message):
        make_measure(worker, siao_operator=siao_operator, starts_days_ago=days_ago)


def test_jus_11_the_stay_must_be_the_persons_own(worker, siao_operator, territory):
    other_stay = stay_for(released(territory), siao_operator=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="autre personne"):
        HousingSupportMeasure.assign(
            worker=worker,
            detention=released(territory),
            orientation=other_stay,
            by=siao_operator,
        )


def test_jus_11_only_the_siao_assigns(worker, cpip, territory):
    with pytest.raises(TransitionNotAllowed, match="Seul le SIAO"):
        make_measure(worker, siao_operator=cpip)
    assert not HousingSupportMeasure.objects.exists()


def test_jus_11_the_worker_is_attached_to_the_siao(ccas):
    from django.core.exceptions import ValidationError

    outside = Worker(user=UserFactory(social_worker=True, organisation=ccas))
    with pytest.raises(ValidationError, match="rattaché au SIAO"):
        outside.full_clean()


def test_jus_11_a_renewal_adds_two_months_and_keeps_its_reason(worker, siao_operator):
    measure = make_measure(worker, siao_operator=siao_operator)
    first_end = measure.ends_on
    measure.renew(reason="Ouverture des droits en cours", by=worker.user)
    measure.renew(reason="Bail glissant à signer", by=siao_operator)
    measure.refresh_from_db()
    assert measure.ends_on == add_months(first_end, 4)
    assert measure.renewals == 2
    renewals = measure.events.filter(kind=MeasureEventKind.RENEWED)
    assert [e.note for e in renewals] == ["Ouverture des droits en cours", "Bail glissant à signer"]
    assert renewals.last().new_end == measure.ends_on


def test_jus_11_a_renewal_needs_a_reason_and_a_right(worker, siao_operator, cpip):
    measure = make_measure(worker, siao_operator=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="motif"):
        measure.renew(reason="  ", by=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="Seuls le SIAO et le travailleur"):
        measure.renew(reason="Prolonger", by=cpip)
    measure.refresh_from_db()
    assert measure.renewals == 0


def test_jus_11_closing_early_records_the_reason_and_frees_the_slot(worker, siao_operator):
    measure = make_measure(worker, siao_operator=siao_operator)
    measure.close(on=_today(), reason=CloseReason.OBJECTIVES_MET, by=worker.user)
    measure.refresh_from_db()
    assert measure.state == MeasureState.CLOSED
    assert measure.slot is None
    assert measure.ended_on == _today()
    assert measure.events.last().reason_label() == CloseReason.OBJECTIVES_MET.label
    assert HousingSupportMeasure.free_slot(worker) == 1


def test_jus_11_the_state_changes_only_through_a_transition(worker, siao_operator):
    measure = make_measure(worker, siao_operator=siao_operator)
    with pytest.raises(StateWriteRefused):
        HousingSupportMeasure.objects.filter(pk=measure.pk).update(state=MeasureState.CLOSED)


def _fill(worker, siao_operator, n: int = 20) -> list[HousingSupportMeasure]:
    return [make_measure(worker, siao_operator=siao_operator) for _ in range(n)]


def test_jus_11_a_worker_holds_at_most_twenty_active_measures(worker, siao_operator):
    measures = _fill(worker, siao_operator)
    assert sorted(m.slot for m in measures) == list(range(1, 21))
    with pytest.raises(TransitionNotAllowed, match="Ce travailleur suit déjà 20 mesures"):
        make_measure(worker, siao_operator=siao_operator)
    assert worker.active_count() == 20
    # Another worker still takes one; a measure that stops frees a place for the first.
    other = make_worker(worker.user.organisation)
    assert make_measure(other, siao_operator=siao_operator).slot == 1
    measures[4].close(on=_today(), reason=CloseReason.LEFT_HOUSING, by=siao_operator)
    assert make_measure(worker, siao_operator=siao_operator).slot == 5


def test_jus_11_the_database_refuses_a_21st_when_the_python_check_is_bypassed(
    worker, siao_operator, monkeypatch
):
    _fill(worker, siao_operator)
    # The free-slot check believes a place is free: the unique slot index refuses the insert,
    # and the operator is told in French.
    monkeypatch.setattr(HousingSupportMeasure, "free_slot", staticmethod(lambda worker: 20))
    with pytest.raises(TransitionNotAllowed, match="Ce travailleur suit déjà 20 mesures"):
        make_measure(worker, siao_operator=siao_operator)
    assert worker.active_count() == 20
    # A 21st slot does not exist either.
    monkeypatch.setattr(HousingSupportMeasure, "free_slot", staticmethod(lambda worker: 21))
    with pytest.raises(TransitionNotAllowed):
        make_measure(worker, siao_operator=siao_operator)
    assert worker.active_count() == 20


@pytest.mark.parametrize("slot", [0, 21, None])
def test_jus_11_the_slot_constraints_hold_in_the_database(worker, siao_operator, slot):
    measure = make_measure(worker, siao_operator=siao_operator)
    row = HousingSupportMeasure.objects.filter(pk=measure.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.update(slot=slot)


def test_jus_11_two_active_measures_cannot_share_a_slot(worker, siao_operator):
    first, second = _fill(worker, siao_operator, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        HousingSupportMeasure.objects.filter(pk=second.pk).update(slot=first.slot)


def test_jus_11_one_active_measure_per_person(worker, siao_operator, territory, siao):
    detention = released(territory)
    make_measure(worker, siao_operator=siao_operator, detention=detention)
    with pytest.raises(TransitionNotAllowed, match="déjà une mesure"):
        make_measure(make_worker(siao), siao_operator=siao_operator, detention=detention)


def test_jus_11_caseload_on_a_past_day_is_recomputed_from_the_dates(
    worker, siao_operator, territory, siao
):
    today = _today()
    early = make_measure(worker, siao_operator=siao_operator, starts_days_ago=30)
    make_measure(worker, siao_operator=siao_operator, starts_days_ago=10)
    early.close(on=today - dt.timedelta(days=5), reason=CloseReason.RELAY, by=siao_operator)
    idle = make_worker(siao)
    Worker.objects.filter(pk=idle.pk).update(designated_on=today - dt.timedelta(days=60))
    counts = lambda day: {c.worker.pk: c.active for c in caseload_on(day, territory)}  # noqa: E731
    assert counts(today - dt.timedelta(days=20)) == {worker.pk: 1, idle.pk: 0}
    assert counts(today - dt.timedelta(days=6)) == {worker.pk: 2, idle.pk: 0}
    assert counts(today) == {worker.pk: 1, idle.pk: 0}
    # Another territory's workers are not counted.
    assert all(c.worker.territory_id == territory.pk for c in caseload_on(today, territory))
