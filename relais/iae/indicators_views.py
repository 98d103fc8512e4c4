"""IAE-08 screens: the indicators of the insertion sites per period, their spreadsheet and the
report printed for the departmental steering committee.

Who: the sites a user works on, exactly `Site.objects.visible_to(user)` (the State service
and the territory administrator their territory's, the establishment, the SIAE and the SPIP
their own). Aggregates only: no person is ever named. Other roles: 403.
"""

import datetime as dt
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.exports import safe_cell, safe_row
from relais.core.inputs import ListParams
from relais.indicators.charts import Chart, Series
from relais.indicators.exports import XLSX_TYPE

from . import indicators
from .indicators import Indicators, Period
from .models import Site

READER_ROLES = {
    Role.STATE_SERVICE,
    Role.TERRITORY_ADMIN,
    Role.PRISON_STAFF,
    Role.SIAE_COACH,
    Role.SIAE_SUPERVISOR,
    Role.CPIP,
}

# Guide 003 §D.3: "Le comité de pilotage départemental se réunit deux fois par an. Ce comité
# assure le suivi, l'évaluation et le bilan des projets menés sur leur territoire."
STEERING_COMMITTEE = [
    "Le chef de l'établissement pénitentiaire et le représentant de la DISP, en charge du "
    "pilotage du comité",
    "La direction départementale de l'emploi, du travail et des solidarités (DDETS), instance "
    "d'instruction au niveau local du dossier de conventionnement",
    "L'instance de direction de la SIAE",
    "Le directeur fonctionnel des services pénitentiaires d'insertion et de probation (DFSPIP), "
    "coordonnateur de l'action du SPIP de l'établissement pénitentiaire",
    "Les autorités judiciaires : juges de l'application des peines et parquet, informés du "
    "projet dans le cadre du suivi individuel et des aménagements de peine",
    "La Mission locale, en tant que partenaire associé, et la direction territoriale de "
    "France Travail (ex-Pôle emploi)",
    "Les collectivités territoriales",
]

QUICK_PERIODS = {
    "semestre": "Ce semestre",
    "semestre-precedent": "Semestre précédent",
    "annee": "Cette année",
    "annee-precedente": "Année précédente",
}


# -- who and what -----------------------------------------------------------------------------


def _sites(request):
    """The sites the user sees, and the one chosen (?site=), out of scope a 404."""
    user = request.user
    if not (user.is_superuser or user.role in READER_ROLES):
        raise PermissionDenied(
            "Les indicateurs de l'insertion par l'activité économique sont ouverts aux "
            "établissements, aux SIAE, aux SPIP et aux services de l'État."
        )
    visible = Site.objects.visible_to(user).select_related("siae", "establishment")
    chosen = ListParams(request).id("site", label="Site")
    if chosen:
        site = get_object_or_404(visible, pk=chosen)
        return visible, visible.filter(pk=site.pk), site
    return visible, visible, None


def _quick(choice: str, today: dt.date) -> Period:
    this_half = indicators.half_year(today)
    match choice:
        case "semestre-precedent":
            return this_half.previous_half_year()
        case "annee":
            return indicators.year(today)
        case "annee-precedente":
            return indicators.year(dt.date(today.year - 1, 1, 1))
        case _:
            return this_half


def _period(request) -> tuple[Period, str]:
    """The period asked for: ?du=&au= (both dates), else a quick choice (?periode=), by
    default the current half-year."""
    params = ListParams(request)
    today = timezone.localdate()
    start, end = params.day("du", label="Début"), params.day("au", label="Fin")
    if start and end:
        if start <= end:
            return Period(start, end), ""
        messages.warning(
            request, "Période : la fin précède le début. Le semestre en cours est affiché."
        )
        return _quick("semestre", today), "semestre"
    choice = params.choice("periode", choices=QUICK_PERIODS, label="Période") or "semestre"
    return _quick(choice, today), choice


def _query(site, period: Period, **extra) -> str:
    params = {"site": site.pk if site else None, "du": period.start, "au": period.end, **extra}
    return urlencode({k: v for k, v in params.items() if v is not None})


# -- what every output shows ------------------------------------------------------------------


def _table(result: Indicators) -> dict:
    """Rows of (label, value per site…, total): the same figures in the page and the file."""
    columns = [*result.sites, result.total] if len(result.sites) != 1 else result.sites
    labels = [label for label, _ in indicators.rows(result.total)]
    values = [[value for _, value in indicators.rows(figures)] for figures in columns]
    return {
        "header": [figures.label for figures in columns],
        "rows": [
            {"label": label, "values": [column[n] for column in values]}
            for n, label in enumerate(labels)
        ],
    }


def _charts(result: Indicators) -> list[Chart]:
    labels = [row.label for row in result.monthly]
    return [
        Chart(
            title="Orientations, recrutements et sorties par mois",
            x_title="Mois",
            short_title="Graphique – parcours",
            x_labels=labels,
            series=[
                Series("Orientées par la CPU", [row.oriented for row in result.monthly]),
                Series("Recrutées", [row.recruited for row in result.monthly]),
                Series("Sorties", [row.exits for row in result.monthly]),
                Series(
                    "Sorties vers l'emploi ou la formation",
                    [row.positive_exits for row in result.monthly],
                ),
            ],
        ),
        Chart(
            title="Heures travaillées par mois",
            x_title="Mois",
            short_title="Graphique – heures",
            x_labels=labels,
            unit="h",
            series=[Series("Heures travaillées", [float(row.hours) for row in result.monthly])],
        ),
    ]


