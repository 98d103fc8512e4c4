"""SIAO-12: pre-positioned requests wait in a list served by seniority; a freed place is
signalled to the SIAO. SIAO-14: orientations left without a decision or an arrival beyond the
territory's delay are flagged and notified once."""

import datetime as dt
import html
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.api.models import ApiToken
from relais.notifications.models import Notification
from relais.orientations.enums import EndDestination, EndReason, OrientationState, RefusalReason
from relais.orientations.models import Orientation, OverdueNotice
from relais.places.enums import PlaceType
from relais.places.models import PlaceCapacity
from relais.requests.models import TransitionNotAllowed
from tests.factories import PlaceCapacityFactory, make_evaluation, make_request

pytestmark = pytest.mark.django_db
State = OrientationState


def evaluated(referrer, *, days_ago: int):
    req = make_request(
        referrer=referrer, requested_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    make_evaluation(req)
    req.evaluate(by=referrer)
    return req


@pytest.fixture
def full_room(structure):
    """One insertion place in the CHRS, taken by a stay."""
    return PlaceCapacityFactory(structure=structure, place_type=PlaceType.INSERTION, places=1)


@pytest.fixture
def stay(full_room, social_worker, siao_operator, structure_manager):
    month_ago = timezone.now() - dt.timedelta(days=30)
    orientation = Orientation.attribute(
        request=evaluated(social_worker, days_ago=60),
        capacity=full_room,
        by=siao_operator,
        at=month_ago,
    )
    orientation.admit(by=structure_manager, at=month_ago)
    orientation.start_stay(by=structure_manager, at=timezone.now() - dt.timedelta(days=20))
    return orientation


@pytest.fixture
def queue(stay, full_room, social_worker, siao_operator):
    """Two requests pre-positioned on the full room: the younger request first."""
    younger = Orientation.preposition(
        request=evaluated(social_worker, days_ago=3), capacity=full_room, by=siao_operator
    )
    older = Orientation.preposition(
        request=evaluated(social_worker, days_ago=12), capacity=full_room, by=siao_operator
    )
    return older, younger


def end(stay, by, **kw):
    stay.end_stay(
        by=by,
        at=kw.pop("at", timezone.now()),
        destination=EndDestination.SOCIAL_HOUSING,
        reason=EndReason.HOUSING_ACCESS,
    )


def test_siao_12_the_waiting_list_is_ordered_by_the_date_of_the_request(queue, full_room):
    older, younger = queue
    waiting = list(Orientation.objects.filter(capacity=full_room).waiting_list())
    assert waiting == [older, younger]
    assert Orientation.waiting_ranks([full_room.pk]) == {older.pk: 1, younger.pk: 2}


def test_siao_12_a_freed_place_goes_to_the_oldest_request_first(
    queue, stay, structure_manager, siao_operator
):
    older, younger = queue
    end(stay, structure_manager)
    assert not younger.can("confirmed", siao_operator)
    with pytest.raises(TransitionNotAllowed, match=f"demande n° {older.request_id}"):
        younger.confirm_place(by=siao_operator)
    younger.refresh_from_db()
    assert younger.state == State.WAITING
    older.confirm_place(by=siao_operator)
    assert older.state == State.PROPOSED


def test_siao_12_a_new_attribution_does_not_take_the_place_an_older_request_awaits(
    queue, stay, full_room, structure_manager, siao_operator, social_worker
):
    older, _ = queue
    end(stay, structure_manager)
    newcomer = evaluated(social_worker, days_ago=1)
    with pytest.raises(TransitionNotAllowed, match="plus ancienne"):
        Orientation.attribute(request=newcomer, capacity=full_room, by=siao_operator)
    # A request older than every waiting one is served first: seniority, not arrival order.
    senior = evaluated(social_worker, days_ago=30)
    assert Orientation.attribute(request=senior, capacity=full_room, by=siao_operator)


def test_siao_12_a_household_too_big_for_the_freed_place_does_not_keep_it_empty(
    stay, full_room, structure_manager, siao_operator, social_worker
):
    family = evaluated(social_worker, days_ago=40)
    from relais.persons.enums import Relationship
    from relais.persons.models import HouseholdMember
    from tests.factories import PersonFactory

    HouseholdMember.objects.create(
        household=family.household, person=PersonFactory(), relationship=Relationship.CHILD
    )
    big = Orientation.preposition(request=family, capacity=full_room, by=siao_operator)
    single = Orientation.preposition(
        request=evaluated(social_worker, days_ago=5), capacity=full_room, by=siao_operator
    )
    assert big.places == 2
    end(stay, structure_manager)
    single.confirm_place(by=siao_operator)
    assert single.state == State.PROPOSED


def _freed_notices(siao_operator):
    return Notification.objects.filter(
        recipient=siao_operator, message__contains="la plus ancienne"
    )


def test_siao_12_the_siao_is_told_when_a_place_frees_where_requests_wait(
    queue, stay, structure_manager, siao_operator
):
    older, _ = queue
    end(stay, structure_manager)
    notice = _freed_notices(siao_operator).get()
    assert "fin de séjour" in notice.message
    assert "2 demandes prépositionnées y attendent" in notice.message
    assert f"demande n° {older.request_id}" in notice.message
    assert notice.orientation == older
    assert notice.link == reverse("orientations:detail", args=[older.pk])


def test_siao_12_refusal_cancellation_and_capacity_changes_also_signal_a_freed_place(
    queue, stay, full_room, structure_manager, siao_operator, social_worker
):
    older, _ = queue
    full_room.places = 2  # the capacity raised: one more place
    full_room.save(change_by=siao_operator)
    assert "capacité augmentée" in _freed_notices(siao_operator).get().message
    older.confirm_place(by=siao_operator)
    older.refuse(by=structure_manager, reason=RefusalReason.COLLECTIVE_LIFE)
    assert _freed_notices(siao_operator).filter(message__contains="admission refusée").exists()
    _, younger = queue
    younger.confirm_place(by=siao_operator)
    third = Orientation.preposition(
        request=evaluated(social_worker, days_ago=1), capacity=full_room, by=siao_operator
    )
    younger.cancel(by=siao_operator, reason="La personne a trouvé une solution.")
    assert (
        _freed_notices(siao_operator).get(message__contains="orientation annulée").orientation
        == third
    )
    # Cancelling a waiting pre-positioning frees nothing.
    late = Orientation.preposition(
        request=evaluated(social_worker, days_ago=2),
        capacity=PlaceCapacityFactory(structure=full_room.structure, places=1),
        by=siao_operator,
    )
    count = _freed_notices(siao_operator).count()
    late.cancel(by=siao_operator, reason="Doublon.")
    assert _freed_notices(siao_operator).count() == count


def test_siao_12_places_given_back_by_the_manager_signal_a_freed_place(
    queue, stay, full_room, structure_manager, siao_operator
):
    full_room.places = 2
    full_room.save()
    Notification.objects.all().delete()
    full_room.declare_unavailable(by=structure_manager, count=1, note="Travaux")
    assert not _freed_notices(siao_operator).exists()
    full_room.declare_available(by=structure_manager, count=1)
    assert "places de nouveau disponibles" in _freed_notices(siao_operator).get().message


def test_siao_12_no_notice_when_nobody_waits(stay, structure_manager, siao_operator):
    end(stay, structure_manager)
    assert not _freed_notices(siao_operator).exists()


def test_siao_12_the_rank_is_shown_on_the_structure_and_the_siao_pages(
    client, queue, structure, siao_operator, structure_manager
):
    older, younger = queue
    client.force_login(siao_operator)
    page = html.unescape(client.get(reverse("places:structure", args=[structure.pk])).text)
    listing = page[page.index('id="liste-attente"') :]
    assert listing.index(str(older.request.person)) < listing.index(str(younger.request.person))
    page = html.unescape(client.get(reverse("orientations:list") + "?state=waiting").text)
    assert page.index(str(older.request.person)) < page.index(str(younger.request.person))
    assert "Rang 1 en liste d'attente" in page and "Rang 2 en liste d'attente" in page
    page = html.unescape(client.get(reverse("orientations:detail", args=[younger.pk])).text)
    assert "Rang 2 sur 2" in page
    client.force_login(structure_manager)
    page = html.unescape(client.get(reverse("places:structure", args=[structure.pk])).text)
    assert "Servies par ancienneté" in page


# -- SIAO-14: orientations left without a decision or an arrival ------------------------------


@pytest.fixture
def accepted_long_ago(evaluated_request, capacity, siao_operator, structure_manager):
    at = timezone.now() - dt.timedelta(days=40)
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator, at=at
    )
    orientation.admit(by=structure_manager, at=at + dt.timedelta(days=2))
    return orientation


