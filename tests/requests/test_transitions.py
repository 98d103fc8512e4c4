"""SIAO-01: one file per person, completed at every stage, whose whole history is kept."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import Request, TransitionNotAllowed, record_direct_admission
from tests.factories import PersonFactory, StructureFactory, make_evaluation, make_request

pytestmark = pytest.mark.django_db


def test_siao_01_timeline_records_each_stage_in_order(
    social_worker, siao_operator, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req)
    structure = StructureFactory(manager=structure_manager.organisation)
    req.evaluate(by=social_worker)
    req.orient(by=siao_operator, structure=structure)
    req.admit(by=structure_manager)
    req.end_stay(by=structure_manager, at=timezone.now(), note="Accès au logement")

    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.EVALUATED,
        EventKind.ORIENTED,
        EventKind.ADMITTED,
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
    req.orient(by=siao_operator, structure=structure)
    t1 = timezone.now()
    admitted_at = t1 + dt.timedelta(seconds=1)
    req.admit(by=structure_manager, at=admitted_at)

    assert req.status_at(t0 - dt.timedelta(days=1)) is None
    assert req.status_at(t0) == RequestStatus.NEW
    assert req.status_at(t1) == RequestStatus.ORIENTED
    assert req.status_at(admitted_at) == RequestStatus.ADMITTED


def test_siao_01_late_entry_changes_the_past_only_from_its_recording(structure_manager):
    structure = StructureFactory(manager=structure_manager.organisation)
    last_night = timezone.now() - dt.timedelta(hours=10)
    before_recording = timezone.now() - dt.timedelta(seconds=1)
    req = record_direct_admission(
        person=PersonFactory(), structure=structure, admitted_at=last_night, by=structure_manager
    )
    an_hour_later = last_night + dt.timedelta(hours=1)
    assert req.status_at(an_hour_later) == RequestStatus.ADMITTED
    # What a cut-off computed before the entry knew: nothing yet.
    assert req.status_at(an_hour_later, known_at=before_recording) is None


def test_siao_01_transition_from_wrong_state_is_refused_and_leaves_no_trace(
    social_worker, structure_manager
):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    with pytest.raises(TransitionNotAllowed, match="« À évaluer »"):
        req.admit(by=structure_manager)
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
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=req.pk).update(status=RequestStatus.ENDED)


def test_siao_01_end_of_stay_before_admission_is_refused(
    social_worker, siao_operator, structure_manager
):
    structure = StructureFactory(manager=structure_manager.organisation)
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    req.orient(by=siao_operator, structure=structure)
    req.admit(by=structure_manager)
    with pytest.raises(TransitionNotAllowed, match="précède"):
        req.end_stay(by=structure_manager, at=req.admitted_at - dt.timedelta(days=1))


def test_siao_01_closing_needs_a_reason(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    with pytest.raises(TransitionNotAllowed, match="motif"):
        req.close(by=social_worker, reason="  ")
    req.close(by=social_worker, reason="Solution trouvée par la personne")
    assert req.status == RequestStatus.CLOSED
    assert req.events.last().note == "Solution trouvée par la personne"


def test_siao_04_direct_admission_is_entered_afterwards_and_counts_as_such(structure_manager):
    structure = StructureFactory(manager=structure_manager.organisation)
    admitted_at = timezone.now() - dt.timedelta(hours=6)
    req = record_direct_admission(
        person=PersonFactory(), structure=structure, admitted_at=admitted_at, by=structure_manager
    )
    assert req.status == RequestStatus.ADMITTED
    assert req.is_direct_admission
    assert req.channel == Channel.EMERGENCY
    assert req.host_structure == structure
    event = req.events.get(kind=EventKind.DIRECT_ADMISSION)
    assert event.occurred_at == admitted_at
    assert event.recorded_at > admitted_at


def test_siao_04_direct_admission_in_the_future_is_refused(structure_manager):
    structure = StructureFactory(manager=structure_manager.organisation)
    with pytest.raises(TransitionNotAllowed, match="après coup"):
        record_direct_admission(
            person=PersonFactory(),
            structure=structure,
            admitted_at=timezone.now() + dt.timedelta(hours=1),
            by=structure_manager,
        )
    assert not Request.objects.exists()
