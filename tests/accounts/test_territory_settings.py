"""JUS-02: the territory administrator sets how early the SPIP sends the request, the
escalation steps before release and who is alerted."""

import pytest
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "accounts:territory"


def _data(**overrides) -> dict:
    return {
        "request_threshold_months": "6",
        "escalation_steps": "90,60,30,7",
        "alerts_cpip": "on",
        "alerts_spip_referent": "on",
        "alerts_siao_referent": "on",
        **overrides,
    }


def test_jus_02_the_territory_admin_sets_the_threshold_steps_and_alerts(
    client, territory_admin, territory
):
    client.force_login(territory_admin)
    assert client.get(reverse(URL)).status_code == 200
    data = _data(request_threshold_months="9", escalation_steps=" 7, 120 ,30,30 ")
    del data["alerts_spip_referent"]
    response = client.post(reverse(URL), data)
    assert response.status_code == 302
    territory.refresh_from_db()
    assert territory.request_threshold_months == 9
    assert territory.escalation_steps == "120,30,7"
    assert territory.escalation_days == [120, 30, 7]
    assert territory.alerts_cpip and not territory.alerts_spip_referent
    event = AuditEvent.objects.get(action=Action.WRITE, object_type="territory")
    assert "request_threshold_months" in event.detail["changes"]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ("90,soixante", "« soixante » n'est pas un nombre de jours"),
        ("90,,30", "Une virgule est de trop"),
        ("90,0", "entre 1 et 999"),
        ("90,-5", "« -5 » n'est pas un nombre de jours"),
        ("1000", "entre 1 et 999"),
        ("", "Ce champ est obligatoire"),
        (",".join(str(d) for d in range(1, 13)), "Au plus 10 étapes"),
    ],
)
def test_jus_02_escalation_steps_are_whole_positive_days_with_a_french_message(
    client, territory_admin, territory, steps, message
):
    client.force_login(territory_admin)
    response = client.post(reverse(URL), _data(escalation_steps=steps))
    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert message in html
    territory.refresh_from_db()
    assert territory.escalation_steps == "90,60,30,7"


@pytest.mark.parametrize("months", ["0", "37", "six", "2.5"])
def test_jus_02_the_threshold_is_refused_out_of_range_in_french(
    client, territory_admin, territory, months
):
    client.force_login(territory_admin)
    response = client.post(reverse(URL), _data(request_threshold_months=months))
    assert response.status_code == 200
    assert response.context["form"].errors["request_threshold_months"]
    territory.refresh_from_db()
    assert territory.request_threshold_months == 6


def test_jus_02_only_the_territory_admin_of_the_territory_changes_its_settings(
    client, siao_operator, cpip, territory
):
    for user in (siao_operator, cpip):
        client.force_login(user)
        assert client.get(reverse(URL)).status_code == 403
        assert client.post(reverse(URL), _data(request_threshold_months="3")).status_code == 403
    territory.refresh_from_db()
    assert territory.request_threshold_months == 6
