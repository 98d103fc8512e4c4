"""The release pipeline page and its exports (JUS-06), for the SPIP and the SIAO."""

import dataclasses
import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from relais.accounts.enums import Role
from relais.accounts.models import Organisation
from relais.accounts.navigation import CAN_CREATE_INSERTION
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.exitplan.readiness import PLAN_FILTERS, matches, readiness_by_detention
from relais.indicators.exports import Sheet, csv_response, xlsx_response

from .housing import Solution
from .pipeline import DEFAULT_MONTHS, Due, Line, due_out, horizon, in_detention, lines_of

PAGE_SIZE = 50
HORIZONS = [3, 6, 12, 18, 24]
OVERDUE = "depassee"
_ROLES = {Role.CPIP, Role.SIAO_OPERATOR}


def _require_access(user) -> None:
    if not (user.is_superuser or user.role in _ROLES):
        raise PermissionDenied("Le suivi des sorties de détention est réservé au SPIP et au SIAO.")


def _month_choices(today: dt.date, months: int) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    last = horizon(today, months)
    choices = [(OVERDUE, "Date déjà dépassée")]
    day = first
    while day <= last:
        choices.append((f"{day:%Y-%m}", date_format(day, "F Y")))
        day = horizon(day, 1)
    return choices


def _filters(request, today: dt.date) -> tuple[dict, dict]:
    """(the filters as typed, kept for the form; the arguments of due_out). A value that
    does not parse is ignored with a French message (ListParams)."""
    params = ListParams(request)
    months = int(params.choice("horizon", choices=HORIZONS, label="Horizon") or DEFAULT_MONTHS)
    arguments: dict = {"months": months}
    establishment_id = params.id("establishment", label="Établissement")
    cpip_id = params.id("cpip", label="CPIP")
    solution = params.choice("solution", choices=Solution.values, label="Hébergement")
    month = params.choice(
        "month", choices=dict(_month_choices(today, months)), label="Mois de sortie"
    )
    plan = params.choice("plan", choices=dict(PLAN_FILTERS), label="Plan de sortie")
    if month == OVERDUE:
        arguments["overdue"] = True
    elif month:
        arguments["month"] = (int(month[:4]), int(month[5:]))
    arguments.update(establishment_id=establishment_id, cpip_id=cpip_id, solution=solution)
    typed = {
        "horizon": str(months),
        "establishment": str(establishment_id or ""),
        "cpip": str(cpip_id or ""),
        "solution": solution,
        "month": month,
        "plan": plan,
    }
    return typed, arguments


def _dues(request, today: dt.date, typed: dict, arguments: dict) -> list[Due]:
    """The rows of the pipeline as filtered, the exit plan's filter included (EXIT-02: two
    more queries, whatever the number of rows)."""
    dues = due_out(request.user, today=today, **arguments)
    if typed["plan"]:
        ready = readiness_by_detention(request.user, dues, today=today)
        dues = [due for due in dues if matches(ready[due.detention_id], typed["plan"])]
    return dues


def _lines(request, dues, today: dt.date) -> list[Line]:
    """The lines shown, each with its exit plan's readiness as the reader sees it."""
    lines = lines_of(dues)
    ready = readiness_by_detention(request.user, lines, today=today)
    return [dataclasses.replace(line, readiness=ready[line.detention.pk]) for line in lines]


def pipeline(request):
    """Everyone due out in the coming months, most urgent first, with their housing."""
    _require_access(request.user)
    today = timezone.localdate()
    typed, arguments = _filters(request, today)
    dues = _dues(request, today, typed, arguments)
    page = Paginator(dues, PAGE_SIZE).get_page(request.GET.get("page"))
    population = in_detention(request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "releases/pipeline.html",
        {
            "lines": _lines(request, page.object_list, today),
            "page": page,
            "today": today,
            "filters": typed,
            "horizons": HORIZONS,
            "establishments": Organisation.objects.filter(detentions__in=population)
            .distinct()
            .order_by("name")
            .values_list("pk", "name"),
            "cpips": [
                (user.pk, str(user))
                for user in get_user_model()
                .objects.filter(followed_detentions__in=population)
                .distinct()
                .order_by("last_name", "first_name")
            ],
            "solutions": Solution.choices,
            "months": _month_choices(today, arguments["months"]),
            "plan_filters": PLAN_FILTERS,
            "query": query.urlencode(),
            "urgent": sum(1 for due in dues if due.urgent),
            "can_create": request.user.is_superuser or request.user.role in CAN_CREATE_INSERTION,
        },
    )


HEADER = [
    "Nom",
    "Prénoms",
    "Date de naissance",
    "Établissement",
    "Numéro d'écrou",
    "CPIP référent",
    "Date de fin de peine prévue",
    "Examen de la LSC",
    "Hébergement acquis à l'examen de la LSC",
    "LSC de plein droit",
    "Hébergement acquis à la LSC de plein droit",
    "Sortie possible au plus tôt",
    "Jours restants",
    "Hébergement",
    "Hébergement acquis",
    "Structure",
    "Aménagement en vue",
    "Plan de sortie",
]


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("oui" if value else "non")


def _row(line: Line, *, dates_as_text: bool) -> list:
    detention, person = line.detention, line.person

    def day(value):
        if value is None:
            return ""
        return f"{value:%d/%m/%Y}" if dates_as_text else value

    orientation = line.housing.orientation
    return [
        person.last_name.upper(),
        person.first_names,
        person.birth_date_display,
        str(detention.establishment),
        detention.prison_number,
        str(detention.cpip) if detention.cpip else "",
        day(detention.end_date),
        day(detention.lsc_examination_on),
        _yes_no(line.lsc_examination_secured),
        day(detention.lsc_automatic_on),
        _yes_no(line.lsc_automatic_secured),
        day(detention.due_on),
        line.days_left,
        line.housing.label,
        _yes_no(line.secured),
        str(orientation.structure) if orientation else "",
        str(line.adjustment) if line.adjustment else "",
        line.readiness.label,
    ]


def pipeline_export(request):
    """The pipeline as filtered on the page, every line, as CSV or XLSX."""
    _require_access(request.user)
    today = timezone.localdate()
    typed, arguments = _filters(request, today)
    lines = _lines(request, _dues(request, today, typed, arguments), today)
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    audit.record(
        request_or_user=request,
        action=Action.EXPORT,
        detail={"sorties": len(lines), "format": fmt, "filtres": typed},
    )
    filename = f"sorties-{today:%Y-%m-%d}"
    sheet = Sheet(
        title="Sorties de détention",
        header=HEADER,
        rows=[_row(line, dates_as_text=fmt == "csv") for line in lines],
    )
    if fmt == "xlsx":
        return xlsx_response(filename, [sheet])
    return csv_response(filename, [sheet])