def test_siao_14_an_admission_without_arrival_beyond_the_delay_is_flagged(
    client, accepted_long_ago, territory, siao_operator
):
    today = timezone.localdate()
    assert list(Orientation.objects.overdue(today)) == [accepted_long_ago]
    territory.decision_delay_days = 60
    territory.save()
    assert not Orientation.objects.overdue(today).exists()
    territory.decision_delay_days = 15
    territory.save()
    client.force_login(siao_operator)
    page = html.unescape(client.get(reverse("orientations:list")).text)
    assert "Sans suite au-delà du délai (1)" in page
    assert "Sans suite depuis le" in page
    page = html.unescape(client.get(reverse("orientations:list") + "?state=overdue").text)
    assert str(accepted_long_ago.request.person) in page
    page = html.unescape(
        client.get(reverse("orientations:detail", args=[accepted_long_ago.pk])).text
    )
    assert "Admission acceptée sans arrivée enregistrée depuis 38 jours" in page


def test_siao_14_the_daily_command_notifies_once(
    accepted_long_ago, siao_operator, structure_manager
):
    def run(day):
        out = StringIO()
        call_command("notify_overdue_orientations", "--today", day.isoformat(), stdout=out)
        return out.getvalue()

    def notices():
        return Notification.objects.filter(message__contains="sans arrivée enregistrée")

    today = timezone.localdate()
    assert "0 signalée(s)" in run(today - dt.timedelta(days=30))  # not yet late then
    assert "1 signalée(s)" in run(today)
    assert {n.recipient for n in notices()} == {siao_operator, structure_manager}
    assert "0 signalée(s), 1 déjà signalée(s)" in run(today)
    assert "0 signalée(s)" in run(today + dt.timedelta(days=1))
    assert notices().count() == 2
    assert OverdueNotice.objects.get().state == State.ADMITTED


