"""JUS-05: after release the SIAO follows the person until stabilisation: checks at 1, 3 and
6 months, reminded to the SIAO's référent justice, recorded on a page of the SIAO."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.notifications.models import Notification
from relais.releases.enums import FollowUpOutcome
from relais.releases.models import FollowUpCheck
from tests.factories import UserFactory, make_detention

pytestmark = pytest.mark.django_db

RELEASED_ON = dt.date(2027, 1, 31)


def run(day: dt.date) -> None:
    call_command("escalate_releases", today=day.isoformat())


@pytest.fixture
def released(cpip, siao_operator):
    siao = siao_operator.organisation
    siao.referent = siao_operator
    siao.save()
    detention = make_detention(cpip=cpip, end_date=RELEASED_ON, sentence=(6, 0, 0))
    detention.release(on=RELEASED_ON, by=cpip)
    return detention


def test_jus_05_checks_are_planned_at_1_3_and_6_months(released):
    run(RELEASED_ON)
    checks = FollowUpCheck.objects.filter(detention=released).order_by("months")
    assert [(c.months, c.due_on) for c in checks] == [
        (1, dt.date(2027, 2, 28)),
        (3, dt.date(2027, 4, 30)),
        (6, dt.date(2027, 7, 31)),
    ]
    run(RELEASED_ON + dt.timedelta(days=1))
    assert FollowUpCheck.objects.filter(detention=released).count() == 3


def test_jus_05_a_person_still_in_detention_or_released_long_ago_has_no_check(cpip):
    make_detention(cpip=cpip, end_date=RELEASED_ON, sentence=(6, 0, 0))
    old = make_detention(cpip=cpip, end_date=dt.date(2025, 1, 1), sentence=(6, 0, 0))
    old.release(on=dt.date(2025, 1, 1), by=cpip)
    run(RELEASED_ON)
    assert not FollowUpCheck.objects.exists()


def test_jus_05_the_siao_referent_is_reminded_once_when_a_check_is_due(released, siao_operator):
    run(dt.date(2027, 2, 27))
    assert not Notification.objects.filter(recipient=siao_operator).exists()
    run(dt.date(2027, 2, 28))
    notice = Notification.objects.get(recipient=siao_operator)
    assert "Point de suivi à 1 mois de la sortie de détention" in notice.message
    check = FollowUpCheck.objects.get(detention=released, months=1)
    assert notice.link == reverse("releases:follow_up", args=[check.pk])
    run(dt.date(2027, 3, 1))
    assert Notification.objects.filter(recipient=siao_operator).count() == 1


def test_jus_05_an_answered_check_is_not_reminded(released, siao_operator):
    run(RELEASED_ON)
    check = FollowUpCheck.objects.get(detention=released, months=3)
    check.answer(outcome=FollowUpOutcome.STILL_HOUSED, by=siao_operator)
    run(dt.date(2027, 5, 1))
    messages = list(
        Notification.objects.filter(recipient=siao_operator).values_list("message", flat=True)
    )
    assert len(messages) == 1 and "à 1 mois" in messages[0]


def test_jus_05_the_siao_records_the_outcome(client, released, siao_operator):
    run(RELEASED_ON)
    check = FollowUpCheck.objects.get(detention=released, months=1)
    client.force_login(siao_operator)
    url = reverse("releases:follow_up", args=[check.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert str(released.person) in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.READ, person_id=released.person_id).exists()
    response = client.post(url, {"outcome": FollowUpOutcome.BACK_AT_115, "note": "Appel du 115"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert (check.outcome, check.note, check.by) == (
        FollowUpOutcome.BACK_AT_115,
        "Appel du 115",
        siao_operator,
    )
    assert check.answered_at is not None
    html = client.get(url).content.decode()
    assert "De retour au 115" in html


def test_jus_05_a_missing_outcome_is_refused_in_french_and_the_note_kept(
    client, released, siao_operator
):
    run(RELEASED_ON)
    check = FollowUpCheck.objects.get(detention=released, months=1)
    client.force_login(siao_operator)
    url = reverse("releases:follow_up", args=[check.pk])
    response = client.post(url, {"outcome": "", "note": "Parti chez sa sœur"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez la situation de la personne." in html and "Parti chez sa sœur" in html
    response = client.post(url, {"outcome": "ailleurs"})
    assert (
        response.status_code == 400 and "Sélectionnez un choix valide" in response.content.decode()
    )
    check.refresh_from_db()
    assert not check.answered


def test_jus_05_only_the_siao_of_the_territory_records_a_check(
    client, released, cpip, other_territory
):
    run(RELEASED_ON)
    check = FollowUpCheck.objects.get(detention=released, months=1)
    url = reverse("releases:follow_up", args=[check.pk])
    remote_siao = UserFactory(siao_operator=True, organisation__territory=other_territory)
    for outsider in (cpip, remote_siao):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"outcome": FollowUpOutcome.NO_NEWS}).status_code == 404
    check.refresh_from_db()
    assert not check.answered
