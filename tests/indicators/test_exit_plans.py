"""EXIT-04: the share of releases with a complete exit plan, and what was missing, per
establishment and month, each month as known at its end; on the dashboard and in its XLSX."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from relais.exitplan.enums import ItemKind
from relais.exitplan.models import ExitItemEvent, ExitPlanEvent
from relais.indicators.exit_plans import (
    HOUSING,
    NO_PLAN,
    exit_plan_months,
    month_label,
    top_missing,
)
from relais.justice.models import DetentionEvent
from relais.orientations.models import OrientationEvent
from relais.releases.models import DryExit
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_exit_plan,
    make_request,
    orient,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FIRST = TODAY.replace(day=1)
LAST_MONTH = (FIRST - dt.timedelta(days=1)).replace(day=1)
LONG = (8, 0, 0)


def noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def housed(detention, when: dt.datetime) -> None:
    """A place admitted for the person's request, its solution events dated `when`."""
    siao = UserFactory(siao_operator=True, organisation__territory=detention.territory)
    req = make_request(detention.person, referrer=detention.cpip, detention=detention)
    make_evaluation(req)
    req.evaluate(by=siao)
    manager = OrganisationFactory(structure_manager=True, territory=detention.territory)
    orientation = orient(req, by=siao, structure=StructureFactory(manager=manager))
    orientation.admit(by=UserFactory(structure_manager=True, organisation=manager))
    OrientationEvent.objects.filter(orientation=orientation).update(
        occurred_at=when, recorded_at=when
    )


def leaving(
    cpip, day, *, establishment=None, plan=True, open_kinds=(), not_needed=(), housing=True
):
    """A detention due out on `day`, its place admitted a month before (unless `housing` is
    False); with a plan opened a month before, its items done the day before `day` (recorded
    then) except `open_kinds`, and `not_needed` ones set so."""
    detention = make_detention(cpip=cpip, end_date=day, sentence=LONG, establishment=establishment)
    if housing:
        housed(detention, noon(day - dt.timedelta(days=30)))
    if not plan:
        return detention
    exit_plan = make_exit_plan(detention)
    opened = noon(day - dt.timedelta(days=30))
    ExitPlanEvent.objects.filter(plan=exit_plan).update(occurred_at=opened, recorded_at=opened)
    ExitItemEvent.objects.filter(item__plan=exit_plan).update(
        occurred_at=opened, recorded_at=opened
    )
    before = day - dt.timedelta(days=1)
    for item in exit_plan.items.all():
        if item.kind in open_kinds:
            continue
        if item.kind in not_needed:
            item.take("not_needed", by=cpip)
            item.events.filter(kind="not_needed").update(
                occurred_at=noon(before), recorded_at=noon(before)
            )
        else:
            item.take("done", by=cpip, on=before)
            item.events.filter(kind="done").update(recorded_at=noon(before))
    return detention


def release(detention, cpip, day, *, recorded=None, followed=True):
    """Released on `day`, recorded then (or on `recorded`); the SPIP keeps following it, so
    its items may still change afterwards."""
    detention.release(
        on=day, by=cpip, measure_ends_on=TODAY + dt.timedelta(days=60) if followed else None
    )
    DetentionEvent.objects.filter(detention=detention, kind="released").update(
        occurred_at=noon(day), recorded_at=noon(recorded or day)
    )
    return detention


def dry(detention, day, *, recorded=None):
    DryExit.objects.create(
        detention=detention,
        person=detention.person,
        on=day,
        solution="evaluated",
        recorded_at=noon(recorded or day),
    )


def last_month(territory, **kwargs):
    months = exit_plan_months(territory, until=TODAY, **kwargs)
    assert len(months) == 12 and months[-1].month == FIRST
    return next(m for m in months if m.month == LAST_MONTH)


def figures(month):
    return [
        (line.establishment, line.releases, line.complete, dict(line.missing))
        for line in month.lines
    ]


