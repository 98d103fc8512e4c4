"""SIAO-01: one file per person, completed at every stage, whose whole history is kept."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from relais.core.transitions import synthetic_load
from relais.orientations.enums import EndDestination, EndReason
from relais.orientations.models import Orientation
from relais.places.enums import StructureType
from relais.requests.enums import Channel, CloseReason, EventKind, RequestStatus
from relais.requests.models import Request, TransitionNotAllowed
from tests.factories import StructureFactory, make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db


def test_siao_01_timeline_records_each_stage_in_order(
    social_worker, siao_operator, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req)
    structure = StructureFactory(manager=structure_manager.organisation)
    req.evaluate(by=social_worker)
    orientation = orient(req, by=siao_operator, structure=structure)
    orientation.admit(by=structure_manager)
    orientation.start_stay(by=structure_manager)
    orientation.end_stay(
        by=structure_manager,
        at=timezone.now(),
        destination=EndDestination.SOCIAL_HOUSING,
        reason=EndReason.HOUSING_ACCESS,
    )
    req.refresh_from_db()

    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.EVALUATED,
        EventKind.ORIENTED,
        EventKind.ADMITTED,
        EventKind.STAY_STARTED,
        EventKind.STAY_ENDED,
    ]
    assert req.status == RequestStatus.ENDED
    assert req.events.get(kind=EventKind.ORIENTED).actor == siao_operator


def test_siao_01_status_at_any_past_moment_is_recomputed_from_events(
    social_worker, siao_operator, structure_manager
):
    structure = StructureFactory(manager=structure_manager.organisation)
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    t0 = timezone.now()
    orientation = orient(req, by=siao_operator, structure=structure)
    t1 = timezone.now()
    admitted_at = t1 + dt.timedelta(seconds=1)
    orientation.admit(by=structure_manager, at=admitted_at)

    assert req.status_at(t0 - dt.timedelta(days=1)) is None
    assert req.status_at(t0) == RequestStatus.NEW
    assert req.status_at(t1) == RequestStatus.ORIENTED
    assert req.status_at(admitted_at) == RequestStatus.ADMITTED


def test_siao_01_late_entry_changes_the_past_only_from_its_recording(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=5
    )
    last_night = timezone.now() - dt.timedelta(hours=10)
    before_recording = timezone.now() - dt.timedelta(seconds=1)
    req = _direct_admission(structure, structure_manager, last_night)
    an_hour_later = last_night + dt.timedelta(hours=1)
    assert req.status_at(an_hour_later) == RequestStatus.ADMITTED
    # What a cut-off computed before the entry knew: nothing yet.
    assert req.status_at(an_hour_later, known_at=before_recording) is None


def test_siao_01_transition_from_wrong_state_is_refused_and_leaves_no_trace(
    social_worker, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    with pytest.raises(TransitionNotAllowed, match="« À évaluer »"):
        req._apply(EventKind.ADMITTED, by=structure_manager)
    req.refresh_from_db()
    assert req.status == RequestStatus.NEW
    assert req.events.count() == 1


def test_siao_01_incomplete_evaluation_cannot_be_validated(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req, complete=False)
    with pytest.raises(TransitionNotAllowed, match="argumentaire"):
        req.evaluate(by=social_worker)
    assert Request.objects.get(pk=req.pk).status == RequestStatus.NEW


def test_siao_01_database_ties_states_to_their_dates(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    with pytest.raises(IntegrityError), transaction.atomic(), synthetic_load():
        Request.objects.filter(pk=req.pk).update(status=RequestStatus.ENDED)


def test_siao_01_end_of_stay_before_admission_is_refused(
    social_worker, siao_operator, structure_manager
):
    structure = StructureFactory(manager=structure_manager.organisation)
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = orient(req, by=siao_operator, structure=structure)
    orientation.admit(by=structure_manager)
    orientation.start_stay(by=structure_manager)
    with pytest.raises(TransitionNotAllowed, match="précède"):
        orientation.end_stay(
            by=structure_manager,
            at=orientation.stay_started_at - dt.timedelta(days=1),
            destination=EndDestination.SOCIAL_HOUSING,
            reason=EndReason.HOUSING_ACCESS,
        )


def test_siao_01_closing_needs_a_reason_from_the_list(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    with pytest.raises(TransitionNotAllowed, match="motif"):
        req.close(by=social_worker, reason="  ")
    with pytest.raises(TransitionNotAllowed, match="Précisez"):
        req.close(by=social_worker, reason=CloseReason.OTHER, note=" ")
    req.close(by=social_worker, reason=CloseReason.SOLUTION_FOUND, note="Chez sa sœur")
    assert req.status == RequestStatus.CLOSED
    assert req.close_reason == CloseReason.SOLUTION_FOUND
    assert req.events.last().note == f"{CloseReason.SOLUTION_FOUND.label}. Chez sa sœur"


def _direct_admission(structure, manager, at) -> Request:
    req = make_request(channel=Channel.EMERGENCY, referrer=manager, occurred_at=at)
    Orientation.admit_directly(request=req, structure=structure, by=manager, at=at)
    req.refresh_from_db()
    return req


def test_siao_04_direct_admission_is_entered_afterwards_and_counts_as_such(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=5
    )
    admitted_at = timezone.now() - dt.timedelta(hours=6)
    req = _direct_admission(structure, structure_manager, admitted_at)
    assert req.status == RequestStatus.ADMITTED
    assert req.is_direct_admission
    assert req.channel == Channel.EMERGENCY
    assert req.host_structure == structure
    event = req.events.get(kind=EventKind.DIRECT_ADMISSION)
    assert event.occurred_at == admitted_at
    assert event.recorded_at > admitted_at
    assert event.data["orientation"] == req.orientations.get().pk


def test_siao_04_direct_admission_in_the_future_is_refused(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=5
    )
    req = make_request(channel=Channel.EMERGENCY, referrer=structure_manager)
    with pytest.raises(TransitionNotAllowed, match="après coup"):
        Orientation.admit_directly(
            request=req,
            structure=structure,
            by=structure_manager,
            at=timezone.now() + dt.timedelta(hours=1),
        )
    assert not Orientation.objects.exists()


def test_siao_01_request_placement_steps_are_not_offered_to_anyone(siao_operator, social_worker):
    """Orienting, admitting, ending a stay: only an orientation drives them."""
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    offered = {t.name for t in req.allowed_transitions(siao_operator)}
    assert offered == {EventKind.EVALUATED, EventKind.CLOSED}
    assert {t.name for t in req.allowed_transitions()} >= {EventKind.ORIENTED}
