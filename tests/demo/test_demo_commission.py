"""JUS-10 in the demo: last month's commission justice, its minutes validated, and next week's,
its agenda built and last month's open actions carried to it."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from relais.accounts.models import User
from relais.commission.enums import AgendaReason, CommissionState
from relais.commission.models import Commission, Decision
from tests.demo.test_demo_free_texts import HEALTH_OR_JUSTICE

pytestmark = pytest.mark.django_db


def test_jus_10_demo_one_past_commission_with_minutes_and_one_upcoming_with_carried_actions(
    client,
):
    call_command("load_demo", stdout=None)
    past, upcoming = Commission.objects.order_by("held_on")
    assert past.state == CommissionState.CLOSED and past.present_users.exists()
    assert Decision.objects.filter(item__commission=past).count() >= 4
    assert upcoming.state == CommissionState.PLANNED and upcoming.agenda_built_at
    reasons = set(upcoming.items.values_list("reason", flat=True))
    assert reasons == set(AgendaReason.values)
    carried = list(upcoming.carried_actions())
    assert any(d.done for d in carried) and any(not d.done for d in carried)
    for decision in Decision.objects.all():
        assert not HEALTH_OR_JUSTICE.search(decision.action), decision
    # The demo accounts reach both from the menu.
    for username in ("operateur.siao", "cpip"):
        client.force_login(User.objects.get(username=username))
        html = client.get(reverse("commission:list")).content.decode()
        assert reverse("commission:detail", args=[upcoming.pk]) in html
        assert client.get(reverse("commission:minutes", args=[past.pk])).status_code == 200