def test_exit_04_a_plan_is_complete_only_with_every_item_settled_and_the_housing(cpip, territory):
    prison = OrganisationFactory(prison=True, territory=territory, name="CP de Mulhouse")
    day = LAST_MONTH + dt.timedelta(days=5)
    # complete: every item done or not needed, no dry exit
    release(leaving(cpip, day, establishment=prison, not_needed=[ItemKind.RSA]), cpip, day)
    # two items still open
    release(
        leaving(
            cpip,
            day,
            establishment=prison,
            open_kinds=[ItemKind.BANK_ACCOUNT, ItemKind.POSTAL_ADDRESS],
        ),
        cpip,
        day,
    )
    # no plan at all, and left dry
    no_plan = release(leaving(cpip, day, establishment=prison, plan=False), cpip, day)
    dry(no_plan, day)
    # items all settled but no housing: a dry exit
    homeless = release(leaving(cpip, day, establishment=prison), cpip, day)
    dry(homeless, day)
    # a bank account still open, and left dry
    both = release(
        leaving(cpip, day, establishment=prison, open_kinds=[ItemKind.BANK_ACCOUNT]), cpip, day
    )
    dry(both, day)

    month = last_month(territory)
    (line,) = month.lines
    assert (line.establishment, line.releases, line.complete, line.share) == (
        "CP de Mulhouse",
        5,
        1,
        20.0,
    )
    assert dict(line.missing) == {
        NO_PLAN: 1,
        HOUSING: 3,
        ItemKind.BANK_ACCOUNT: 2,
        ItemKind.POSTAL_ADDRESS: 1,
    }
    assert line.most_missing() == [
        ("Hébergement non acquis", 3),
        ("Compte bancaire", 2),
        ("Aucun plan de sortie", 1),
    ]
    assert top_missing(exit_plan_months(territory, until=TODAY))[:2] == [
        ("Hébergement non acquis", 3),
        ("Compte bancaire", 2),
    ]


def test_exit_04_housing_needs_a_solution_found_by_the_release_day(cpip, territory):
    day = LAST_MONTH + dt.timedelta(days=5)
    prison = OrganisationFactory(prison=True, territory=territory)
    # every item settled, no dry exit recorded, but no request ever made
    release(leaving(cpip, day, establishment=prison, housing=False), cpip, day)
    # a place admitted only the day after the release
    late = leaving(cpip, day, establishment=prison, housing=False)
    housed(late, noon(day + dt.timedelta(days=1)))
    release(late, cpip, day)
    (line,) = last_month(territory).lines
    assert (line.releases, line.complete, dict(line.missing)) == (2, 0, {HOUSING: 2})


def test_exit_04_an_item_done_after_the_release_day_leaves_the_plan_incomplete(cpip, territory):
    day = LAST_MONTH + dt.timedelta(days=5)
    late = leaving(cpip, day, open_kinds=[ItemKind.BANK_ACCOUNT])
    release(late, cpip, day)
    bank = late.exit_plan.items.get(kind=ItemKind.BANK_ACCOUNT)
    after = day + dt.timedelta(days=1)
    bank.take("done", by=cpip, on=after)
    bank.events.filter(kind="done").update(recorded_at=noon(after))
    assert bank.state == "done"  # done now, but not on the day of release
    (line,) = last_month(territory).lines
    assert (line.releases, line.complete, dict(line.missing)) == (
        1,
        0,
        {ItemKind.BANK_ACCOUNT: 1},
    )


def test_exit_04_an_item_planned_after_the_release_day_did_not_exist_then(cpip, territory):
    day = LAST_MONTH + dt.timedelta(days=5)
    detention = release(leaving(cpip, day), cpip, day)
    aah = detention.exit_plan.add_item(ItemKind.AAH, by=cpip)  # added today, still to do
    assert aah.state == "todo"
    (line,) = last_month(territory).lines
    assert (line.releases, line.complete) == (1, 1)
    # A reopened item counts as it was at the end of the release day: done then.
    bank = detention.exit_plan.items.get(kind=ItemKind.BANK_ACCOUNT)
    bank.take("reopened", by=cpip)
    (line,) = last_month(territory).lines
    assert line.complete == 1


