"""EXIT-02: the release pipeline counts down each person's exit plan — housing, work, rights,
late items — as its reader sees the plan (hidden items are not counted), links to it, filters
on it and exports it, in a fixed number of queries."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.exitplan.enums import ItemEventKind, ItemKind
from relais.exitplan.models import ExitPlan, readiness
from relais.exitplan.readiness import readiness_by_detention
from relais.justice.enums import EndDateReason
from relais.releases.housing import housing_for
from relais.releases.pipeline import due_out, lines_of
from tests.factories import (
    PersonFactory,
    UserFactory,
    make_detention,
    make_exit_plan,
    make_parcours,
)

pytestmark = pytest.mark.django_db

LONG = (6, 0, 0)  # no LSC date: due out on the end date
TODAY = timezone.localdate()


def _in(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def _detention(cpip, days: int, name: str = "", **kw):
    person = PersonFactory(birth_name=name) if name else None
    return make_detention(person, cpip=cpip, end_date=_in(days), sentence=LONG, **kw)


def _page_readiness(user, plan) -> object:
    """What the plan page counts for `user` (the lead's reading, one plan at a time)."""
    release = plan.release_on(TODAY)
    return readiness(
        plan.items_for(user),
        housing=housing_for(plan.detention).secured_by(release),
        release=release,
        today=TODAY,
    )


def test_exit_02_the_pipeline_shows_each_readiness_and_links_to_the_plan(client, cpip):
    ready = _detention(cpip, 20, "Abadie")
    plan = make_exit_plan(ready)
    plan.items.get(kind=ItemKind.FRANCE_TRAVAIL).take(ItemEventKind.DONE, by=cpip)
    plan.items.get(kind=ItemKind.RSA).take(ItemEventKind.DONE, by=cpip)
    closed_early = _detention(cpip, 90, "Bergeron")
    client.force_login(cpip)
    html = client.get(reverse("releases:pipeline")).content.decode()
    # Late at 20 days: identity, health insurance, complementary health, bank, postal address.
    assert "Hébergement ✘ · Travail 1/3 · Droits 1/9 · 5 en retard" in html
    assert "Hébergement ✘ · plan non ouvert" in html
    for detention in (ready, closed_early):
        assert reverse("exitplan:plan", kwargs={"detention_pk": detention.pk}) in html


def test_exit_02_items_the_reader_may_not_see_are_not_counted(siae_coach, cpip):
    parcours = make_parcours(state="active")
    detention = parcours.detention
    detention.move_end_date(_in(20), reason=EndDateReason.REDUCTION, by=detention.cpip)
    plan = make_exit_plan(detention)
    plan.add_item(ItemKind.AAH, by=detention.cpip)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    plan = ExitPlan.objects.get(pk=plan.pk)
    for user in (detention.cpip, coach, siao):
        (line,) = lines_of(
            [d for d in due_out(detention.cpip, today=TODAY) if d.detention_id == detention.pk]
        )
        got = readiness_by_detention(user, [line], today=TODAY)[detention.pk]
        assert got == _page_readiness(user, plan), user.role
    spip_sees = readiness_by_detention(detention.cpip, [line], today=TODAY)[detention.pk]
    siae_sees = readiness_by_detention(coach, [line], today=TODAY)[detention.pk]
    # Rights: 9 default items and the AAH; the SIAE does not see health insurance,
    # complementary health, the AAH (health) nor the SPIP appointment (justice).
    assert (spip_sees.rights_total, siae_sees.rights_total) == (10, 6)
    assert (spip_sees.late, siae_sees.late) == (8, 5)  # health: PUMa, CSS, AAH
    # A reader who does not see the plan at all reads it as not opened.
    outsider = UserFactory(siae_coach=True)
    assert not readiness_by_detention(outsider, [line], today=TODAY)[detention.pk].opened


def test_exit_02_the_housing_is_the_line_own_reading(cpip):
    detention = _detention(cpip, 20)
    make_exit_plan(detention)
    got = readiness_by_detention(cpip, [(detention.pk, _in(20), True)], today=TODAY)
    assert got[detention.pk].housing is True
    assert got[detention.pk].label.startswith("Hébergement ✔")


def test_exit_02_the_pipeline_filters_on_the_plan(client, cpip):
    late = _detention(cpip, 20, "Castaing")
    make_exit_plan(late)
    on_time = _detention(cpip, 100, "Delmas")
    make_exit_plan(on_time)
    _detention(cpip, 60, "Espinasse")  # no plan
    client.force_login(cpip)
    url = reverse("releases:pipeline")

    def names(**query) -> set[str]:
        lines = client.get(url, query).context["lines"]
        return {line.person.birth_name for line in lines}

    assert names(plan="en_retard") == {"Castaing"}
    assert names(plan="incomplet") == {"Castaing", "Delmas"}
    assert names(plan="non_ouvert") == {"Espinasse"}
    response = client.get(url, {"plan": "nimporte"})
    assert {line.person.birth_name for line in response.context["lines"]} == {
        "Castaing",
        "Delmas",
        "Espinasse",
    }
    assert any(
        "Plan de sortie : valeur non reconnue" in str(m)
        for m in get_messages(response.wsgi_request)
    )


def test_exit_02_the_export_has_the_plan_column(client, cpip):
    detention = _detention(cpip, 20, "Fabregas")
    make_exit_plan(detention)
    client.force_login(cpip)
    response = client.get(reverse("releases:pipeline_export"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index("Plan de sortie")
    assert rows[1][column].startswith("Hébergement ✘ · Travail 0/3 · Droits 0/9")
    response = client.get(
        reverse("releases:pipeline_export"), {"format": "csv", "plan": "non_ouvert"}
    )
    assert "FABREGAS" not in response.content.decode("utf-8-sig")


def test_exit_02_readiness_costs_the_same_queries_for_3_or_12_lines(
    client, cpip, django_assert_num_queries
):
    def build(n: int) -> None:
        for i in range(n):
            detention = _detention(cpip, 10 + 7 * i)
            if i % 3:
                make_exit_plan(detention)

    build(3)
    client.force_login(cpip)
    url = reverse("releases:pipeline")
    client.get(url)  # warm the caches (session, menu)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"plan": "incomplet"}).status_code == 200
    lines = lines_of(due_out(cpip, today=TODAY))
    with django_assert_num_queries(2):
        readiness_by_detention(cpip, lines, today=TODAY)
    build(9)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"plan": "incomplet"}).status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)
    lines = lines_of(due_out(cpip, today=TODAY))
    assert len(lines) == 12
    with django_assert_num_queries(2):
        readiness_by_detention(cpip, lines, today=TODAY)
