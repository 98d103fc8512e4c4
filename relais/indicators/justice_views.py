"""JUS-09 pages: the SPIP's yearly forecast of place needs per establishment and the SIAO's
periodic report of its offer of places, each with its XLSX (with charts) and its print view.

Both show counts only, never a person. Who sees which figures is `forecast.scope_for`: the
CPIP their SPIP's establishments (and the territory's offer, which the SIAO reports to the
SPIP), the SIAO and the State service their territory, the superuser any (?territoire=).
"""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.accounts.models import Territory
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, ListParams
from relais.places.enums import PlaceReservation

from . import exports, forecast, offer
from .charts import Chart, Series
from .models import ForecastSnapshot


def _scope(request) -> forecast.Scope:
    territory = None
    if request.user.is_authenticated and request.user.is_superuser:
        chosen = ListParams(request).id("territoire", label="Territoire")
        territories = Territory.objects.order_by("insee_code")
        territory = get_object_or_404(territories, pk=chosen) if chosen else territories.first()
    return forecast.scope_for(request.user, territory)


def _query(request, scope, **params) -> str:
    if request.user.is_superuser:
        params = {"territoire": scope.territory.pk, **params}
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _territories(request):
    return Territory.objects.order_by("insee_code") if request.user.is_superuser else []


# -- the forecast ---------------------------------------------------------------------------


def _first_day(request, text: str):
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(text.strip())
        except ValueError:
            return None
        return day if FIRST_RECORD_DAY <= day <= LAST_DAY else None
    return ListParams(request).day("debut", label="Début de la prévision")


def _forecast(request):
    scope = _scope(request)
    today = timezone.localdate()
    params = request.POST if request.method == "POST" else request.GET
    first_day = _first_day(request, params.get("debut", "")) or today
    return scope, forecast.compute(scope, first_day)


def _forecast_chart(built: forecast.Forecast) -> Chart:
    return Chart(
        title="Besoin estimé de places par établissement et type de place",
        short_title="Graphique – besoins",
        x_title="Établissement",
        x_labels=[line.establishment.name for line in built.lines],
        series=[
            Series(label, [line.need_of(channel) or 0 for line in built.lines])
            for channel, label in built.channels
        ],
        unit="places",
        bar=True,
    )


def _forecast_comparison_chart(built: forecast.Forecast) -> Chart:
    return Chart(
        title="Besoin estimé cette année et sorties sèches de l'année écoulée",
        short_title="Graphique – comparaison",
        x_title="Établissement",
        x_labels=[line.establishment.name for line in built.lines],
        series=[
            Series("Sorties sèches, année écoulée", [line.past_dry for line in built.lines]),
            Series("Besoin estimé, année à venir", [line.need or 0 for line in built.lines]),
        ],
        unit="personnes",
        bar=True,
    )


FORECAST_HEADER = [
    "Établissement",
    "Sorties prévues",
    "Personnes sans date de sortie (prévenues)",
    "Sorties l'année écoulée",
    "dont sorties sèches",
    "Part des sorties sans solution (%)",
    "Besoin estimé (places)",
    "Places d'urgence",
    "Places d'insertion ou de stabilisation",
    "Places de logement",
    "Écart avec les sorties sèches de l'année écoulée",
]


def _forecast_row(line: forecast.Line, label: str) -> list:
    return [
        label,
        line.expected,
        line.undated,
        line.past_exits,
        line.past_dry,
        line.rate_percent,
        line.need,
        *(line.need_of(channel) for channel in forecast.CHANNELS),
        line.difference,
    ]


