from urllib.parse import urlencode

from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from relais.iae import views as iae_views
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceType
from relais.places.models import PlaceCapacity, Structure
from relais.releases.pipeline import awaiting_request
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import Request

from .enums import Role
from .models import User


def home(request):
    """Each role lands on a page made for its work."""
    user = request.user
    role = user.role or ("superuser" if user.is_superuser else "")
    handler = _HOMES.get(role, _home_without_role)
    return handler(request)


def _status_counts(requests, *, linked: bool = False) -> list[dict]:
    """Requests per channel × status; with `linked`, each count opens the list behind it."""
    counts = {
        (row["channel"], row["status"]): row["n"]
        for row in requests.values("channel", "status").annotate(n=Count("id"))
    }
    list_url = reverse("requests:list")
    return [
        {
            "channel": channel.label,
            "cells": [
                {
                    "n": counts.get((channel.value, status.value), 0),
                    "url": f"{list_url}?{urlencode({'channel': channel, 'status': status})}"
                    if linked
                    else "",
                }
                for status in RequestStatus
            ],
        }
        for channel in Channel
    ]


def _home_siao(request):
    visible = Request.objects.visible_to(request.user)
    context = {
        "statuses": RequestStatus.labels,
        "table": _status_counts(visible, linked=True),
        "to_evaluate": visible.filter(status=RequestStatus.NEW).by_household(oldest_first=True)[
            :10
        ],
        "waiting": visible.filter(status=RequestStatus.EVALUATED).count(),
        "vacancies": _vacancies_by_place_type(request.user),
        "pending_decisions": Orientation.objects.visible_to(request.user)
        .filter(state=OrientationState.PROPOSED)
        .count(),
        "overdue": Orientation.objects.visible_to(request.user).overdue().count(),
    }
    return render(request, "accounts/home_siao.html", context)


def _vacancies_by_place_type(user) -> list[dict]:
    totals: dict[str, int] = {}
    for capacity in PlaceCapacity.objects.visible_to(user).with_vacancies():
        totals[capacity.place_type] = totals.get(capacity.place_type, 0) + max(capacity.vacant, 0)
    return [
        {"label": label, "vacant": totals[value]}
        for value, label in PlaceType.choices
        if value in totals
    ]


def _home_emergency_line(request):
    today = timezone.localdate()
    calls = (
        Request.objects.visible_to(request.user)
        .filter(channel=Channel.EMERGENCY, requested_on=today)
        .by_household()[:]
    )
    return render(request, "accounts/home_emergency_line.html", {"calls": calls, "today": today})


def _home_referrer(request):
    mine = Request.objects.visible_to(request.user)
    context = {
        "open_requests": mine.exclude(
            status__in=[RequestStatus.ENDED, RequestStatus.CLOSED]
        ).by_household()[:20],
        "drafts": mine.filter(status=RequestStatus.NEW).count(),
        # JUS-02: the CPIP's detainees who crossed the territory's threshold, no request yet.
        "awaiting_request": awaiting_request(request.user)
        if request.user.role == Role.CPIP
        else [],
    }
    return render(request, "accounts/home_referrer.html", context)


def _home_structure_manager(request):
    """SIAO-21: its own structures' capacity, vacancies, decisions to take and hosted people."""
    structures = Structure.objects.managed_by(request.user.organisation).prefetch_related(
        Prefetch("capacities", queryset=PlaceCapacity.objects.with_vacancies())
    )
    rows = []
    for structure in structures:
        capacities = structure.capacities.all()  # prefetched, with their vacancies
        rows.append(
            {
                "structure": structure,
                "permanent": sum(c.places for c in capacities if not c.is_winter_only),
                "winter": sum(c.places for c in capacities if c.is_winter_only),
                "vacant": sum(max(c.vacant, 0) for c in capacities),
            }
        )
    mine = Orientation.objects.visible_to(request.user).select_related(
        "request__person", "structure", "capacity"
    )
    return render(
        request,
        "accounts/home_structure_manager.html",
        {
            "rows": rows,
            "to_decide": mine.filter(state=OrientationState.PROPOSED).order_by("proposed_at"),
            "hosted": mine.hosted().order_by("structure__name", "stay_started_at"),
        },
    )


def _home_state_service(request):
    """Aggregates only: a State service never sees a person."""
    territory = request.user.organisation.territory
    requests = Request.objects.filter(territory=territory)
    context = {
        "territory": territory,
        "statuses": RequestStatus.labels,
        "table": _status_counts(requests),
        "structures": Structure.objects.filter(territory=territory).count(),
    }
    return render(request, "accounts/home_state_service.html", context)


def _home_territory_admin(request):
    territory = request.user.organisation.territory
    accounts = (
        User.objects.filter(organisation__territory=territory)
        .select_related("organisation")
        .order_by("organisation__name", "last_name")
    )
    return render(
        request,
        "accounts/home_territory_admin.html",
        {"accounts": accounts, "territory": territory},
    )


def _home_without_role(request):
    return render(request, "accounts/home_other.html")


_HOMES = {
    Role.SIAO_OPERATOR: _home_siao,
    "superuser": _home_siao,
    Role.EMERGENCY_LINE: _home_emergency_line,
    Role.SOCIAL_WORKER: _home_referrer,
    Role.CPIP: _home_referrer,
    Role.STRUCTURE_MANAGER: _home_structure_manager,
    Role.STATE_SERVICE: _home_state_service,
    Role.TERRITORY_ADMIN: _home_territory_admin,
    # Work insertion in prison: the parcours they work on is their home.
    Role.SIAE_COACH: iae_views.parcours_list,
    Role.SIAE_SUPERVISOR: iae_views.parcours_list,
    Role.PRISON_STAFF: iae_views.parcours_list,
}