def _number(value):
    """A cell value: decimals as floats (spreadsheets keep numbers as numbers)."""
    if value is None:
        return None
    return float(value) if not isinstance(value, int | str) else value


# -- the page ---------------------------------------------------------------------------------


def indicators_page(request):
    visible, sites, site = _sites(request)
    period, choice = _period(request)
    result = indicators.compute(sites, period)
    context = {
        "sites": visible,
        "site": site,
        "period": period,
        "choice": choice,
        "quick": [
            {
                "label": label,
                "query": urlencode({"periode": key, "site": site.pk if site else ""}),
                "current": key == choice,
            }
            for key, label in QUICK_PERIODS.items()
        ],
        "result": result,
        "table": _table(result),
        "charts": _charts(result),
        "xlsx_query": _query(site, period),
        "report_query": urlencode({"site": site.pk if site else "", "semestre": _half_key(period)}),
    }
    return render(request, "iae/indicators.html", context)


# -- the spreadsheet --------------------------------------------------------------------------


def _workbook(result: Indicators, charts: list[Chart]) -> bytes:
    workbook = Workbook()
    figures = workbook.active
    figures.title = "Chiffres"
    table = _table(result)
    figures.append(safe_row([f"Période {result.period.label}"]))
    figures.append(safe_row(["Indicateur", *table["header"]]))
    for cell in figures[2]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        figures.append([safe_cell(row["label"]), *(_number(v) for v in row["values"])])
    figures.column_dimensions["A"].width = 60
    figures.freeze_panes = "B3"

    monthly = workbook.create_sheet("Par mois")
    monthly.append(
        safe_row(
            [
                "Mois",
                "Orientées par la CPU",
                "Recrutées",
                "Sorties",
                "Sorties vers l'emploi ou la formation",
                "Heures travaillées",
            ]
        )
    )
    for cell in monthly[1]:
        cell.font = Font(bold=True)
    for row in result.monthly:
        monthly.append(
            [
                safe_cell(row.label),
                row.oriented,
                row.recruited,
                row.exits,
                row.positive_exits,
                float(row.hours),
            ]
        )
    last = len(result.monthly) + 1
    for chart, (first_col, last_col), anchor in zip(
        charts, [(2, 5), (6, 6)], ["H2", "H28"], strict=True
    ):
        native = BarChart()
        native.type = "col"
        native.title = chart.title
        native.x_axis.title = chart.x_title
        native.y_axis.title = chart.unit or "personnes"
        native.width, native.height = 24, 12
        data = Reference(monthly, min_col=first_col, max_col=last_col, min_row=1, max_row=last)
        native.add_data(data, titles_from_data=True)
        native.set_categories(Reference(monthly, min_col=1, min_row=2, max_row=last))
        for bar, series in zip(native.series, chart.series, strict=True):
            bar.graphicalProperties.solidFill = series.colour.lstrip("#")
        # openpyxl hides both axes unless told otherwise.
        native.x_axis.delete = native.y_axis.delete = False
        monthly.add_chart(native, anchor)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def indicators_export(request):
    _, sites, site = _sites(request)
    period, _ = _period(request)
    result = indicators.compute(sites, period)
    audit.record(
        request_or_user=request,
        action=Action.EXPORT,
        detail={
            "indicateurs_iae": f"{period.start.isoformat()}/{period.end.isoformat()}",
            "site": site.pk if site else None,
        },
    )
    response = HttpResponse(_workbook(result, _charts(result)), content_type=XLSX_TYPE)
    filename = f"indicateurs-iae-{period.start:%Y-%m-%d}-{period.end:%Y-%m-%d}"
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# -- the steering committee's report ----------------------------------------------------------


def _half_key(period: Period) -> str:
    return f"{period.start.year}-{1 if period.start.month <= 6 else 2}"


def _half_years(today: dt.date, count: int = 6) -> list[Period]:
    halves = [indicators.half_year(today)]
    while len(halves) < count:
        halves.append(halves[-1].previous_half_year())
    return halves


def _half_from(request) -> Period:
    text = ListParams(request).raw("semestre")
    today = timezone.localdate()
    year_text, _, half = text.partition("-")
    if year_text.isascii() and year_text.isdigit() and half in ("1", "2"):
        year = int(year_text)
        if 2000 <= year <= today.year + 1:
            return indicators.half_year(dt.date(year, 1 if half == "1" else 7, 1))
    if text:
        messages.warning(
            request, "Semestre : valeur non reconnue, le semestre en cours est affiché."
        )
    return indicators.half_year(today)


def steering_report(request):
    visible, sites, site = _sites(request)
    period = _half_from(request)
    previous = period.previous_half_year()
    current, before = indicators.compute(sites, period), indicators.compute(sites, previous)
    blocks = []
    pairs = list(zip(current.sites, before.sites, strict=True))
    if len(pairs) != 1:
        pairs.append((current.total, before.total))
    for now, then in pairs:
        blocks.append(
            {
                "label": now.label,
                "rows": [
                    {"label": label, "now": value, "then": old}
                    for (label, value), (_, old) in zip(
                        indicators.rows(now), indicators.rows(then), strict=True
                    )
                ],
            }
        )
    context = {
        "sites": visible,
        "site": site,
        "period": period,
        "previous": previous,
        "half_years": [
            {"key": _half_key(h), "title": h.title} for h in _half_years(timezone.localdate())
        ],
        "half_key": _half_key(period),
        "members": STEERING_COMMITTEE,
        "blocks": blocks,
        "charts": _charts(current),
        "today": timezone.localdate(),
        "decision_lines": range(6),
    }
    return render(request, "iae/steering_report.html", context)