def test_siao_14_the_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("notify_overdue_orientations", "--today", "31/02/2026")


def test_siao_14_the_delay_is_a_territory_setting_with_a_default(admin_client, territory):
    assert territory.decision_delay_days == 15
    page = admin_client.get(reverse("admin:accounts_territory_change", args=[territory.pk]))
    assert 'name="decision_delay_days"' in page.text
    assert 'value="15"' in page.text


def test_siao_12_vacancies_still_count_from_the_capacity(full_room, queue):
    assert PlaceCapacity.objects.with_vacancies().get(pk=full_room.pk).vacant == 0


def test_siao_14_the_siao_home_page_flags_overdue_orientations(
    client, accepted_long_ago, siao_operator
):
    client.force_login(siao_operator)
    page = html.unescape(client.get(reverse("home")).text)
    assert "1 orientation sans suite au-delà du délai du territoire" in page


def test_ops_02_the_siao_software_is_not_told_of_an_overdue_orientation(
    accepted_long_ago, siao_operator, structure_manager
):
    """A token issued as an SIAO operator and one as the structure's manager: their service
    accounts have the roles the daily command notifies, yet get nothing; the persons do."""
    accounts = [
        ApiToken.issue(
            name=f"Logiciel de {user.organisation}",
            organisation=user.organisation,
            role=user.role,
            expires_at=timezone.now() + dt.timedelta(days=30),
            scopes={},
            by=None,
        )[0].account
        for user in (siao_operator, structure_manager)
    ]
    call_command("notify_overdue_orientations", stdout=StringIO())
    notified = set(
        Notification.objects.filter(message__contains="sans arrivée enregistrée").values_list(
            "recipient", flat=True
        )
    )
    assert notified == {siao_operator.pk, structure_manager.pk}
    assert not notified & {account.pk for account in accounts}