def test_exit_04_a_month_recomputed_later_gives_the_same_figures(cpip, territory):
    day = LAST_MONTH + dt.timedelta(days=5)
    detention = release(leaving(cpip, day, open_kinds=[ItemKind.BANK_ACCOUNT]), cpip, day)
    before = figures(last_month(territory))
    assert [(releases, complete) for _, releases, complete, _ in before] == [(1, 0)]

    # Recorded today, dated back before the release: the bank account done the day before,
    # a dry exit, and a release of last month entered only now.
    bank = detention.exit_plan.items.get(kind=ItemKind.BANK_ACCOUNT)
    bank.take("done", by=cpip, on=day - dt.timedelta(days=1))
    dry(detention, day, recorded=TODAY)
    release(leaving(cpip, day), cpip, day, recorded=TODAY)

    assert figures(last_month(territory)) == before
    # This month, last month's facts as now known change nothing either: they are not in it.
    this = exit_plan_months(territory, until=TODAY)[-1]
    assert this.month == FIRST and this.lines == []


def test_exit_04_each_establishment_is_counted_apart(cpip, territory):
    mulhouse = OrganisationFactory(prison=True, territory=territory, name="CP de Mulhouse")
    colmar = OrganisationFactory(prison=True, territory=territory, name="MA de Colmar")
    day = LAST_MONTH + dt.timedelta(days=3)
    release(leaving(cpip, day, establishment=mulhouse), cpip, day)
    release(leaving(cpip, day, establishment=mulhouse, plan=False), cpip, day)
    release(leaving(cpip, day, establishment=colmar), cpip, day)
    release(leaving(cpip, FIRST, establishment=colmar, plan=False), cpip, FIRST)
    month = last_month(territory)
    assert figures(month) == [
        ("CP de Mulhouse", 2, 1, {NO_PLAN: 1}),
        ("MA de Colmar", 1, 1, {}),
    ]
    assert [line.share for line in month.lines] == [50.0, 100.0]
    this = exit_plan_months(territory, until=TODAY)[-1]
    assert figures(this) == [("MA de Colmar", 1, 0, {NO_PLAN: 1})]


def test_exit_04_a_fixed_number_of_queries(cpip, territory, django_assert_max_num_queries):
    day = LAST_MONTH + dt.timedelta(days=3)
    for n in range(4):
        release(leaving(cpip, day, open_kinds=[ItemKind.RSA] if n % 2 else ()), cpip, day)
    with django_assert_max_num_queries(6):
        month = last_month(territory)
    assert month.releases == 4 and month.complete == 2


def _seed_dashboard(cpip, territory):
    prison = OrganisationFactory(prison=True, territory=territory, name="CP de Mulhouse")
    day = LAST_MONTH + dt.timedelta(days=4)
    release(leaving(cpip, day, establishment=prison), cpip, day)
    release(leaving(cpip, day, establishment=prison), cpip, day)
    release(
        leaving(cpip, day, establishment=prison, open_kinds=[ItemKind.IDENTITY_DOCUMENT]),
        cpip,
        day,
    )


def test_exit_04_the_dashboard_shows_the_share_and_what_was_missing(
    client, cpip, territory, siao_operator
):
    _seed_dashboard(cpip, territory)
    client.force_login(siao_operator)
    response = client.get(reverse("indicators:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    section = html[html.index('id="plans-de-sortie"') :]
    row = section[section.index("CP de Mulhouse") :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row[: row.index("</tr>")])
    assert cells == ["3", "2", "66,7", "Pièce d&#x27;identité valide (1)"]
    assert "Pièce d&#x27;identité valide : 1 sortie" in section
    assert "identity" not in section  # labels, never codes


def test_exit_04_the_xlsx_carries_a_sheet_of_the_figures(client, cpip, territory, siao_operator):
    _seed_dashboard(cpip, territory)
    client.force_login(siao_operator)
    response = client.get(reverse("indicators:export"), {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Plans de sortie"]
    rows = list(sheet.values)
    header = rows[0]
    line = dict(zip(header, next(r for r in rows if r[1] == "CP de Mulhouse"), strict=True))
    assert line["Mois"] == month_label(LAST_MONTH)
    assert line["Sorties de détention"] == 3
    assert line["dont avec un plan de sortie complet"] == 2
    assert line["Part avec un plan complet (%)"] == 66.7
    assert line["Manquait : Pièce d'identité valide"] == 1
    assert line["Manquait : Aucun plan de sortie"] == 0
    assert line["Manques les plus fréquents"] == "Pièce d'identité valide (1)"
    assert len(rows) == 1 + 12  # one row per month: eleven without releases, one with
