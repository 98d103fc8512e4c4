"""IAE-08: the indicators of the insertion sites per site and period, their spreadsheet and the
steering committee's printed report — proved on a hand-built set of parcours."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from relais.iae import indicators
from relais.iae.models import (
    CpuSession,
    ExitSynthesis,
    MonthlyHours,
    OutsideFollowUp,
    ParcoursAction,
    Site,
)
from relais.justice.dates import add_months
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    make_detention,
    make_parcours,
    make_site,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
# The last complete half-year: every step of the set below lies in the past.
PERIOD = indicators.half_year(TODAY).previous_half_year()
NAMES = ["Quelennec", "Abgrall", "Kerguelen", "Tanguy", "Le Roux", "Morvan", "Guivarch"]


def d(months: int, day: int) -> dt.date:
    """`day` of the month `months` after the period's first month (negative: before it)."""
    return add_months(PERIOD.start, months).replace(day=day)


def _parcours(
    site,
    name,
    *,
    oriented,
    interviewed=None,
    retained=True,
    assigned=None,
    ended=None,
    reason="release",
    outcome=None,
):
    """A parcours at `site` taken through its steps on the days given."""
    spip_cpip = UserFactory(cpip=True, organisation=site.establishment.spip)
    detention = make_detention(
        PersonFactory(birth_name=name, first_names="Yannick"),
        cpip=spip_cpip,
        establishment=site.establishment,
        incarcerated_on=oriented - dt.timedelta(days=120),
        end_date=TODAY + dt.timedelta(days=300),
        sentence=(3, 0, 0),
    )
    parcours = make_parcours(
        site=site,
        detention=detention,
        state="prescribed",
        days_ago=(TODAY - oriented).days + 5,
    )
    prison = UserFactory(prison_staff=True, organisation=site.establishment)
    siae = UserFactory(siae_coach=True, organisation=site.siae)
    session = CpuSession.objects.create(
        establishment=site.establishment,
        held_on=oriented,
        chaired_by="La directrice adjointe",
        members="SPIP\nSIAE",
        recorded_by=prison,
    )
    parcours.orient(session=session, by=prison)
    if interviewed:
        parcours.interview(on=interviewed, retained=retained, by=siae, reason="no_post")
    if assigned:
        parcours.assign(on=assigned, signed_by="Le chef d'établissement", by=prison)
    if ended:
        parcours.end(on=ended, reason=reason, by=siae)
    if outcome:
        ExitSynthesis.objects.create(
            parcours=parcours, skills_acquired="Tri, cariste", outcome=outcome
        )
    parcours.refresh_from_db()
    return parcours


def _hours(parcours, month: dt.date, hours: int) -> None:
    MonthlyHours.objects.create(parcours=parcours, month=month.replace(day=1), hours=hours)


def _action(parcours, kind, status, ends_on, *, starts_on=None) -> None:
    ParcoursAction.objects.create(
        parcours=parcours,
        kind=kind,
        title="Action",
        starts_on=starts_on or ends_on - dt.timedelta(days=5),
        ends_on=ends_on,
        status=status,
    )


def _check(parcours, months: int, *, working: bool, with_siae: bool) -> None:
    OutsideFollowUp.objects.filter(parcours=parcours, months=months).update(
        checked_on=TODAY, in_employment_or_training=working, still_with_siae=with_siae
    )


