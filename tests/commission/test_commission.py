"""JUS-10: the monthly commission justice of a territory — its agenda, attendance, one decision
per case written on the person's file, actions carried over, printable minutes, and who sees it."""

import datetime as dt
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.commission.enums import AgendaReason, CommissionState, ServiceStatus
from relais.commission.models import Commission, Decision
from relais.core.transitions import TransitionNotAllowed
from relais.requests.enums import CloseReason
from tests.factories import OrganisationFactory, UserFactory, make_detention, make_request

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def detained_with_request(cpip, *, due_in: int, linked: bool = True):
    detention = make_detention(cpip=cpip, end_date=_days(due_in), sentence=(6, 0, 0))
    req = make_request(detention.person, referrer=cpip, detention=detention if linked else None)
    return detention, req


def released(cpip, *, days_ago: int):
    detention = make_detention(cpip=cpip)
    detention.release(on=_days(-days_ago), by=cpip)
    return detention


def plan(by, *, held_on=None, services=()) -> Commission:
    return Commission.plan(
        territory=by.organisation.territory,
        held_on=held_on or TODAY,
        place="SPIP de Mulhouse, salle 2",
        services=[by.organisation, *services],
        by=by,
    )


@pytest.fixture
def commission(siao_operator, cpip):
    return plan(siao_operator, services=[cpip.organisation])


# -- the agenda --------------------------------------------------------------------------------


def test_jus_10_agenda_holds_every_open_request_in_detention_near_or_far_and_the_releases_followed(
    commission, siao_operator, cpip, remote_worker
):
    near, near_request = detained_with_request(cpip, due_in=20)
    far, far_request = detained_with_request(cpip, due_in=900, linked=False)
    followed = released(cpip, days_ago=60)
    # Excluded: a closed request, no request at all, a release outside the window, another
    # territory's detainee.
    closed, closed_request = detained_with_request(cpip, due_in=40)
    closed_request.close(by=cpip, reason=CloseReason.NO_NEWS)
    make_detention(cpip=cpip, end_date=_days(30))
    released(cpip, days_ago=400)
    remote_cpip = UserFactory(
        cpip=True, organisation__territory=remote_worker.organisation.territory
    )
    detained_with_request(remote_cpip, due_in=10)

    assert commission.build_agenda(by=siao_operator) == 3
    items = list(commission.items.all())
    assert [(i.person_id, i.reason) for i in items if i.reason == AgendaReason.IN_DETENTION] == [
        (near.person_id, AgendaReason.IN_DETENTION),
        (far.person_id, AgendaReason.IN_DETENTION),
    ]
    by_person = {i.person_id: i for i in items}
    assert by_person[near.person_id].request_id == near_request.pk
    assert by_person[near.person_id].release_on == near.due_on
    assert by_person[near.person_id].days_left == (near.due_on - TODAY).days
    assert by_person[far.person_id].request_id == far_request.pk
    assert by_person[followed.person_id].reason == AgendaReason.FOLLOW_UP
    assert by_person[followed.person_id].release_on == _days(-60)
    assert closed.person_id not in by_person


def test_jus_10_building_again_adds_only_the_new_cases(commission, siao_operator, cpip):
    detained_with_request(cpip, due_in=50)
    assert commission.build_agenda(by=siao_operator) == 1
    assert commission.build_agenda(by=siao_operator) == 0
    detained_with_request(cpip, due_in=70)
    assert commission.build_agenda(by=siao_operator) == 1
    assert commission.items.count() == 2


def test_jus_10_the_page_shows_the_release_date_and_days_left_sorted_by_release(
    client, commission, siao_operator, cpip
):
    later, _ = detained_with_request(cpip, due_in=300)
    sooner, _ = detained_with_request(cpip, due_in=12)
    client.force_login(siao_operator)
    response = client.post(reverse("commission:build_agenda", args=[commission.pk]))
    assert response.status_code == 302
    html = client.get(reverse("commission:detail", args=[commission.pk])).content.decode()
    section = html[html.index('id="ordre-du-jour"') : html.index('id="suivi"')]
    assert section.index(sooner.person.birth_name.upper()) < section.index(
        later.person.birth_name.upper()
    )
    assert f"{sooner.due_on:%d/%m/%Y}" in section and "dans 12 jours" in section


