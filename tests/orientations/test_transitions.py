"""SIAO-09, SIAO-12..16: orientation transitions, vacancies derived from them, notices."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from relais.core.transitions import synthetic_load
from relais.notifications.models import Notification
from relais.orientations.enums import EndDestination, EndReason, OrientationState, RefusalReason
from relais.orientations.models import NoVacancy, Orientation
from relais.persons.enums import Relationship
from relais.persons.models import HouseholdMember
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity
from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import TransitionNotAllowed
from tests.factories import (
    PersonFactory,
    PlaceCapacityFactory,
    StructureFactory,
    make_request,
)

pytestmark = pytest.mark.django_db
State = OrientationState


def vacant(capacity) -> int:
    return PlaceCapacity.objects.with_vacancies().get(pk=capacity.pk).vacant


def test_siao_14_attribution_then_admission_drive_the_request_and_the_vacancies(
    evaluated_request, capacity, siao_operator, structure_manager
):
    assert vacant(capacity) == 20
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator, note="Commission du 3"
    )
    assert orientation.state == State.PROPOSED
    assert vacant(capacity) == 19
    evaluated_request.refresh_from_db()
    assert evaluated_request.status == RequestStatus.ORIENTED
    assert evaluated_request.host_structure == capacity.structure
    event = evaluated_request.events.get(kind=EventKind.ORIENTED)
    assert event.data == {"structure": capacity.structure_id, "orientation": orientation.pk}
    assert event.actor == siao_operator

    orientation.admit(by=structure_manager)
    evaluated_request.refresh_from_db()
    assert (orientation.state, evaluated_request.status) == (State.ADMITTED, "admitted")
    orientation.start_stay(by=structure_manager)
    assert orientation.state == State.IN_STAY
    assert vacant(capacity) == 19
    orientation.end_stay(
        by=structure_manager,
        at=timezone.now(),
        destination=EndDestination.SOCIAL_HOUSING,
        reason=EndReason.HOUSING_ACCESS,
    )
    evaluated_request.refresh_from_db()
    assert evaluated_request.status == RequestStatus.ENDED
    assert vacant(capacity) == 20
    assert list(orientation.events.values_list("to_state", flat=True)) == [
        State.PROPOSED,
        State.ADMITTED,
        State.IN_STAY,
        State.ENDED,
    ]
    assert list(evaluated_request.events.values_list("kind", flat=True))[-4:] == [
        EventKind.ORIENTED,
        EventKind.ADMITTED,
        EventKind.STAY_STARTED,
        EventKind.STAY_ENDED,
    ]


def test_siao_14_refusal_needs_a_listed_reason_and_frees_the_place(
    evaluated_request, capacity, siao_operator, structure_manager
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    with pytest.raises(TransitionNotAllowed, match="dans la liste"):
        orientation.refuse(by=structure_manager, reason="pas envie")
    with pytest.raises(TransitionNotAllowed, match="Précisez"):
        orientation.refuse(by=structure_manager, reason=RefusalReason.OTHER, comment=" ")
    orientation.refuse(
        by=structure_manager, reason=RefusalReason.HEALTH_NEEDS, comment="Soins quotidiens"
    )
    evaluated_request.refresh_from_db()
    assert orientation.state == State.REFUSED
    assert orientation.refusal_reason == RefusalReason.HEALTH_NEEDS
    assert evaluated_request.status == RequestStatus.EVALUATED
    assert evaluated_request.host_structure is None
    assert vacant(capacity) == 20
    refused = evaluated_request.events.get(kind=EventKind.ORIENTATION_REFUSED)
    assert "Soins quotidiens" in refused.note and refused.actor == structure_manager


def test_siao_14_transitions_check_their_source_state(
    evaluated_request, capacity, siao_operator, structure_manager
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    with pytest.raises(TransitionNotAllowed, match="« Attribuée"):
        orientation.start_stay(by=structure_manager)
    orientation.admit(by=structure_manager)
    with pytest.raises(TransitionNotAllowed, match="Admission acceptée"):
        orientation.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
    with pytest.raises(TransitionNotAllowed, match="déjà une orientation"):
        Orientation.attribute(request=evaluated_request, capacity=capacity, by=siao_operator)


def test_siao_13_urgence_orientation_cannot_be_refused_except_by_a_chrs(
    social_worker, siao_operator, structure_manager
):
    chu = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=10
    )
    chrs = StructureFactory(
        manager=structure_manager.organisation,
        structure_type=StructureType.EMERGENCY_OTHER,
        has_chrs_status=True,
        places=10,
    )
    first = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    second = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    to_chu = Orientation.attribute(request=first, capacity=chu.capacities.get(), by=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="seule une structure CHRS"):
        to_chu.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
    assert Notification.objects.filter(
        recipient=structure_manager, message__contains="ne peut pas la refuser"
    ).exists()
    to_chrs = Orientation.attribute(
        request=second, capacity=chrs.capacities.get(), by=siao_operator
    )
    to_chrs.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
    assert to_chrs.state == State.REFUSED


def test_siao_12_prepositioning_goes_beyond_vacancies_and_waits_for_the_place(
    social_worker, siao_operator, structure, small_capacity
):
    requests = [make_request(referrer=social_worker, channel=Channel.EMERGENCY) for _ in range(3)]
    Orientation.attribute(request=requests[0], capacity=small_capacity, by=siao_operator)
    first = Orientation.objects.get(request=requests[0])
    Orientation.attribute(request=requests[1], capacity=small_capacity, by=siao_operator)
    assert vacant(small_capacity) == 0
    with pytest.raises(NoVacancy, match="prépositionnez"):
        Orientation.attribute(request=requests[2], capacity=small_capacity, by=siao_operator)

    waiting = Orientation.preposition(
        request=requests[2], capacity=small_capacity, by=siao_operator
    )
    requests[2].refresh_from_db()
    assert (waiting.state, requests[2].status) == (State.WAITING, RequestStatus.WAITING)
    assert vacant(small_capacity) == 0
    with pytest.raises(NoVacancy):
        waiting.confirm_place(by=siao_operator)

    first.cancel(by=siao_operator, reason="La personne a trouvé une solution")
    waiting.confirm_place(by=siao_operator)
    requests[2].refresh_from_db()
    assert (waiting.state, requests[2].status) == (State.PROPOSED, RequestStatus.ORIENTED)
    assert vacant(small_capacity) == 0


def test_sec_05_serial_attributions_never_exceed_capacity(
    social_worker, siao_operator, small_capacity
):
    """SEC-05 one attribution after the other (in parallel: test_concurrency.py)."""
    outcomes = []
    for _ in range(5):
        req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
        try:
            Orientation.attribute(request=req, capacity=small_capacity, by=siao_operator)
            outcomes.append("ok")
        except NoVacancy:
            outcomes.append("full")
    assert outcomes == ["ok", "ok", "full", "full", "full"]
    assert vacant(small_capacity) == 0


def test_siao_11_household_takes_one_place_per_member_and_moves_together(
    social_worker, siao_operator, structure_manager, capacity
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    child = PersonFactory(birth_year=timezone.localdate().year - 6)
    HouseholdMember.objects.create(
        household=req.household, person=child, relationship=Relationship.CHILD
    )
    child_request = make_request(
        person=child, referrer=social_worker, channel=Channel.EMERGENCY, household=req.household
    )
    orientation = Orientation.attribute(request=req, capacity=capacity, by=siao_operator)
    assert orientation.places == 2
    assert vacant(capacity) == 18
    child_request.refresh_from_db()
    assert child_request.status == RequestStatus.ORIENTED
    orientation.admit(by=structure_manager)
    child_request.refresh_from_db()
    assert child_request.status == RequestStatus.ADMITTED


def test_siao_09_manager_declares_unavailable_and_free_places(
    capacity, structure_manager, siao_operator, evaluated_request
):
    capacity.declare_unavailable(by=structure_manager, count=3, note="Travaux")
    assert vacant(capacity) == 17
    capacity.declare_available(by=structure_manager, count=2)
    assert vacant(capacity) == 19
    assert list(capacity.events.values_list("delta", flat=True)) == [-2, 3]
    with pytest.raises(TransitionNotAllowed, match="Seulement 1"):
        capacity.declare_available(by=structure_manager, count=2)
    with pytest.raises(TransitionNotAllowed, match="Seulement 19"):
        capacity.declare_unavailable(by=structure_manager, count=20, note="")


def test_siao_15_referrer_and_115_are_told_of_the_decision(
    social_worker,
    siao_operator,
    structure_manager,
    emergency_line_user,
    django_capture_on_commit_callbacks,
):
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=5
    )
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = Orientation.attribute(
        request=req, capacity=shelter.capacities.get(), by=siao_operator
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        orientation.admit(by=structure_manager)
    notified = set(
        Notification.objects.filter(
            orientation=orientation, message__contains="acceptée"
        ).values_list("recipient__username", flat=True)
    )
    assert notified == {"alice", "eric", "sarah"}
    recipients = {address for message in mail.outbox for address in message.to}
    assert {social_worker.email, emergency_line_user.email} <= recipients
    assert all(req.person.birth_name not in message.body for message in mail.outbox)


def test_siao_16_structure_lists_hosted_people(
    evaluated_request, capacity, siao_operator, structure_manager
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    assert not Orientation.objects.hosted().exists()
    orientation.admit(by=structure_manager)
    orientation.start_stay(by=structure_manager)
    assert list(Orientation.objects.hosted()) == [orientation]


def test_siao_16_end_of_stay_needs_a_destination_and_a_consistent_date(
    evaluated_request, capacity, siao_operator, structure_manager
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    orientation.admit(by=structure_manager)
    orientation.start_stay(by=structure_manager)
    with pytest.raises(TransitionNotAllowed, match="destination"):
        orientation.end_stay(
            by=structure_manager, at=timezone.now(), destination="", reason=EndReason.VOLUNTARY
        )
    with pytest.raises(TransitionNotAllowed, match="précède"):
        orientation.end_stay(
            by=structure_manager,
            at=orientation.stay_started_at - dt.timedelta(days=1),
            destination=EndDestination.FAMILY,
            reason=EndReason.VOLUNTARY,
        )


def test_siao_14_database_ties_states_to_their_dates(evaluated_request, capacity, siao_operator):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    for state in [State.ADMITTED, State.REFUSED, State.ENDED, State.CANCELLED, State.WAITING]:
        with pytest.raises(IntegrityError), transaction.atomic(), synthetic_load():
            Orientation.objects.filter(pk=orientation.pk).update(state=state)
    other = PlaceCapacityFactory(structure=capacity.structure, place_type=PlaceType.INSERTION)
    with pytest.raises(IntegrityError), transaction.atomic(), synthetic_load():
        Orientation.objects.create(
            request=evaluated_request,
            structure=other.structure,
            capacity=other,
            state=State.PROPOSED,
            proposed_at=timezone.now(),
        )


def test_siao_01_closing_a_request_cancels_its_pending_orientation(
    evaluated_request, capacity, siao_operator
):
    orientation = Orientation.preposition(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    evaluated_request.close(by=siao_operator, reason="left_territory")
    orientation.refresh_from_db()
    assert orientation.state == State.CANCELLED
    assert evaluated_request.status == RequestStatus.CLOSED


def test_siao_15_a_refusal_comment_stays_in_relais_and_out_of_the_mail(
    evaluated_request,
    capacity,
    siao_operator,
    structure_manager,
    django_capture_on_commit_callbacks,
):
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        orientation.refuse(
            by=structure_manager, reason=RefusalReason.HEALTH_NEEDS, comment="Soins quotidiens"
        )
    assert mail.outbox
    assert all("Soins quotidiens" not in message.body for message in mail.outbox)
    assert Notification.objects.filter(message__contains="Soins quotidiens").exists()