@pytest.fixture
def world(territory):
    """Site A (the set), site B (same territory, one parcours), and their parcours."""
    site_a = make_site(
        establishment=OrganisationFactory(prison=True, territory=territory, name="MA de Colmar"),
        siae=OrganisationFactory(siae=True, territory=territory, name="ACI Les Ateliers"),
    )
    site_b = make_site(
        establishment=OrganisationFactory(prison=True, territory=territory, name="CD d'Ensisheim"),
        siae=OrganisationFactory(siae=True, territory=territory, name="EI Recyclage"),
    )
    # Recruited in the period, released in it with a job lined up.
    p1 = _parcours(
        site_a,
        NAMES[0],
        oriented=d(0, 10),
        interviewed=d(0, 20),
        assigned=d(1, 1),
        ended=d(4, 15),
        reason="release",
        outcome="employment",
    )
    for month, hours in ((1, 100), (2, 120), (3, 110)):
        _hours(p1, d(month, 1), hours)
    _action(p1, "training", "done", d(2, 15))
    _action(p1, "training", "planned", d(3, 15))
    _action(p1, "clea", "obtained", d(3, 10))
    _action(p1, "certification", "not_obtained", d(3, 12))
    _action(p1, "pmsmp", "done", d(3, 20))
    # Oriented in the period, not retained at the interview.
    _parcours(site_a, NAMES[1], oriented=d(1, 5), interviewed=d(1, 20), retained=False)
    # Recruited before the period, transferred during it, nothing lined up.
    p3 = _parcours(
        site_a,
        NAMES[2],
        oriented=d(-2, 10),
        interviewed=d(-2, 20),
        assigned=d(-1, 1),
        ended=d(2, 28),
        reason="transfer",
        outcome="none",
    )
    _hours(p3, d(-1, 1), 80)  # before the period
    _hours(p3, d(0, 1), 90)
    _action(p3, "training", "done", d(-1, 20))  # before the period
    # Wholly before the period; released: its follow-ups at 3 and 6 months fall in it.
    p4 = _parcours(
        site_a,
        NAMES[3],
        oriented=d(-6, 10),
        interviewed=d(-6, 15),
        assigned=d(-6, 25),
        ended=d(-3, 28),
        outcome="training",
    )
    _hours(p4, d(-5, 1), 100)
    _check(p4, 3, working=True, with_siae=True)
    _check(p4, 6, working=False, with_siae=False)
    # Released before the period; its follow-ups fall in it, not yet done.
    _parcours(
        site_a,
        NAMES[4],
        oriented=d(-4, 1),
        interviewed=d(-4, 10),
        assigned=d(-4, 20),
        ended=d(-1, 15),
    )
    # Oriented late in the period, still waiting.
    p7 = _parcours(site_a, NAMES[6], oriented=d(5, 10))
    # Site B: one person recruited in the period.
    p6 = _parcours(site_b, NAMES[5], oriented=d(2, 1), interviewed=d(2, 10), assigned=d(2, 20))
    _hours(p6, d(2, 1), 50)
    return {"a": site_a, "b": site_b, "p6": p6, "p7": p7, "p1": p1}


def _figures(site):
    return indicators.compute(Site.objects.filter(pk=site.pk), PERIOD).total


def test_iae_08_each_figure_of_a_site_over_the_period(world):
    figures = _figures(world["a"])
    assert figures.oriented == 3  # p1, p2, p7 — not p3, p4, p5 (oriented before)
    assert figures.interviewed == 2  # p1 retained, p2 not retained
    assert figures.retained == 1
    assert figures.recruited == 1  # p1 only: p3 was assigned before the period
    assert figures.in_parcours == 2  # p1, and p3 until its transfer
    assert figures.hours == Decimal(100 + 120 + 110 + 90)
    # 420 h over six months of a full time of 1,350 h a year (675 h).
    assert figures.full_time_equivalents == Decimal("0.62")
    assert (figures.trainings, figures.certifications, figures.pmsmp) == (1, 1, 1)
    assert figures.exits == 2
    assert figures.exits_by_reason["release"] == 1
    assert figures.exits_by_reason["transfer"] == 1
    assert figures.exits_by_reason["disciplinary"] == 0
    assert figures.positive_exits == 1  # p1; p4's training counts in its own period
    assert figures.positive_exit_rate == 50
    three, six = figures.continuity[3], figures.continuity[6]
    assert (three.due, three.checked, three.in_employment_or_training, three.still_with_siae) == (
        2,
        1,
        1,
        1,
    )
    assert (six.due, six.checked, six.in_employment_or_training, six.still_with_siae) == (
        2,
        1,
        0,
        0,
    )


def test_iae_08_figures_per_site_and_in_total(world):
    result = indicators.compute(Site.objects.filter(pk__in=[world["a"].pk, world["b"].pk]), PERIOD)
    by_label = {figures.label: figures for figures in result.sites}
    site_b = by_label[str(world["b"])]
    assert (site_b.oriented, site_b.interviewed, site_b.recruited, site_b.in_parcours) == (
        1,
        1,
        1,
        1,
    )
    assert site_b.hours == 50 and site_b.exits == 0
    assert result.total.oriented == 4 and result.total.recruited == 2
    assert result.total.hours == 470 and result.total.in_parcours == 3
    assert result.total.continuity[3].due == 2


def test_iae_08_monthly_series(world):
    result = indicators.compute(Site.objects.filter(pk=world["a"].pk), PERIOD)
    assert [row.month for row in result.monthly] == PERIOD.months and len(PERIOD.months) == 6
    by_month = {row.month: row for row in result.monthly}
    assert by_month[d(0, 1)].oriented == 1 and by_month[d(0, 1)].hours == 90
    assert by_month[d(1, 1)].recruited == 1 and by_month[d(1, 1)].oriented == 1
    assert by_month[d(4, 1)].exits == 1 and by_month[d(4, 1)].positive_exits == 1
    assert by_month[d(2, 1)].exits == 1 and by_month[d(2, 1)].positive_exits == 0
    assert sum(row.oriented for row in result.monthly) == 3