# -- attendance and decisions ----------------------------------------------------------------


def test_jus_10_attendance_records_people_and_services(client, commission, siao_operator, cpip):
    client.force_login(siao_operator)
    response = client.post(
        reverse("commission:attendance", args=[commission.pk]),
        {
            "present": [siao_operator.pk, cpip.pk],
            f"service_{cpip.organisation_id}": ServiceStatus.REPRESENTED,
            f"service_{siao_operator.organisation_id}": ServiceStatus.EXCUSED,
        },
    )
    assert response.status_code == 302
    assert set(commission.present_users.all()) == {siao_operator, cpip}
    statuses = dict(commission.service_attendances.values_list("organisation_id", "status"))
    assert statuses == {
        cpip.organisation_id: ServiceStatus.REPRESENTED,
        siao_operator.organisation_id: ServiceStatus.EXCUSED,
    }


def test_jus_10_one_decision_per_case_is_written_on_the_persons_file(
    client, commission, siao_operator, cpip
):
    detention, _ = detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    item = commission.items.get()
    client.force_login(cpip)
    url = reverse("commission:decide", args=[item.pk])
    data = {"action": "Préparer le dossier CHRS", "owner_user": cpip.pk, "due_on": _days(20)}
    assert client.post(url, data).status_code == 302
    # Sent again, it rewrites the one decision.
    data["action"] = "Déposer le dossier CHRS"
    assert client.post(url, data).status_code == 302
    decision = Decision.objects.get()
    assert (decision.item, decision.action, decision.owner_user) == (
        item,
        "Déposer le dossier CHRS",
        cpip,
    )
    assert AuditEvent.objects.filter(
        action=Action.WRITE, person_id=detention.person_id, detail__event="commission_decision"
    ).exists()
    html = client.get(reverse("persons:file", args=[detention.person_id])).content.decode()
    section = html[html.index('id="commission-justice"') :]
    assert "Déposer le dossier CHRS" in section and f"{_days(20):%d/%m/%Y}" in section