def forecast_page(request):
    scope, built = _forecast(request)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        sheets = [
            exports.Sheet(
                title=f"Prévision {built.first_day:%d-%m-%Y}",
                header=FORECAST_HEADER,
                rows=[_forecast_row(line, line.establishment.name) for line in built.lines]
                + [_forecast_row(built.total, "Total")],
            ),
            exports.chart_sheet(_forecast_chart(built)),
            exports.chart_sheet(_forecast_comparison_chart(built)),
            exports.Sheet(
                title="Méthode",
                header=["Comment la prévision est calculée"],
                rows=[[text] for text in forecast.METHOD],
            ),
        ]
        audit.record(
            request_or_user=request,
            action=Action.EXPORT,
            detail={"prevision": built.first_day, "perimetre": scope.label},
        )
        filename = f"prevision-besoins-{scope.territory.insee_code}-{built.first_day:%Y-%m-%d}"
        if fmt == "xlsx":
            return exports.xlsx_response(filename, sheets)
        return exports.csv_response(filename, sheets)
    here = {"debut": built.first_day.isoformat()}
    context = {
        "scope": scope,
        "territory": scope.territory,
        "territories": _territories(request),
        "forecast": built,
        "method": forecast.METHOD,
        "chart": _forecast_comparison_chart(built),
        "csv_query": _query(request, scope, **here, format="csv"),
        "xlsx_query": _query(request, scope, **here, format="xlsx"),
        "print_query": _query(request, scope, **here),
        "generated_at": timezone.now(),
        "may_send": scope.spip is not None,
        "sent": ForecastSnapshot.objects.visible_to(request.user)
        .filter(territory=scope.territory)
        .select_related("spip", "sent_by")[:10],
    }
    return render(request, "indicators/forecast.html", context)


@require_POST
def forecast_send(request):
    """The SPIP sends its forecast to the SIAO: a frozen copy, dated, that the SIAO reads."""
    scope, built = _forecast(request)
    if scope.spip is None:
        raise PermissionDenied("Seul un SPIP envoie sa prévision au SIAO.")
    snapshot = forecast.send(built, by=request.user)
    messages.success(request, "La prévision a été envoyée au SIAO : il en lit cette copie datée.")
    return redirect(reverse("indicators:forecast_sent", args=[snapshot.pk]))


def forecast_sent(request, pk: int):
    """A forecast as it was sent (never recomputed), printable."""
    snapshot = get_object_or_404(
        ForecastSnapshot.objects.visible_to(request.user).select_related("spip", "sent_by"),
        pk=pk,
    )
    channels = list(forecast.CHANNEL_PLACES.values())
    return render(
        request,
        "indicators/forecast_sent.html",
        {"snapshot": snapshot, "channels": channels, "printing": True},
    )


def forecast_print(request):
    scope, built = _forecast(request)
    context = {
        "scope": scope,
        "territory": scope.territory,
        "forecast": built,
        "method": forecast.METHOD,
        "back_query": _query(request, scope, debut=built.first_day.isoformat()),
        "generated_at": timezone.now(),
        "printing": True,
    }
    return render(request, "indicators/forecast_print.html", context)


# -- the offer ------------------------------------------------------------------------------


def _offer(request):
    scope = _scope(request)
    params = ListParams(request)
    now = timezone.now()
    today = timezone.localdate(now)
    year_text = params.raw("annee")
    year = today.year
    if year_text:
        if year_text.isascii() and year_text.isdigit() and 2000 <= int(year_text) <= today.year:
            year = int(year_text)
        else:
            params._ignored("Année", f"choisissez une année entre 2000 et {today.year}")
    kind = (
        params.choice("periode", choices=offer.PeriodKind.VALUES, label="Période")
        or offer.PeriodKind.YEAR
    )
    period = offer.Period(year, kind)
    current = offer.build(scope.territory, period, now=now)
    previous = offer.build(scope.territory, period.previous_year, now=now)
    return scope, current, previous, offer.compare(current, previous)


def _offer_chart(report: offer.OfferReport) -> Chart:
    months = report.months
    return Chart(
        title="Places, places occupées et vacantes en fin de mois",
        short_title="Graphique – vacances",
        x_title="Mois",
        x_labels=[f"{m.month:%m/%Y}" for m in months],
        series=[
            Series("Places", [m.total.places for m in months]),
            Series("Occupées", [m.total.held for m in months]),
            Series("Vacantes", [m.total.vacant for m in months]),
            Series(
                "Réservées sortants de détention",
                [m.kept_for(PlaceReservation.DETENTION).places for m in months],
            ),
            Series("Volantes", [m.kept_for(PlaceReservation.FLYING).places for m in months]),
        ],
        unit="places",
    )


def _comparison_chart(current, previous) -> Chart:
    return Chart(
        title=f"Places à la fin de la période : {current.period.label} et un an avant",
        short_title="Graphique – comparaison",
        x_title="Places",
        x_labels=[offer.SHORT_RESERVATION[r] for r in offer.RESERVATION_ORDER],
        series=[
            Series(
                previous.period.label.capitalize(),
                [previous.cell(None, r).places for r in offer.RESERVATION_ORDER],
            ),
            Series(
                current.period.label.capitalize(),
                [current.cell(None, r).places for r in offer.RESERVATION_ORDER],
            ),
        ],
        unit="places",
        bar=True,
    )