def test_iae_08_a_past_period_does_not_change_when_later_steps_are_recorded(world):
    before = indicators.compute(Site.objects.all(), PERIOD)
    current = indicators.half_year(TODAY)
    now_before = indicators.compute(Site.objects.all(), current)
    siae_a = UserFactory(siae_coach=True, organisation=world["a"].siae)
    prison_a = UserFactory(prison_staff=True, organisation=world["a"].establishment)
    world["p7"].interview(on=TODAY, retained=True, by=siae_a)
    world["p7"].assign(on=TODAY, signed_by="Le chef d'établissement", by=prison_a)
    prison_b = UserFactory(prison_staff=True, organisation=world["b"].establishment)
    world["p6"].end(on=TODAY, reason="resignation", by=prison_b)
    _hours(world["p7"], TODAY, 40)
    _action(world["p7"], "clea", "obtained", TODAY, starts_on=TODAY)
    _parcours(world["a"], "Nedelec", oriented=TODAY)
    for follow_up in OutsideFollowUp.objects.filter(due_on__gt=PERIOD.end):
        _check(follow_up.parcours, follow_up.months, working=True, with_siae=True)
    assert indicators.compute(Site.objects.all(), PERIOD) == before
    now_after = indicators.compute(Site.objects.all(), current)
    assert now_after.total.recruited == now_before.total.recruited + 1
    assert now_after.total.exits == now_before.total.exits + 1


# -- the screens ------------------------------------------------------------------------------


def _period_query() -> dict:
    return {"du": PERIOD.start.isoformat(), "au": PERIOD.end.isoformat()}


def _person_names() -> list[str]:
    return [*NAMES, "Yannick"]


def test_iae_08_the_page_shows_the_table_and_the_chart_and_no_person(client, world):
    client.force_login(
        UserFactory(state_service=True, organisation__territory=world["a"].territory)
    )
    response = client.get(reverse("iae:indicators"), _period_query())
    assert response.status_code == 200
    html = response.content.decode()
    assert str(world["a"].siae) in html and "Total" in html
    assert "Personnes orientées par la CPU" in html and 'class="relais-chart"' in html
    assert response.context["result"].total.oriented == 4
    for name in _person_names():
        assert name not in html


def test_iae_08_the_default_period_is_the_current_half_year_with_quick_choices(client, world):
    client.force_login(
        UserFactory(state_service=True, organisation__territory=world["a"].territory)
    )
    response = client.get(reverse("iae:indicators"))
    assert response.context["period"] == indicators.half_year(TODAY)
    response = client.get(reverse("iae:indicators"), {"periode": "semestre-precedent"})
    assert response.context["period"] == PERIOD
    assert response.context["result"].total.oriented == 4
    response = client.get(reverse("iae:indicators"), {"periode": "annee-precedente"})
    assert response.context["period"] == indicators.year(dt.date(TODAY.year - 1, 1, 1))
    # A period upside down, or a date that does not parse: the half-year, never a 500.
    response = client.get(reverse("iae:indicators"), {"du": "2026-05-01", "au": "2026-01-01"})
    assert response.status_code == 200
    response = client.get(reverse("iae:indicators"), {"du": "31/02", "au": "x", "site": "abc"})
    assert response.status_code == 200


def _xlsx(client, **query):
    response = client.get(reverse("iae:indicators_export"), {**_period_query(), **query})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return response.content


def test_iae_08_the_xlsx_opens_and_has_bar_charts_of_the_monthly_series(client, world):
    client.force_login(
        UserFactory(state_service=True, organisation__territory=world["a"].territory)
    )
    content = _xlsx(client)
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Chiffres", "Par mois"]
    figures = workbook["Chiffres"]
    header = [cell.value for cell in figures[2]]
    assert header[0] == "Indicateur" and header[-1] == "Total"
    rows = {row[0].value: [c.value for c in row[1:]] for row in figures.iter_rows(min_row=3)}
    assert rows["Personnes orientées par la CPU"][-1] == 4
    assert rows["Heures travaillées"][-1] == 470
    monthly = workbook["Par mois"]
    assert monthly.max_row == 7  # header and six months
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2
        assert all(b"barChart" in archive.read(n) for n in charts)
        text = b"".join(archive.read(n) for n in archive.namelist()).decode(errors="ignore")
    for name in _person_names():
        assert name not in text


