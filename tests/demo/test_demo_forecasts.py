"""Issue 13, points 5 and 6: the demo's past year of releases makes the SPIP's forecast, the
SIAO's offer report and the dashboard's justice indicators show figures (JUS-09)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import User
from relais.indicators import forecast, offer
from relais.indicators.justice import justice_months
from relais.indicators.models import ForecastSnapshot

pytestmark = pytest.mark.django_db


def test_jus_09_the_demo_forecast_offer_and_justice_indicators_are_not_empty(client):
    call_command("load_demo", stdout=None)
    cpip = User.objects.get(username="cpip")
    siao = User.objects.get(username="operateur.siao")
    today = timezone.localdate()

    built = forecast.compute(forecast.scope_for(cpip), today)
    assert {line.establishment.name for line in built.lines} >= {
        "Centre pénitentiaire de Mulhouse-Lutterbach",
        "Maison centrale d'Ensisheim",
    }
    assert all(line.expected and line.past_exits and line.past_dry for line in built.lines)
    assert built.total.need and sum(built.total.type_values) == built.total.need

    territory = siao.organisation.territory
    report = offer.build(territory, offer.Period(today.year), now=timezone.now())
    assert report.cell(None, None).places > 0 and report.months

    months = justice_months(territory, until=today)
    assert sum(m.releases for m in months) >= 10
    assert sum(m.dry_exits for m in months) >= 3
    assert sum(m.lsc_refused for m in months) >= 2
    assert any(m.median_days is not None for m in months)

    client.force_login(cpip)
    assert "Maison centrale d&#x27;Ensisheim" in client.get(reverse("indicators:forecast")).text
    client.force_login(siao)
    assert client.get(reverse("indicators:offer")).status_code == 200
    # The forecast the SPIP sent, read by the SIAO.
    sent = ForecastSnapshot.objects.visible_to(siao).get()
    assert sent.spip == cpip.organisation and sent.lines[-1]["label"] == "Total"
    page = client.get(reverse("indicators:forecast_sent", args=[sent.pk]))
    assert "Copie figée" in page.text
    assert "Indicateurs justice" in client.get(reverse("indicators:dashboard")).text
