"""JUS-06: the dry exits recorded by the daily job are counted per month on the dashboard,
for the SIAO and the State service, each territory its own."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from relais.indicators.dry_exits import dry_exits_by_month
from tests.factories import make_detention

pytestmark = pytest.mark.django_db


def dry_exit_on(day: dt.date, **values) -> None:
    make_detention(end_date=day, sentence=(6, 0, 0), **values)
    call_command("escalate_releases", today=day.isoformat())


@pytest.fixture
def dry_exits(territory, other_territory):
    dry_exit_on(dt.date(2026, 9, 3), territory=territory)
    dry_exit_on(dt.date(2026, 10, 1), territory=territory)
    dry_exit_on(dt.date(2026, 10, 20), territory=territory)
    dry_exit_on(dt.date(2026, 10, 20), territory=other_territory)


def test_jus_06_dry_exits_are_counted_per_month(territory, dry_exits):
    months = dry_exits_by_month(territory, until=dt.date(2026, 10, 31))
    assert len(months) == 12 and months[0].month == dt.date(2025, 11, 1)
    assert [(m.month.month, m.dry_exits) for m in months[-3:]] == [(8, 0), (9, 1), (10, 2)]
    # Counted up to the day asked for.
    assert dry_exits_by_month(territory, until=dt.date(2026, 10, 19))[-1].dry_exits == 1


@pytest.mark.parametrize("fixture", ["siao_operator", "state_service_user"])
def test_jus_06_the_dashboard_shows_the_dry_exits_of_its_territory(
    client, request, dry_exits, fixture
):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(
        reverse("indicators:dashboard"), {"arrete": "daily", "jour": "2026-10-31"}
    )
    html = response.content.decode()
    assert "Sorties sèches par mois" in html
    rows = dict(re.findall(r'<th scope="row">(\w+ 2026)</th><td class="relais-number">(\d+)', html))
    assert rows["Octobre 2026"] == "2" and rows["Septembre 2026"] == "1"


def test_jus_06_other_roles_do_not_see_the_dry_exits(client, dry_exits, cpip):
    client.force_login(cpip)
    assert client.get(reverse("indicators:dashboard")).status_code == 403
