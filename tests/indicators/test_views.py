"""SIAO-19: dashboard, drill-down, exports, the Friday file, reports, data quality; who sees what."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from relais.audit.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY_28 = {"arrete": "daily", "jour": "2026-03-28"}
WEEK_APR_3 = {"arrete": "weekly", "jour": "2026-04-03"}


def _get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_siao_19_the_siao_sees_the_table_and_the_requests_behind_a_cell(
    client, golden, siao_operator
):
    response = _get(client, siao_operator, "indicators:dashboard", **DAY_28)
    assert response.status_code == 200
    html = response.content.decode()
    assert "CHU Le Phare" in html
    assert "30,0 %" in html
    links = re.findall(r'href="(/indicateurs/detail/\?[^"]+)"', html)
    orientations = [
        link.replace("&amp;", "&")
        for link in links
        if "indicateur=orientations" in link and "niveau=structure" in link
    ]
    assert len(orientations) == 1
    detail = client.get(orientations[0])
    assert detail.status_code == 200
    for request in golden.u1:
        assert reverse("requests:detail", args=[request.pk]) in detail.content.decode()
    assert reverse("requests:detail", args=[golden.u2.pk]) not in detail.content.decode()


def test_siao_19_the_state_service_sees_figures_but_never_a_person(
    client, golden, state_service_user
):
    response = _get(client, state_service_user, "indicators:dashboard", **DAY_28)
    assert response.status_code == 200
    html = response.content.decode()
    assert "30,0 %" in html
    assert "/indicateurs/detail/" not in html
    drill = _get(
        client,
        state_service_user,
        "indicators:drilldown",
        **DAY_28,
        indicateur="orientations",
        niveau="channel",
        cle="emergency",
        dispositif="emergency",
    )
    assert drill.status_code == 403
    transmission = _get(client, state_service_user, "indicators:transmission", jour="2026-04-03")
    assert transmission.status_code == 200
    assert "/demandes/" not in transmission.content.decode()


def test_siao_19_each_territory_sees_its_own_figures_only(client, golden, other_territory):
    siao = OrganisationFactory(siao=True, territory=other_territory)
    elsewhere = UserFactory(siao_operator=True, organisation=siao)
    response = _get(
        client, elsewhere, "indicators:dashboard", **DAY_28, territoire=golden.chu.territory_id
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bas-Rhin" in html and "CHU Le Phare" not in html


def test_siao_19_other_roles_are_refused(client, golden, social_worker, structure_manager):
    for user in (social_worker, structure_manager):
        assert _get(client, user, "indicators:dashboard").status_code == 403


def test_siao_19_superuser_chooses_the_territory(client, golden, territory):
    admin = UserFactory(is_superuser=True, is_staff=True, role="", organisation=None)
    response = _get(client, admin, "indicators:dashboard", **DAY_28, territoire=territory.pk)
    assert response.status_code == 200
    assert "CHU Le Phare" in response.content.decode()
    assert "/indicateurs/detail/" in response.content.decode()


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_siao_19_csv_and_xlsx_carry_the_same_table(client, golden, state_service_user):
    csv_response = _get(client, state_service_user, "indicators:export", **DAY_28, format="csv")
    assert csv_response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(csv_response)
    header, body = rows[0], rows[1:]
    chu = dict(zip(header, next(r for r in body if r[6] == "CHU Le Phare"), strict=True))
    assert chu["Orientations réalisées – personnes"] == "3"
    assert chu["Orientations réalisées – groupes"] == "1"
    assert chu["Demandes formulées – personnes"] == ""  # no structure for a request
    assert chu["Taux d'occupation (%)"] == "30,0"
    assert chu["Fin de période (incluse)"] == "29/03/2026 00:00"

    xlsx = _get(client, state_service_user, "indicators:export", **DAY_28, format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == header
    assert len(values) == len(rows)
    chu_xlsx = dict(zip(header, next(r for r in values if r[6] == "CHU Le Phare"), strict=True))
    assert chu_xlsx["Orientations réalisées – personnes"] == 3
    assert chu_xlsx["Taux d'occupation (%)"] == 30.0
    assert AuditEvent.objects.filter(action="export").count() == 2


def test_siao_19_the_friday_file_has_the_week_and_its_seven_midnights(
    client, golden, siao_operator
):
    page = _get(client, siao_operator, "indicators:transmission", jour="2026-04-03")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Semaine arrêtée le vendredi 03/04/2026" in html
    assert html.count("(arrêté à minuit)") >= 7
    xlsx = _get(client, siao_operator, "indicators:transmission", jour="2026-04-03", format="xlsx")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames[0] == "Hebdomadaire"
    assert len(workbook.sheetnames) == 8
    csv_rows = _csv_rows(
        _get(client, siao_operator, "indicators:transmission", jour="2026-04-03", format="csv")
    )
    housing = next(r for r in csv_rows if r[1].startswith("Hebdo") and r[6] == "Logement")
    assert housing[9:11] == ["2", "2"]  # requests L2 and L3


def test_siao_19_activity_reports_add_up_the_cut_offs(client, golden, state_service_user):
    page = _get(client, state_service_user, "indicators:report", bilan="annuel", debut="2026-01-01")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bilan annuel" in html and "mars 2026" in html
    semester = _get(
        client, state_service_user, "indicators:report", bilan="semestriel", debut="2026-03-10"
    )
    assert "Du 01/03/2026 au 31/08/2026" in semester.content.decode()
    xlsx = _get(
        client,
        state_service_user,
        "indicators:report",
        bilan="semestriel",
        debut="2026-03-01",
        format="xlsx",
    )
    workbook = load_workbook(io.BytesIO(xlsx.content))
    months = [list(r) for r in workbook["Par mois"].iter_rows(values_only=True)]
    march_urgence = next(r for r in months if r[1] == "mars 2026" and r[2] == "Urgence")
    # Direct admissions, requests, orientations in March (persons), as known now: D1 counts.
    assert march_urgence[3:6] == [1, 5, 4]


def test_siao_19_data_quality_shows_late_ends_of_stay(client, golden, siao_operator):
    page = _get(client, siao_operator, "indicators:quality")
    assert page.status_code == 200
    rows = _csv_rows(_get(client, siao_operator, "indicators:quality", format="csv"))
    chu = next(r for r in rows if r[0] == "CHU Le Phare")
    # U2's end was entered on time, the U1 household's (3 persons) three days late.
    assert chu[6:9] == ["4", "3", "75,0"]


def test_siao_19_pages_need_no_inline_script_or_style(client, golden, siao_operator):
    for name, params in [
        ("indicators:dashboard", DAY_28),
        ("indicators:dashboard", WEEK_APR_3),
        ("indicators:transmission", {"jour": "2026-04-03"}),
        ("indicators:report", {"bilan": "annuel", "debut": "2026-01-01"}),
        ("indicators:quality", {}),
    ]:
        html = _get(client, siao_operator, name, **params).content.decode()
        assert " style=" not in html
        assert "<script>" not in html
        assert "onclick" not in html
    assert "<svg" in _get(client, siao_operator, "indicators:dashboard", **DAY_28).content.decode()
