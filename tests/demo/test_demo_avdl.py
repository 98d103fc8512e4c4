"""JUS-11 in the demo: the AVDL Justice worker of the SIAO (`avdl.justice`), 18 of 20 measures
running, one ending within the alert delay (alerted), one renewed, one stopped early."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import User
from relais.avdl.enums import ALERT_DAYS_BEFORE_END, MeasureState
from relais.avdl.models import HousingSupportMeasure, Worker
from relais.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_jus_11_demo_worker_with_a_nearly_full_caseload(client):
    call_command("load_demo", stdout=StringIO())
    worker = Worker.objects.select_related("user__organisation").get(user__username="avdl.justice")
    assert worker.user.organisation.kind == "siao"
    assert worker.user.check_password("Relais-demo-2026")
    assert worker.active_count() == 18
    active = HousingSupportMeasure.objects.filter(worker=worker, state=MeasureState.ACTIVE)
    today = timezone.localdate()
    soon = [m for m in active if m.ends_on <= today + dt.timedelta(days=ALERT_DAYS_BEFORE_END)]
    assert len(soon) == 1
    assert Notification.objects.filter(
        recipient=worker.user, link=reverse("avdl:detail", kwargs={"pk": soon[0].pk})
    ).exists()
    assert active.filter(renewals=1).count() == 1
    assert HousingSupportMeasure.objects.filter(state=MeasureState.CLOSED).count() == 1
    # Every person has a justice background, released and followed by the demo CPIP.
    cpip = User.objects.get(username="cpip")
    assert HousingSupportMeasure.objects.visible_to(cpip).count() == 19
    # The worker's page.
    client.force_login(worker.user)
    page = client.get(reverse("avdl:mine")).content.decode()
    assert "18 mesures en cours sur 20" in page


def test_jus_11_demo_loads_twice():
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Worker.objects.get().active_count() == 18
