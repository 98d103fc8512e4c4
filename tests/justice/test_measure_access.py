"""JUS-13: the SPIP reads a person's files only while a judicial measure runs; the day after
it ends its access closes everywhere, and the audit says why."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.notifications.sending import notify
from relais.requests.models import Request
from tests.factories import make_detention, make_request

pytestmark = pytest.mark.django_db


def _released(cpip, *, measure_ends_on):
    detention = make_detention(cpip=cpip)
    req = make_request(detention.person, referrer=cpip)
    today = timezone.localdate()
    detention.release(on=today - dt.timedelta(days=30), by=cpip, measure_ends_on=measure_ends_on)
    return detention, req


def _pages(detention, req):
    return [
        reverse("justice:detail", args=[detention.pk]),
        reverse("requests:detail", args=[req.pk]),
        reverse("persons:file", args=[req.person_id]),
        reverse("privacy:export", args=[req.person_id]),
    ]


def test_jus_13_the_spip_reads_the_files_until_the_measure_ends(client, cpip):
    detention, req = _released(cpip, measure_ends_on=timezone.localdate())
    client.force_login(cpip)
    for url in _pages(detention, req):
        assert client.get(url).status_code == 200, url
    assert Request.objects.visible_to(cpip).filter(pk=req.pk).exists()


def test_jus_13_the_day_after_the_measure_ends_the_spip_sees_nothing(client, cpip):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    detention, req = _released(cpip, measure_ends_on=yesterday)
    notify(
        [cpip],
        subject="Demande évaluée",
        message=f"La demande de {req.person} est évaluée.",
        mail=f"La demande de {req.person} est évaluée.",
        request=req,
    )
    client.force_login(cpip)
    for url in _pages(detention, req):
        assert client.get(url).status_code == 404, url
    listing = client.get(reverse("requests:list"), {"q": req.person.birth_name})
    assert reverse("requests:detail", args=[req.pk]) not in listing.content.decode()
    notices = client.get(reverse("notifications:list")).content.decode()
    assert req.person.birth_name not in notices
    assert not Request.objects.visible_to(cpip).exists()


def test_jus_13_a_request_of_a_person_never_recorded_in_detention_stays_readable(cpip):
    req = make_request(referrer=cpip)
    assert Request.objects.visible_to(cpip).filter(pk=req.pk).exists()


def test_jus_13_the_audit_says_why_the_access_closed_once(cpip):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    detention, _ = _released(cpip, measure_ends_on=yesterday)
    _released(cpip, measure_ends_on=timezone.localdate())  # still running today
    call_command("close_ended_measures", today=timezone.localdate().isoformat())
    call_command("close_ended_measures", today=timezone.localdate().isoformat())
    (row,) = AuditEvent.objects.filter(action=Action.ACCESS_CLOSED)
    assert row.person_id == detention.person_id
    assert yesterday.strftime("%d/%m/%Y") in row.reason
    assert "n'a plus accès" in row.reason