def test_iae_08_the_xlsx_cells_are_formula_safe(client, world):
    world["a"].siae.name = '=HYPERLINK("http://example.org","ACI")'
    world["a"].siae.save()
    client.force_login(UserFactory(prison_staff=True, organisation=world["a"].establishment))
    figures = load_workbook(io.BytesIO(_xlsx(client)))["Chiffres"]
    values = [cell.value for row in figures.iter_rows() for cell in row if cell.value]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in values)


def test_iae_08_the_steering_committee_report_prints_with_the_previous_half_year(client, world):
    client.force_login(
        UserFactory(state_service=True, organisation__territory=world["a"].territory)
    )
    key = f"{PERIOD.start.year}-{1 if PERIOD.start.month == 1 else 2}"
    response = client.get(reverse("iae:steering_report"), {"semestre": key})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["period"] == PERIOD
    assert response.context["previous"] == PERIOD.previous_half_year()
    # The members the guide lists (003 §D.3), the figures, a blank area for the decisions.
    for member in ("DISP", "DDETS", "DFSPIP", "juges de l&#x27;application des peines"):
        assert member in html
    assert "Les collectivités territoriales" in html
    assert PERIOD.previous_half_year().title in html and PERIOD.title in html
    assert "Décisions du comité" in html and "data-relais-print" in html
    total = response.context["blocks"][-1]
    assert total["label"] == "Total"
    oriented = next(r for r in total["rows"] if r["label"] == "Personnes orientées par la CPU")
    # This half-year: p1, p2, p7, p6; the one before: p3, p4, p5 (site A).
    assert (oriented["now"], oriented["then"]) == (4, 3)
    for name in _person_names():
        assert name not in html
    # A half-year that does not parse: the current one, never a 500.
    assert client.get(reverse("iae:steering_report"), {"semestre": "20x6-9"}).status_code == 200


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("prison_a", {"a"}),
        ("siae_b", {"b"}),
        ("cpip_a", {"a"}),
        ("state", {"a", "b"}),
        ("cpip_elsewhere", set()),
        ("state_elsewhere", set()),
    ],
)
def test_iae_08_a_user_sees_only_their_sites_figures(client, world, other_territory, who, sees):
    users = {
        "prison_a": lambda: UserFactory(prison_staff=True, organisation=world["a"].establishment),
        "siae_b": lambda: UserFactory(siae_supervisor=True, organisation=world["b"].siae),
        "cpip_a": lambda: UserFactory(cpip=True, organisation=world["a"].establishment.spip),
        "state": lambda: UserFactory(
            state_service=True, organisation__territory=world["a"].territory
        ),
        "cpip_elsewhere": lambda: UserFactory(cpip=True),
        "state_elsewhere": lambda: UserFactory(
            state_service=True, organisation__territory=other_territory
        ),
    }
    client.force_login(users[who]())
    expected_oriented = {"a": 3, "b": 1}
    response = client.get(reverse("iae:indicators"), _period_query())
    assert response.status_code == 200
    assert {s.pk for s in response.context["sites"]} == {world[k].pk for k in sees}
    assert response.context["result"].total.oriented == sum(expected_oriented[k] for k in sees)
    html = response.content.decode()
    for key in ("a", "b"):
        assert (str(world[key].siae) in html) is (key in sees)
    workbook = load_workbook(io.BytesIO(_xlsx(client)))
    header = [cell.value for cell in workbook["Chiffres"][2]]
    for key in ("a", "b"):
        assert (str(world[key]) in header) is (key in sees)
    report = client.get(reverse("iae:steering_report"))
    assert {b["label"] for b in report.context["blocks"]} - {"Total"} == {
        str(world[k]) for k in sees
    }
    # Another's site asked by its number: a 404, on every output.
    for key in {"a", "b"} - sees:
        for name in ("iae:indicators", "iae:indicators_export", "iae:steering_report"):
            assert client.get(reverse(name), {"site": world[key].pk}).status_code == 404


def test_iae_08_other_roles_are_refused(client, world, siao_operator, social_worker):
    for user in (siao_operator, social_worker):
        client.force_login(user)
        for name in ("iae:indicators", "iae:indicators_export", "iae:steering_report"):
            assert client.get(reverse(name)).status_code == 403


def test_iae_08_the_indicators_dashboard_links_to_them_for_the_state_service(
    client, state_service_user, siao_operator
):
    client.force_login(state_service_user)
    html = client.get(reverse("indicators:dashboard")).content.decode()
    assert reverse("iae:indicators") in html and "Insertion par l'activité économique" in html
    client.force_login(siao_operator)  # refused there: no link
    assert (
        reverse("iae:indicators")
        not in client.get(reverse("indicators:dashboard")).content.decode()
    )