def test_jus_10_a_decision_says_who_and_by_when(client, commission, siao_operator, cpip):
    detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    item = commission.items.get()
    client.force_login(siao_operator)
    url = reverse("commission:decide", args=[item.pk])
    response = client.post(url, {"action": "Appeler la structure", "due_on": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez la personne ou le service chargé de l&#x27;action." in html
    assert "Indiquez pour quand l&#x27;action est à faire." in html
    assert "Appeler la structure" in html
    response = client.post(
        url, {"action": "x" * 501, "owner_organisation": cpip.organisation_id, "due_on": _days(3)}
    )
    assert response.status_code == 400
    assert not Decision.objects.exists()


def test_jus_10_minutes_validated_freeze_the_decisions(commission, siao_operator, cpip):
    detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    item = commission.items.get()
    commission.decide(
        item, action="Orienter vers le CHRS", due_on=_days(10), owner_user=cpip, by=cpip
    )
    with pytest.raises(TransitionNotAllowed):
        commission.close(by=siao_operator)  # not held yet
    commission.hold(by=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="personnes présentes"):
        commission.close(by=siao_operator)
    commission.record_attendance(users=[siao_operator, cpip], services={}, by=siao_operator)
    commission.close(by=siao_operator)
    commission.refresh_from_db()
    assert commission.state == CommissionState.CLOSED and commission.closed_at
    with pytest.raises(TransitionNotAllowed):
        commission.decide(item, action="Autre chose", due_on=_days(10), owner_user=cpip, by=cpip)
    with pytest.raises(TransitionNotAllowed):
        commission.build_agenda(by=siao_operator)
    assert Decision.objects.get().action == "Orienter vers le CHRS"


def test_jus_10_a_commission_is_not_held_before_its_date(siao_operator):
    later = plan(siao_operator, held_on=_days(10))
    with pytest.raises(TransitionNotAllowed):
        later.hold(by=siao_operator)


# -- carried actions ----------------------------------------------------------------------------


def _held_with_decision(siao_operator, cpip, *, held_on, person_due_in=45):
    past = plan(siao_operator, held_on=held_on, services=[cpip.organisation])
    detained_with_request(cpip, due_in=person_due_in)
    past.build_agenda(by=siao_operator)
    item = past.items.order_by("-id").first()
    decision = past.decide(
        item, action="Demander une place en CHRS", due_on=TODAY, owner_user=cpip, by=cpip
    )
    past.hold(by=siao_operator)
    past.record_attendance(users=[cpip], services={}, by=siao_operator)
    past.close(by=siao_operator)
    return past, decision


def test_jus_10_open_actions_carry_over_to_the_next_commission_until_done(
    client, siao_operator, cpip
):
    past, decision = _held_with_decision(siao_operator, cpip, held_on=_days(-30))
    done_past, done_decision = _held_with_decision(siao_operator, cpip, held_on=_days(-60))
    done_decision.mark_done(on=_days(-45), by=cpip)  # done before the last commission
    upcoming = plan(siao_operator, held_on=_days(5), services=[cpip.organisation])
    assert list(upcoming.carried_actions()) == [decision]
    client.force_login(siao_operator)
    html = client.get(reverse("commission:detail", args=[upcoming.pk])).content.decode()
    section = html[html.index('id="actions-en-cours"') : html.index('id="ordre-du-jour"')]
    assert "Demander une place en CHRS" in section and "en cours" in section
    # Marked done from the next commission's page, with its date.
    response = client.post(
        reverse("commission:mark_done", args=[decision.pk]),
        {"done_on": TODAY.isoformat(), "commission": upcoming.pk},
    )
    assert response.status_code == 302 and response["Location"] == upcoming.get_absolute_url()
    decision.refresh_from_db()
    assert decision.done_on == TODAY and decision.done_by == siao_operator
    # Still listed on that commission (done since the previous one), not on the one after.
    assert list(upcoming.carried_actions()) == [decision]
    assert upcoming.done_by_then(decision)
    after = plan(siao_operator, held_on=_days(40), services=[cpip.organisation])
    assert list(after.carried_actions()) == []


def test_jus_10_an_action_is_not_done_before_it_was_decided_nor_in_the_future(
    client, siao_operator, cpip
):
    past, decision = _held_with_decision(siao_operator, cpip, held_on=_days(-30))
    client.force_login(cpip)
    url = reverse("commission:mark_done", args=[decision.pk])
    for day in (_days(-31), _days(1), "demain"):
        response = client.post(url, {"done_on": str(day)})
        assert response.status_code == 400
    decision.refresh_from_db()
    assert decision.done_on is None


# -- minutes -----------------------------------------------------------------------------------


def test_jus_10_the_printed_minutes_show_attendance_decisions_and_carried_actions(
    client, siao_operator, cpip
):
    past, carried = _held_with_decision(siao_operator, cpip, held_on=_days(-30))
    commission = plan(siao_operator, services=[cpip.organisation])
    detention, _ = detained_with_request(cpip, due_in=80)
    commission.build_agenda(by=siao_operator)
    item = commission.items.get(person=detention.person)
    commission.decide(
        item,
        action="Présenter la situation au CHRS Les Tilleuls",
        due_on=_days(15),
        owner_organisation=cpip.organisation,
        by=siao_operator,
    )
    commission.record_attendance(
        users=[siao_operator],
        services={cpip.organisation_id: ServiceStatus.EXCUSED},
        by=siao_operator,
    )
    client.force_login(siao_operator)
    response = client.get(reverse("commission:minutes", args=[commission.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Compte rendu provisoire" in html
    assert siao_operator.get_full_name() in html
    assert f"{cpip.organisation} : excusé" in html
    decisions = html[html.index('id="decisions"') : html.index('id="actions-reportees"')]
    assert detention.person.birth_name.upper() in decisions
    assert "Présenter la situation au CHRS Les Tilleuls" in decisions
    assert f"{_days(15):%d/%m/%Y}" in decisions
    carried_part = html[html.index('id="actions-reportees"') :]
    assert "Demander une place en CHRS" in carried_part
    assert "<form" not in html[html.index('id="compte-rendu"') :]
    assert 'class="relais-minutes"' in html


def test_jus_10_the_minutes_print_without_the_site_chrome():
    css = (Path(__file__).parents[2] / "static/relais/relais.css").read_text(encoding="utf-8")
    block = css[css.index("JUS-10") :]
    assert "@media print" in block and ".relais-minutes" in block


# -- scope ---------------------------------------------------------------------------------


def test_jus_10_only_the_participants_services_see_a_commission(
    client, commission, siao_operator, cpip, social_worker, structure_manager, remote_worker
):
    other_spip_cpip = UserFactory(
        cpip=True,
        organisation=OrganisationFactory(spip=True, territory=cpip.organisation.territory),
    )
    siao_worker = UserFactory(social_worker=True, organisation=siao_operator.organisation)
    remote_siao = UserFactory(
        siao_operator=True,
        organisation=OrganisationFactory(siao=True, territory=remote_worker.organisation.territory),
    )
    detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    seen = {
        user: Commission.objects.visible_to(user).filter(pk=commission.pk).exists()
        for user in (
            siao_operator,
            cpip,
            siao_worker,
            other_spip_cpip,
            social_worker,
            structure_manager,
            remote_siao,
        )
    }
    assert seen == {
        siao_operator: True,
        cpip: True,
        siao_worker: True,  # the SIAO is always invited (the AVDL is attached to it)
        other_spip_cpip: False,
        social_worker: False,
        structure_manager: False,
        remote_siao: False,
    }
    for outsider in (other_spip_cpip, social_worker, remote_siao):
        client.force_login(outsider)
        for name in ("commission:detail", "commission:minutes"):
            assert client.get(reverse(name, args=[commission.pk])).status_code == 404
    # A participant who may read but not run it (the SIAO's social worker) is refused actions.
    client.force_login(siao_worker)
    assert client.get(reverse("commission:detail", args=[commission.pk])).status_code == 200
    response = client.post(reverse("commission:build_agenda", args=[commission.pk]))
    assert response.status_code == 403


def test_jus_10_reading_a_commission_logs_a_read_of_each_person_on_it(
    client, commission, siao_operator, cpip
):
    detention, _ = detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    client.force_login(cpip)
    for name in ("commission:detail", "commission:minutes"):
        before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        assert client.get(reverse(name, args=[commission.pk])).status_code == 200
        assert AuditEvent.objects.filter(
            id__gt=before, action=Action.READ, person_id=detention.person_id, user=cpip
        ).exists()


def test_jus_10_decisions_on_the_persons_file_follow_the_commissions_scope(
    client, commission, siao_operator, cpip
):
    detention, req = detained_with_request(cpip, due_in=45)
    commission.build_agenda(by=siao_operator)
    commission.decide(
        commission.items.get(), action="Relancer le CHRS", due_on=_days(5), owner_user=cpip, by=cpip
    )
    other = UserFactory(cpip=True, organisation=cpip.organisation)
    assert Decision.objects.visible_to(other).exists()
    uninvited = UserFactory(
        siao_operator=False,
        cpip=True,
        organisation=OrganisationFactory(spip=True, territory=cpip.organisation.territory),
    )
    assert not Decision.objects.visible_to(uninvited).exists()


def test_jus_10_the_menu_offers_the_commission_to_the_siao_and_the_spip(
    client, siao_operator, cpip, social_worker
):
    for user, shown in ((siao_operator, True), (cpip, True), (social_worker, False)):
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert (reverse("commission:list") in html) is shown


def test_jus_10_planning_a_commission_invites_the_siao_and_the_spip(client, siao_operator, cpip):
    client.force_login(cpip)
    page = client.get(reverse("commission:create")).content.decode()
    assert "Prévoir la commission" in page
    response = client.post(
        reverse("commission:create"),
        {
            "held_on": _days(7).isoformat(),
            "place": "SPIP de Colmar",
            "services": [cpip.organisation_id],
        },
    )
    assert response.status_code == 302
    commission = Commission.objects.get()
    assert set(commission.services.all()) == {cpip.organisation, siao_operator.organisation}
    assert commission.state == CommissionState.PLANNED
    assert commission.events.get().kind == "planned"
