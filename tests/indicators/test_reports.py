"""SIAO-17, SIAO-19: the activity reports count each fact where it happened, as known when they
are produced, beside the frozen weekly transmissions; XLSX with native charts; labelled
downloads; one circular cited. See tests/indicators/conftest.py for the golden fortnight
(D1's direct admission happens on Sunday 29 March and is entered on Monday 30 at 09:00)."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.chart import LineChart

from relais.indicators.charts import Chart, Series
from relais.indicators.engine import CIRCULAR, Indicator, Level
from relais.indicators.reports import ReportKind, build
from relais.requests.enums import Channel

pytestmark = pytest.mark.django_db

U = Channel.EMERGENCY
SEMESTER = {"bilan": "semestriel", "debut": "2026-03-01"}
DIRECT = Indicator.DIRECT_ADMISSIONS


def _get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_siao_17_a_direct_admission_recorded_late_counts_where_it_happened_in_the_report(
    golden, territory
):
    report = build(territory, kind=ReportKind.SEMESTER, start=dt.date(2026, 3, 1))
    urgence = next(t for t in report.totals if U in t.cutoff.channels)
    chu = urgence.row(Level.STRUCTURE, golden.chu.pk, U)
    assert chu.count(DIRECT).persons == 1
    assert not urgence.has_late_entries
    march = next(m for m in report.months if m.first.month == 3)
    assert march.counts[U][DIRECT] == 1
    # The same period as transmitted: D1 is a late entry, not in the figures.
    sent = next(t for t in report.transmitted if U in t.cutoff.channels)
    assert sent.row(Level.STRUCTURE, golden.chu.pk, U).count(DIRECT).persons == 0
    assert sent.row(Level.STRUCTURE, golden.chu.pk, U).late_count(DIRECT).persons == 1


def test_siao_17_the_report_page_shows_it_in_its_main_table_and_the_transmission_late(
    client, golden, state_service_user
):
    html = _get(client, state_service_user, "indicators:report", **SEMESTER).content.decode()
    main, sent = html.split("Chiffres tels que transmis chaque semaine")
    chu_main = re.search(
        r"<th scope=\"row\">CHU Le Phare</th>\s*<td>Urgence</td>\s*"
        r"<td class=\"relais-number\">(\d+)</td>",
        main,
    )
    assert chu_main and chu_main.group(1) == "1"
    assert "Saisies tardives" not in main and "Saisies tardives" in sent
    assert "tel qu'il est connu le" in main  # the one sentence that tells the two apart
    assert 'href="/indicateurs/transmission-hebdomadaire/?jour=2026-04-03"' in sent


def test_siao_19_the_weekly_file_still_counts_the_late_direct_admission_as_late(
    client, golden, siao_operator
):
    rows = _csv(
        _get(client, siao_operator, "indicators:transmission", jour="2026-04-03", format="csv")
    )
    header = rows[0]
    chu = {
        r[1]: dict(zip(header, r, strict=True))
        for r in rows[1:]
        if r[6] == "CHU Le Phare" and r[1].startswith("Urgence")
    }
    assert chu["Urgence 29-03"]["Admissions directes – personnes"] == "0"
    assert chu["Urgence 30-03"]["Admissions directes – saisies tardives – personnes"] == "1"


def test_siao_19_the_report_xlsx_has_native_charts_beside_their_figures(
    client, golden, state_service_user
):
    response = _get(client, state_service_user, "indicators:report", **SEMESTER, format="xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    charts = {name: workbook[name]._charts for name in workbook.sheetnames}
    drawn = {name: found for name, found in charts.items() if found}
    assert set(drawn) == {
        "Graphique – demandes",
        "Graphique – orientations",
        "Graphique – occupation",
    }
    sheet = workbook["Graphique – demandes"]
    assert [c.value for c in sheet[1]] == [
        "Mois",
        "Urgence",
        "Insertion / stabilisation",
        "Logement",
    ]
    assert sheet["A2"].value == "mars 2026" and sheet["B2"].value == 5  # U1 ×3, U2, U4
    (chart,) = drawn["Graphique – demandes"]
    assert isinstance(chart, LineChart) and len(chart.series) == 3
    # The tables of the period, as known now and as transmitted, are there too.
    assert "Par mois" in workbook.sheetnames
    assert "Urgence, tel que transmis" in workbook.sheetnames
    # The CSV carries the tables only: no chart sheet in it.
    csv_rows = _csv(_get(client, state_service_user, "indicators:report", **SEMESTER, format="csv"))
    assert not any(row[:2] == ["Mois", "Urgence"] for row in csv_rows)


def test_siao_19_the_dashboard_xlsx_has_the_pages_three_charts(client, golden, siao_operator):
    response = _get(
        client, siao_operator, "indicators:export", arrete="daily", jour="2026-03-28", format="xlsx"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert sum(len(workbook[name]._charts) for name in workbook.sheetnames) == 3
    assert workbook.active.title.startswith("journée du 28")


def test_siao_19_csv_and_xlsx_buttons_are_told_apart(client, golden, siao_operator):
    for name, params in [
        ("indicators:dashboard", {}),
        ("indicators:report", SEMESTER),
        ("indicators:transmission", {"jour": "2026-04-03"}),
        ("indicators:quality", {}),
    ]:
        html = _get(client, siao_operator, name, **params).content.decode()
        csv_link = re.search(r'<a class="([^"]*)" href="[^"]*format=csv"[^>]*>([^<]*)</a>', html)
        xlsx_link = re.search(r'<a class="([^"]*)" href="[^"]*format=xlsx"[^>]*>([^<]*)</a>', html)
        assert csv_link.group(2) == "Télécharger en CSV"
        assert xlsx_link.group(2) == "Télécharger en XLSX"
        assert csv_link.group(1) != xlsx_link.group(1)  # a different icon each


def test_siao_19_one_circular_is_cited(client, golden, siao_operator):
    assert CIRCULAR.endswith("du 7 juillet 2010")
    for name, params in [
        ("indicators:dashboard", {}),
        ("indicators:report", SEMESTER),
        ("indicators:transmission", {"jour": "2026-04-03"}),
    ]:
        html = _get(client, siao_operator, name, **params).content.decode()
        assert CIRCULAR in html
        assert "8 avril" not in html


def test_siao_19_chart_labels_fit_in_the_picture():
    chart = Chart(
        title="Demandes",
        x_labels=["septembre 2026", "octobre 2026", "novembre 2026"],
        series=[Series("Urgence", [1, 2, 3])],
    )
    svg = str(chart.svg)
    width, height = map(float, re.search(r'viewBox="0 0 (\S+) (\S+)"', svg).groups())
    for x, y, label in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"[^>]*rotate[^>]*>([^<]+)<', svg):
        # Written leftwards and downwards from its tick at 35°; 11 px glyphs are < 6.4 px wide.
        length = 6.4 * len(label)
        assert float(x) - length * 0.82 >= 0, label
        assert float(y) + length * 0.58 <= height, label
