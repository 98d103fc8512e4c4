"""JUS-06, the Dordogne practice: a place held for a date window around a release date.

The SIAO reserves; the structure pre-admits (accept / refuse, as an attribution); the places
count as held from the window's start only; a moved release date flags the reservation; the
SIAO confirms a new window or releases the place; a window that passes with no arrival
releases the place and puts the request back in the queue (release_expired_windows).
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.core.transitions import TransitionNotAllowed
from relais.justice.enums import EndDateReason
from relais.orientations.enums import OrientationEventKind, OrientationState, RefusalReason
from relais.orientations.models import NoVacancy, Orientation
from relais.places.models import PlaceCapacity
from relais.requests.enums import EventKind, RequestStatus
from tests.factories import (
    StructureFactory,
    make_detention,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db

State = OrientationState
TODAY = timezone.localdate


def detained_request(cpip, *, due_in: int = 60):
    """An evaluated request for a person in detention whose earliest release is in `due_in`
    days (a long sentence: no LSC date comes earlier than the end date)."""
    detention = make_detention(
        cpip=cpip, end_date=TODAY() + dt.timedelta(days=due_in), sentence=(8, 0, 0)
    )
    req = make_request(detention.person, referrer=cpip, detention=detention)
    make_evaluation(req)
    req.evaluate(by=cpip)
    return req


def window_around(req) -> tuple[dt.date, dt.date]:
    return Orientation.default_window(req.detention)


def vacant_today(capacity) -> int:
    return PlaceCapacity.objects.with_vacancies().get(pk=capacity.pk).vacant


@pytest.fixture
def room(structure_manager):
    """A single insertion place."""
    return StructureFactory(manager=structure_manager.organisation, places=1).capacities.get()


def test_jus_06_default_window_is_a_week_before_to_two_weeks_after_the_release(cpip):
    req = detained_request(cpip, due_in=60)
    due = req.detention.due_on
    assert due == TODAY() + dt.timedelta(days=60)
    assert window_around(req) == (due - dt.timedelta(days=7), due + dt.timedelta(days=14))
    # Never starting in the past.
    soon = detained_request(cpip, due_in=3)
    assert window_around(soon)[0] == TODAY()


def test_jus_06_a_reservation_counts_only_from_its_window_start(cpip, siao_operator, room):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    reservation = Orientation.reserve(
        request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end
    )
    assert reservation.state == State.PROPOSED
    assert (reservation.window_starts_on, reservation.window_ends_on) == (start, end)
    req.refresh_from_db()
    assert req.status == RequestStatus.ORIENTED
    # Before the window the place stays usable: the one vacancy count says so, today…
    assert vacant_today(room) == 1
    assert room.vacant_places() == 1
    assert room.vacant_places(on=start - dt.timedelta(days=1)) == 1
    # …and from the window's first day it is held.
    assert room.vacant_places(on=start) == 0
    assert PlaceCapacity.objects.with_vacancies(on=start).get(pk=room.pk).vacant == 0
    # An attribution before the window may use it.
    other = make_request(referrer=cpip)
    make_evaluation(other)
    other.evaluate(by=cpip)
    Orientation.attribute(request=other, capacity=room, by=siao_operator)
    assert vacant_today(room) == 0


def test_jus_06_a_reservation_whose_window_started_holds_the_place(cpip, siao_operator, room):
    req = detained_request(cpip, due_in=3)
    start, end = window_around(req)
    assert start == TODAY()
    Orientation.reserve(request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end)
    assert vacant_today(room) == 0
    other = make_request(referrer=cpip)
    make_evaluation(other)
    other.evaluate(by=cpip)
    with pytest.raises(NoVacancy, match="n'a plus aucune place libre"):
        Orientation.attribute(request=other, capacity=room, by=siao_operator)


def test_jus_06_reservations_never_overbook_a_capacity(cpip, siao_operator, room):
    first = detained_request(cpip, due_in=90)
    Orientation.reserve(
        request=first,
        capacity=room,
        by=siao_operator,
        starts_on=window_around(first)[0],
        ends_on=window_around(first)[1],
    )
    # An earlier window is refused too: the person of the first window would find the place
    # taken by the second one's stay.
    second = detained_request(cpip, due_in=20)
    with pytest.raises(NoVacancy, match="déjà réservées pour une autre période"):
        Orientation.reserve(
            request=second,
            capacity=room,
            by=siao_operator,
            starts_on=window_around(second)[0],
            ends_on=window_around(second)[1],
        )
    assert not second.orientations.exists()


def test_jus_06_a_reservation_needs_a_detention_and_a_window_to_come(
    cpip, siao_operator, social_worker, room
):
    plain = make_request(referrer=social_worker)
    make_evaluation(plain)
    plain.evaluate(by=social_worker)
    with pytest.raises(TransitionNotAllowed, match="liez d'abord la demande à sa détention"):
        Orientation.reserve(
            request=plain,
            capacity=room,
            by=siao_operator,
            starts_on=TODAY(),
            ends_on=TODAY() + dt.timedelta(days=10),
        )
    req = detained_request(cpip)
    with pytest.raises(TransitionNotAllowed, match="précède son début"):
        Orientation.reserve(
            request=req,
            capacity=room,
            by=siao_operator,
            starts_on=TODAY() + dt.timedelta(days=10),
            ends_on=TODAY(),
        )
    with pytest.raises(TransitionNotAllowed, match="déjà passée"):
        Orientation.reserve(
            request=req,
            capacity=room,
            by=siao_operator,
            starts_on=TODAY() - dt.timedelta(days=10),
            ends_on=TODAY() - dt.timedelta(days=1),
        )


def test_jus_06_the_structure_pre_admits_or_refuses_like_an_attribution(
    cpip, siao_operator, structure_manager, structure
):
    capacity = structure.capacities.get()
    accepted, refused = detained_request(cpip), detained_request(cpip)
    for req in (accepted, refused):
        start, end = window_around(req)
        Orientation.reserve(
            request=req, capacity=capacity, by=siao_operator, starts_on=start, ends_on=end
        )
    accepted.orientations.get().admit(by=structure_manager)
    refused.orientations.get().refuse(by=structure_manager, reason=RefusalReason.COLLECTIVE_LIFE)
    accepted.refresh_from_db()
    refused.refresh_from_db()
    assert accepted.status == RequestStatus.ADMITTED
    assert accepted.orientations.get().state == State.ADMITTED
    assert refused.status == RequestStatus.EVALUATED
    assert refused.orientations.get().state == State.REFUSED
    # A pre-admitted reservation waits for its window, not for the territory's delay.
    later = timezone.now() + dt.timedelta(days=40)
    assert (
        not Orientation.objects.overdue(timezone.localdate(later)).filter(request=accepted).exists()
    )


def test_jus_06_a_moved_release_date_flags_the_reservation(
    client, cpip, siao_operator, structure_manager, structure
):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    reservation = Orientation.reserve(
        request=req,
        capacity=structure.capacities.get(),
        by=siao_operator,
        starts_on=start,
        ends_on=end,
    )
    assert reservation.release_outside_window() is None
    req.detention.move_end_date(
        TODAY() + dt.timedelta(days=120), reason=EndDateReason.NEW_SENTENCE, by=cpip
    )
    reservation = Orientation.objects.get(pk=reservation.pk)
    moved = TODAY() + dt.timedelta(days=120)
    assert reservation.release_outside_window() == moved

    client.force_login(siao_operator)
    page = client.get(reverse("orientations:detail", args=[reservation.pk])).content.decode()
    assert "Date de sortie hors période" in page
    assert f"sortie prévue le {moved:%d/%m/%Y}" in page
    # The change of window is offered around the new date.
    assert f'value="{moved - dt.timedelta(days=7):%Y-%m-%d}"' in page
    page = client.get(reverse("requests:detail", args=[req.pk])).content.decode()
    assert "Date de sortie hors période" in page
    # The structure sees the flag, not the date (judicial data).
    client.force_login(structure_manager)
    page = client.get(reverse("orientations:detail", args=[reservation.pk])).content.decode()
    assert "Date de sortie hors période" in page
    assert f"{moved:%d/%m/%Y}" not in page


def test_jus_06_the_siao_confirms_a_new_window(
    client, cpip, siao_operator, structure_manager, room
):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    reservation = Orientation.reserve(
        request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end
    )
    reservation.admit(by=structure_manager)
    req.detention.move_end_date(
        TODAY() + dt.timedelta(days=30), reason=EndDateReason.REDUCTION, by=cpip
    )
    new_start, new_end = Orientation.default_window(req.detention)
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:change_window", args=[reservation.pk]),
        {"starts_on": new_start.isoformat(), "ends_on": new_end.isoformat()},
    )
    assert response.status_code == 302
    reservation = Orientation.objects.get(pk=reservation.pk)
    assert (reservation.window_starts_on, reservation.window_ends_on) == (new_start, new_end)
    assert reservation.state == State.ADMITTED  # still pre-admitted
    assert reservation.release_outside_window() is None
    event = reservation.events.get(kind=OrientationEventKind.WINDOW_CHANGED)
    assert event.from_state == event.to_state == State.ADMITTED
    assert f"du {new_start:%d/%m/%Y} au {new_end:%d/%m/%Y}" in event.note
    # The structure may not change it.
    client.force_login(structure_manager)
    response = client.post(
        reverse("orientations:change_window", args=[reservation.pk]),
        {"starts_on": start.isoformat(), "ends_on": end.isoformat()},
    )
    assert response.status_code == 403


def test_jus_06_a_new_window_is_checked_again_against_the_places(cpip, siao_operator, room):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    reservation = Orientation.reserve(
        request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end
    )
    # The place was used before the window (allowed), and is still taken.
    other = make_request(referrer=cpip)
    make_evaluation(other)
    other.evaluate(by=cpip)
    Orientation.attribute(request=other, capacity=room, by=siao_operator)
    with pytest.raises(NoVacancy):
        reservation.change_window(
            by=siao_operator, starts_on=start + dt.timedelta(days=5), ends_on=end
        )
    reservation.refresh_from_db()
    assert reservation.window_starts_on == start


def test_jus_06_a_bad_window_is_refused_next_to_the_field_and_kept(
    client, cpip, siao_operator, room
):
    req = detained_request(cpip, due_in=60)
    client.force_login(siao_operator)
    url = reverse("orientations:reserve", args=[req.pk])
    page = client.get(url, {"capacity": room.pk})
    start, end = window_around(req)
    assert page.status_code == 200
    assert f'value="{start:%Y-%m-%d}"' in page.content.decode()
    response = client.post(
        url,
        {
            "capacity": room.pk,
            "starts_on": end.isoformat(),
            "ends_on": start.isoformat(),
            "note": "Sortie le matin",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "La fin de la période précède son début." in html and "Sortie le matin" in html
    assert not req.orientations.exists()
    response = client.post(
        url, {"capacity": room.pk, "starts_on": start.isoformat(), "ends_on": end.isoformat()}
    )
    orientation = req.orientations.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("orientations:detail", args=[orientation.pk])
    assert orientation.events.get().kind == OrientationEventKind.RESERVED


def test_jus_06_an_expired_window_releases_the_place_and_requeues_the_request(
    cpip, siao_operator, structure_manager, structure
):
    capacity = structure.capacities.get()
    waiting, arrived = detained_request(cpip, due_in=10), detained_request(cpip, due_in=10)
    for req in (waiting, arrived):
        start, end = window_around(req)
        Orientation.reserve(
            request=req, capacity=capacity, by=siao_operator, starts_on=start, ends_on=end
        )
        req.orientations.get().admit(by=structure_manager)
    arrived.orientations.get().start_stay(by=structure_manager)
    end = waiting.orientations.get().window_ends_on

    out = io.StringIO()
    call_command("release_expired_windows", today=end.isoformat(), stdout=out)
    assert waiting.orientations.get().state == State.ADMITTED  # the last day still counts
    call_command(
        "release_expired_windows", today=(end + dt.timedelta(days=1)).isoformat(), stdout=out
    )
    call_command(
        "release_expired_windows", today=(end + dt.timedelta(days=2)).isoformat(), stdout=out
    )

    released = waiting.orientations.get()
    assert released.state == State.CANCELLED
    assert "Période de réservation passée sans arrivée" in released.cancel_reason
    assert released.events.filter(kind=OrientationEventKind.CANCELLED).count() == 1
    waiting.refresh_from_db()
    assert waiting.status == RequestStatus.EVALUATED  # back in the queue to orient
    assert waiting.events.filter(kind=EventKind.ORIENTATION_CANCELLED).count() == 1
    assert arrived.orientations.get().state == State.IN_STAY
    assert "1 réservation libérée" in out.getvalue()
    assert "0 réservation libérée" in out.getvalue().splitlines()[-1]


def test_jus_06_the_expiry_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("release_expired_windows", today="demain")


# -- under concurrency (SEC-05), on SQLite as on PostgreSQL ------------------------------------

ATTEMPTS = 8


@pytest.mark.django_db(transaction=True)
def test_jus_06_parallel_reservations_of_the_last_place_never_exceed_the_capacity(
    cpip, siao_operator, room
):
    from tests.orientations.test_concurrency import _post_at_once

    requests = [detained_request(cpip, due_in=30 + 5 * i) for i in range(ATTEMPTS)]
    results = _post_at_once(
        siao_operator,
        [
            (
                reverse("orientations:reserve", args=[req.pk]),
                {
                    "capacity": room.pk,
                    "starts_on": window_around(req)[0].isoformat(),
                    "ends_on": window_around(req)[1].isoformat(),
                },
            )
            for req in requests
        ],
    )

    assert sorted(status for status, _, _ in results) == [302] + [400] * (ATTEMPTS - 1)
    reserved = Orientation.objects.filter(capacity=room).reservations()
    assert reserved.count() == 1
    assert room.vacant_places(on=dt.date.max) == 0


@pytest.mark.django_db(transaction=True)
def test_jus_06_a_reservation_and_attributions_queue_on_the_same_lock(
    cpip, siao_operator, social_worker, room
):
    """A window starting today counts today: the reservation and the attributions compete for
    the one place through the capacity lock every attribution takes."""
    from tests.orientations.test_concurrency import _post_at_once

    detained = [detained_request(cpip, due_in=3) for _ in range(ATTEMPTS // 2)]
    plain = []
    for _ in range(ATTEMPTS // 2):
        req = make_request(referrer=social_worker)
        make_evaluation(req)
        req.evaluate(by=social_worker)
        plain.append(req)
    posts = [
        (
            reverse("orientations:reserve", args=[req.pk]),
            {
                "capacity": room.pk,
                "starts_on": TODAY().isoformat(),
                "ends_on": (TODAY() + dt.timedelta(days=10)).isoformat(),
            },
        )
        for req in detained
    ] + [
        (
            reverse("orientations:attribute", kwargs={"request_pk": req.pk}),
            {"capacity": room.pk, "mode": "attribute"},
        )
        for req in plain
    ]
    results = _post_at_once(siao_operator, posts)

    assert sorted(status for status, _, _ in results) == [302] + [400] * (ATTEMPTS - 1)
    assert Orientation.objects.filter(capacity=room).holding_places().count() == 1
    assert vacant_today(room) == 0


# -- the pages: French, audited (the guard walks reach them only without a place chosen) ------


def test_jus_06_reservation_pages_read_as_french_and_log_their_reads(
    client, cpip, siao_operator, structure_manager, room
):
    from relais.audit.enums import Action
    from relais.audit.models import AuditEvent
    from tests.developer_text import developer_text, unstyled_inputs, visible_text

    req = detained_request(cpip, due_in=60)
    other = detained_request(cpip, due_in=60)
    start, end = window_around(other)
    reservation = Orientation.reserve(
        request=other, capacity=room, by=siao_operator, starts_on=start, ends_on=end
    )
    other.detention.move_end_date(
        TODAY() + dt.timedelta(days=200), reason=EndDateReason.TRANSFER, by=cpip
    )
    pages = [
        (siao_operator, reverse("orientations:reserve", args=[req.pk]) + f"?capacity={room.pk}"),
        (siao_operator, reverse("orientations:detail", args=[reservation.pk])),
        (siao_operator, reverse("requests:detail", args=[other.pk])),
        (structure_manager, reverse("orientations:detail", args=[reservation.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        assert response.status_code == 200, url
        assert not developer_text(visible_text(response.text)), (
            url,
            developer_text(visible_text(response.text)),
        )
        assert not unstyled_inputs(response.text), url
        assert AuditEvent.objects.filter(pk__gt=before, action=Action.READ, user=user).exists(), url
    # A refused window shows again, in French, on the orientation page.
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:change_window", args=[reservation.pk]),
        {"starts_on": "31/02/2027", "ends_on": "", "note": "Transfert à Ensisheim"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez une date valide." in html and "Indiquez la fin de la période." in html
    assert "Transfert à Ensisheim" in html
    assert not developer_text(visible_text(response.text))


def test_jus_06_the_suggestions_offer_a_reservation_for_a_request_in_detention_only(
    client, cpip, siao_operator, social_worker, room
):
    detained = detained_request(cpip)
    plain = make_request(referrer=social_worker)
    make_evaluation(plain)
    plain.evaluate(by=social_worker)
    client.force_login(siao_operator)
    link = reverse("orientations:reserve", args=[detained.pk]) + f"?capacity={room.pk}"
    html = client.get(reverse("orientations:suggestions", args=[detained.pk])).content.decode()
    assert f'href="{link}"' in html and "Réserver sur une période" in html
    html = client.get(reverse("orientations:suggestions", args=[plain.pk])).content.decode()
    assert "Réserver sur une période" not in html


def test_jus_06_a_capacity_cannot_drop_below_its_places_reserved_for_later(
    client, cpip, siao_operator, structure_manager
):
    import html

    from tests.places.test_views import _structure_post

    structure = StructureFactory(manager=structure_manager.organisation, places=2)
    capacity = structure.capacities.get()
    for _ in range(2):
        req = detained_request(cpip, due_in=90)
        start, end = window_around(req)
        Orientation.reserve(
            request=req, capacity=capacity, by=siao_operator, starts_on=start, ends_on=end
        )
    assert capacity.vacant_places() == 2  # free today…
    client.force_login(siao_operator)
    data = _structure_post(
        siao_operator,
        **{
            "name": structure.name,
            "structure_type": structure.structure_type,
            "manager": structure.manager_id,
            "capacities-INITIAL_FORMS": "1",
            "capacities-0-id": str(capacity.pk),
            "capacities-0-place_type": capacity.place_type,
            "capacities-0-places": "1",
        },
    )
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    # …but promised for the window: the capacity cannot go below.
    assert "2 places sont occupées, attribuées, réservées" in html.unescape(
        response.content.decode()
    )
    capacity.refresh_from_db()
    assert capacity.places == 2


def test_jus_06_the_orientation_list_shows_the_window(
    client, cpip, siao_operator, structure_manager, room
):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    Orientation.reserve(request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end)
    for user in (siao_operator, structure_manager):
        client.force_login(user)
        html = client.get(reverse("orientations:list")).content.decode()
        assert f"Place réservée du {start:%d/%m/%Y} au {end:%d/%m/%Y}" in html


def test_jus_06_a_person_who_arrives_before_the_window_holds_the_place_at_once(
    cpip, siao_operator, structure_manager, room
):
    req = detained_request(cpip, due_in=60)
    start, end = window_around(req)
    reservation = Orientation.reserve(
        request=req, capacity=room, by=siao_operator, starts_on=start, ends_on=end
    )
    reservation.admit(by=structure_manager)
    assert vacant_today(room) == 1
    reservation.start_stay(by=structure_manager)  # released early: the stay starts now
    assert vacant_today(room) == 0
    assert not Orientation.objects.windows_passed(end + dt.timedelta(days=1)).exists()