OFFER_HEADER = [
    "Type de place",
    *(f"{offer.SHORT_RESERVATION[r]} – places" for r in offer.RESERVATION_ORDER),
    "Total – places",
    "Total – occupées",
    "Total – indisponibles",
    "Total – vacantes",
]
MONTH_HEADER = [
    "Mois",
    "Places",
    "Occupées",
    "Indisponibles",
    "Vacantes",
    *(f"{offer.SHORT_RESERVATION[r]} – places" for r in offer.RESERVATION_ORDER[1:]),
    *(f"{offer.SHORT_RESERVATION[r]} – occupées" for r in offer.RESERVATION_ORDER[1:]),
]


def _offer_sheets(current, previous, comparison) -> list[exports.Sheet]:
    def table(report):
        return [
            [
                row["label"],
                *(cell.places for cell in row["cells"]),
                row["total"].places,
                row["total"].held,
                row["total"].unavailable,
                row["total"].vacant,
            ]
            for row in report.table
        ]

    months = [
        [
            f"{m.month:%m/%Y}",
            m.total.places,
            m.total.held,
            m.total.unavailable,
            m.total.vacant,
            *(m.kept_for(r).places for r in offer.RESERVATION_ORDER[1:]),
            *(m.kept_for(r).held for r in offer.RESERVATION_ORDER[1:]),
        ]
        for m in current.months
    ]
    return [
        exports.Sheet(title="Offre en fin de période", header=OFFER_HEADER, rows=table(current)),
        exports.Sheet(title="Un an avant", header=OFFER_HEADER, rows=table(previous)),
        exports.Sheet(title="Par mois", header=MONTH_HEADER, rows=months),
        exports.chart_sheet(_offer_chart(current)),
        exports.Sheet(
            title="Comparaison",
            header=[
                "Ligne",
                current.period.label.capitalize(),
                previous.period.label.capitalize(),
                "Écart",
            ],
            rows=[[c.label, c.current, c.previous, c.difference] for c in comparison],
        ),
        exports.chart_sheet(_comparison_chart(current, previous)),
    ]


def offer_page(request):
    scope, current, previous, comparison = _offer(request)
    here = {"annee": current.period.year, "periode": current.period.kind}
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        audit.record(
            request_or_user=request,
            action=Action.EXPORT,
            detail={"offre": current.period.label, "territoire": scope.territory.insee_code},
        )
        filename = (
            f"offre-de-places-{scope.territory.insee_code}-{current.period.year}"
            f"-{current.period.kind}"
        )
        sheets = _offer_sheets(current, previous, comparison)
        if fmt == "xlsx":
            return exports.xlsx_response(filename, sheets)
        return exports.csv_response(filename, sheets)
    context = {
        "scope": scope,
        "territory": scope.territory,
        "territories": _territories(request),
        "report": current,
        "previous": previous,
        "comparison": comparison,
        "reservations": [offer.SHORT_RESERVATION[r] for r in offer.RESERVATION_ORDER],
        "kinds": offer.PeriodKind.CHOICES,
        "years": list(range(timezone.localdate().year, 1999, -1))[:10],
        "charts": [_offer_chart(current), _comparison_chart(current, previous)],
        "csv_query": _query(request, scope, **here, format="csv"),
        "xlsx_query": _query(request, scope, **here, format="xlsx"),
        "print_query": _query(request, scope, **here),
        "generated_at": timezone.now(),
    }
    return render(request, "indicators/offer.html", context)


def offer_print(request):
    scope, current, previous, comparison = _offer(request)
    context = {
        "scope": scope,
        "territory": scope.territory,
        "report": current,
        "previous": previous,
        "comparison": comparison,
        "reservations": [offer.SHORT_RESERVATION[r] for r in offer.RESERVATION_ORDER],
        "back_query": _query(
            request, scope, annee=current.period.year, periode=current.period.kind
        ),
        "generated_at": timezone.now(),
        "printing": True,
    }
    return render(request, "indicators/offer_print.html", context)
