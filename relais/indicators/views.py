"""Indicator pages (SIAO-19): dashboard, drill-down, exports, the Friday file, activity reports
and data quality.

Who sees what, checked here on every view:
- the SIAO operator: its own territory, figures and the requests behind them;
- the State service: its own territory, figures only: never a person;
- a superuser: any territory (?territoire=), people included.
"""

import datetime as dt
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Territory
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import ListParams
from relais.requests.enums import Channel
from relais.requests.models import Request

from . import exports, quality, reports
from .calendar import Cutoff, Schedule, cutoff_for, daily_cutoffs_of_week, latest_cutoff
from .charts import Chart, Series
from .dry_exits import dry_exits_by_month
from .engine import COUNTED, SOURCE, Indicator, Level, Table, compute
from .exit_plans import exit_plan_months, exit_plans_sheet, top_missing
from .justice import justice_months

CHART_POINTS = {Schedule.DAILY: 14, Schedule.WEEKLY: 12}


# -- who and what -----------------------------------------------------------------------------


def reader_territory(request) -> Territory:
    """The territory whose figures the reader sees: their own (SIAO, State service), or the
    one a superuser chose (?territoire=); anyone else is refused. Pages and API ask this."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_superuser:
        chosen = ListParams(request).id("territoire", label="Territoire")
        territories = Territory.objects.order_by("insee_code")
        if chosen:
            return get_object_or_404(territories, pk=chosen)
        territory = territories.first()
        if territory is None:
            raise Http404("Aucun territoire.")
        return territory
    if user.role in (Role.SIAO_OPERATOR, Role.STATE_SERVICE) and user.organisation_id:
        return user.organisation.territory
    raise PermissionDenied("Les indicateurs sont réservés au SIAO et aux services de l'État.")


def may_see_people(user) -> bool:
    """Drill-down to the requests: never for the State service, which reads aggregates only."""
    return user.is_superuser or user.role == Role.SIAO_OPERATOR


def _day(request, name: str) -> dt.date | None:
    return ListParams(request).day(name, label="Date")


def _cutoff(request, *, schedule: str | None = None) -> Cutoff:
    """The cut-off asked for (?arrete=daily|weekly&jour=YYYY-MM-DD), never a future one."""
    if schedule is None:
        schedule = request.GET.get("arrete", Schedule.WEEKLY)
        if schedule not in Schedule.values:
            schedule = Schedule.WEEKLY
    latest = latest_cutoff(schedule)
    day = _day(request, "jour")
    if day is None:
        return latest
    cutoff = cutoff_for(schedule, day)
    return cutoff if cutoff <= latest else latest


def _query(territory, request, **params) -> str:
    if request.user.is_superuser:
        params = {"territoire": territory.pk, **params}
    return urlencode({k: v for k, v in params.items() if v is not None})


# -- dashboard --------------------------------------------------------------------------------


def _display_rows(table: Table, request, *, drill: bool) -> list[dict]:
    """Rows with their cells and, for roles that may see people, the drill-down links."""

    def link(indicator: str, row, *, late: bool = False) -> str | None:
        if not drill:
            return None
        query = _query(
            table.territory,
            request,
            arrete=table.cutoff.schedule,
            jour=table.cutoff.day.isoformat(),
            indicateur=indicator,
            niveau=row.level,
            cle=row.key,
            dispositif=row.channel,
            tardives="1" if late else None,
        )
        return f"{reverse('indicators:drilldown')}?{query}"

    rows = []
    for row in table.rows:
        cells = []
        for indicator in COUNTED:
            count = row.count(indicator)
            cells.append(
                {
                    "count": count,
                    "url": link(indicator, row) if count and count.persons else None,
                }
            )
        late = [
            {"label": Indicator(ind).label, "count": count, "url": link(ind, row, late=True)}
            for ind in COUNTED
            if (count := row.late_count(ind)) and count.persons
        ]
        rows.append(
            {
                "row": row,
                "cells": cells,
                "late": late,
                "hosted_url": link(Indicator.HOSTED, row) if row.hosted else None,
            }
        )
    return rows


def _sections(table: Table, request, *, drill: bool) -> list[dict]:
    """The rows grouped by level: one table per dispositif, structure type and structure."""
    rows = _display_rows(table, request, drill=drill)
    return [
        {
            "title": f"Par {Level(level).label.lower()}",
            "level": level,
            "rows": [r for r in rows if r["row"].level == level],
        }
        for level in Level.values
    ]


# A past cut-off counts only what was recorded by its instant, so its events never change:
# pages that redraw a dozen earlier cut-offs (charts, the Friday file) take them from the cache.
# Capacities and labels are read live, hence a short lifetime rather than forever.
PAST_CUTOFF_CACHE_SECONDS = 300


def _compute(territory: Territory, cutoff: Cutoff) -> Table:
    if cutoff.at > timezone.now():
        return compute(territory, cutoff)
    key = f"indicators:{territory.pk}:{cutoff.schedule}:{cutoff.day.isoformat()}"
    return cache.get_or_set(key, lambda: compute(territory, cutoff), PAST_CUTOFF_CACHE_SECONDS)


def _charts(territory: Territory, cutoff: Cutoff) -> list[Chart]:
    cutoffs = [cutoff]
    while len(cutoffs) < CHART_POINTS[cutoff.schedule]:
        cutoffs.insert(0, cutoffs[0].previous)
    tables = [_compute(territory, c) for c in cutoffs]
    labels = [c.short_label for c in cutoffs]
    charts = []
    for indicator in (Indicator.REQUESTS, Indicator.ORIENTATIONS):
        charts.append(
            Chart(
                title=f"{Indicator(indicator).label} (personnes), par dispositif",
                short_title=f"Graphique – {reports.SHORT[indicator]}",
                x_labels=labels,
                series=[
                    Series(
                        Channel(channel).label,
                        [
                            t.row(Level.CHANNEL, channel, channel).count(indicator).persons
                            for t in tables
                        ],
                    )
                    for channel in cutoff.channels
                ],
            )
        )
    charts.append(
        Chart(
            title="Taux d'occupation à l'arrêté (%), par dispositif",
            short_title="Graphique – occupation",
            x_labels=labels,
            unit="%",
            series=[
                Series(
                    Channel(channel).label,
                    [t.row(Level.CHANNEL, channel, channel).occupancy for t in tables],
                )
                for channel in cutoff.channels
            ],
        )
    )
    return charts


def dashboard(request):
    territory = reader_territory(request)
    cutoff = _cutoff(request)
    table = _compute(territory, cutoff)
    here = {"arrete": cutoff.schedule, "jour": cutoff.day.isoformat()}
    previous, following = cutoff.previous, cutoff.next
    context = {
        "territory": territory,
        "source": SOURCE,
        "territories": Territory.objects.order_by("insee_code")
        if request.user.is_superuser
        else [],
        "table": table,
        "cutoff": cutoff,
        "schedules": Schedule.choices,
        "sections": _sections(table, request, drill=may_see_people(request.user)),
        "charts": _charts(territory, cutoff),
        "dry_exits": dry_exits_by_month(territory, until=cutoff.day),
        "justice": justice_months(territory, until=cutoff.day),
        "csv_query": _query(territory, request, **here, format="csv"),
        "xlsx_query": _query(territory, request, **here, format="xlsx"),
        "previous_query": _query(territory, request, arrete=cutoff.schedule, jour=previous.day),
        "next_query": _query(territory, request, arrete=cutoff.schedule, jour=following.day)
        if following.is_past()
        else "",
        "territory_query": _query(territory, request),
        "may_see_people": may_see_people(request.user),
    }
    context["exit_plans"] = exit_plan_months(territory, until=cutoff.day)
    context["exit_plans_top"] = top_missing(context["exit_plans"])
    context["justice_drill"] = (
        f"{reverse('releases:pipeline')}" if may_see_people(request.user) else ""
    )
    return render(request, "indicators/dashboard.html", context)


def table_export(request):
    territory = reader_territory(request)
    cutoff = _cutoff(request)
    table = _compute(territory, cutoff)
    sheets = [
        exports.table_sheet(table, title=cutoff.label),
        *(exports.chart_sheet(chart) for chart in _charts(territory, cutoff)),
    ]
    filename = f"indicateurs-{territory.insee_code}-{cutoff.slug}"
    audit.record(
        request_or_user=request,
        action=Action.EXPORT,
        detail={"indicateurs": cutoff.slug, "territoire": territory.insee_code},
    )
    if request.GET.get("format") == "xlsx":
        # The releases with a complete exit plan (EXIT-04): a table of its own, in the XLSX only
        # (the CSV holds the cut-off's table, one header for all its lines).
        sheets.append(exit_plans_sheet(exit_plan_months(territory, until=cutoff.day)))
        return exports.xlsx_response(filename, sheets)
    return exports.csv_response(filename, sheets)


# -- drill-down -------------------------------------------------------------------------------


def drilldown(request):
    """The requests behind one cell, among those the user may see."""
    territory = reader_territory(request)
    if not may_see_people(request.user):
        raise PermissionDenied("Les services de l'État ne voient que des chiffres agrégés.")
    cutoff = _cutoff(request)
    indicator = request.GET.get("indicateur", Indicator.REQUESTS)
    level = request.GET.get("niveau", Level.CHANNEL)
    channel = request.GET.get("dispositif", cutoff.channels[0])
    key = request.GET.get("cle", channel)
    late = request.GET.get("tardives") == "1"
    if (
        indicator not in Indicator.values
        or level not in Level.values
        or channel not in cutoff.channels
    ):
        raise Http404("Cellule inconnue.")
    table = _compute(territory, cutoff)
    row = table.row(level, key, channel)
    ids = table.request_ids(indicator=indicator, level=level, key=key, channel=channel, late=late)
    requests = (
        Request.objects.visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("person", "host_structure", "referrer_organisation")
        .order_by("person__birth_name", "pk")
    )
    audit.record(
        request_or_user=request,
        action=Action.SEARCH,
        detail={
            "indicateurs": cutoff.slug,
            "indicateur": indicator,
            "niveau": level,
            "cle": key,
            "dispositif": channel,
            "tardives": late,
        },
    )
    back = _query(territory, request, arrete=cutoff.schedule, jour=cutoff.day.isoformat())
    context = {
        "territory": territory,
        "cutoff": cutoff,
        "indicator_label": Indicator(indicator).label,
        "row_label": row.label if row else key,
        "channel_label": Channel(channel).label,
        "late": late,
        "requests": requests,
        "hidden": len(ids) - len(requests),
        "back_query": back,
    }
    return render(request, "indicators/drilldown.html", context)


# -- the Friday file --------------------------------------------------------------------------


def transmission(request):
    """Article 4: the weekly transmission to the State services, as of Friday 17:00."""
    territory = reader_territory(request)
    weekly = _cutoff(request, schedule=Schedule.WEEKLY)
    tables = [_compute(territory, weekly)] + [
        _compute(territory, daily) for daily in daily_cutoffs_of_week(weekly)
    ]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        sheets = [
            exports.table_sheet(
                table,
                title=(
                    "Hebdomadaire"
                    if table.cutoff.schedule == Schedule.WEEKLY
                    else f"Urgence {table.cutoff.day:%d-%m}"
                ),
            )
            for table in tables
        ]
        audit.record(
            request_or_user=request,
            action=Action.EXPORT,
            detail={"transmission": weekly.slug, "territoire": territory.insee_code},
        )
        filename = f"transmission-hebdomadaire-{territory.insee_code}-{weekly.day:%Y-%m-%d}"
        if fmt == "xlsx":
            return exports.xlsx_response(filename, sheets)
        return exports.csv_response(filename, sheets)
    here = {"jour": weekly.day.isoformat()}
    context = {
        "territory": territory,
        "source": SOURCE,
        "cutoff": weekly,
        "weekly": {"table": tables[0], "sections": _sections(tables[0], request, drill=False)},
        "dailies": [
            {"table": table, "sections": _sections(table, request, drill=False)}
            for table in tables[1:]
        ],
        "csv_query": _query(territory, request, **here, format="csv"),
        "xlsx_query": _query(territory, request, **here, format="xlsx"),
        "previous_query": _query(territory, request, jour=weekly.previous.day),
        "generated_at": timezone.now(),
    }
    return render(request, "indicators/transmission.html", context)


# -- activity reports -------------------------------------------------------------------------


def report(request):
    """Article 4: the 6-month and the annual activity reports."""
    territory = reader_territory(request)
    kind = request.GET.get("bilan", reports.ReportKind.ANNUAL)
    if kind not in reports.ReportKind.values:
        kind = reports.ReportKind.ANNUAL
    built = reports.build(territory, kind=kind, start=_day(request, "debut"))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit.record(
            request_or_user=request,
            action=Action.EXPORT,
            detail={"bilan": kind, "debut": built.first_day, "territoire": territory.insee_code},
        )
        filename = f"bilan-{kind}-{territory.insee_code}-{built.first_day:%Y-%m-%d}"
        if fmt == "xlsx":
            return exports.xlsx_response(filename, built.sheets)
        return exports.csv_response(filename, built.sheets)
    here = {"bilan": kind, "debut": built.first_day.isoformat()}
    context = {
        "territory": territory,
        "source": SOURCE,
        "report": built,
        "kinds": reports.ReportKind.choices,
        "totals": [
            {
                "table": table,
                "title": reports.totals_title(table),
                "sections": _sections(table, request, drill=False),
            }
            for table in built.totals
        ],
        "transmitted": [
            {
                "table": table,
                "title": reports.transmitted_title(table),
                "sections": _sections(table, request, drill=False),
            }
            for table in built.transmitted
        ],
        "fridays": [
            {
                "day": friday,
                "url": f"{reverse('indicators:transmission')}?"
                + _query(territory, request, jour=friday.isoformat()),
            }
            for friday in built.fridays
        ],
        "csv_query": _query(territory, request, **here, format="csv"),
        "xlsx_query": _query(territory, request, **here, format="xlsx"),
        "territory_query": _query(territory, request),
    }
    return render(request, "indicators/report.html", context)


# -- data quality -----------------------------------------------------------------------------


def data_quality(request):
    territory = reader_territory(request)
    built = quality.build(territory)
    if request.GET.get("format") in ("csv", "xlsx"):
        filename = f"qualite-des-donnees-{territory.insee_code}"
        if request.GET["format"] == "xlsx":
            return exports.xlsx_response(filename, built.sheets)
        return exports.csv_response(filename, built.sheets)
    context = {
        "territory": territory,
        "quality": built,
        "csv_query": _query(territory, request, format="csv"),
        "xlsx_query": _query(territory, request, format="xlsx"),
    }
    return render(request, "indicators/quality.html", context)
