from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.notifications.sending import notify
from relais.requests.models import Request

from .forms import AccessRequestForm, FileSearchForm
from .models import AccessGrant

# Workers who refer requests may ask to read another service's file (SIAO-20).
ASKERS = {Role.SOCIAL_WORKER, Role.CPIP}
SEARCH_LIMIT = 20


def _require_asker(user) -> None:
    if user.role not in ASKERS:
        raise PermissionDenied("L'accès sur demande est réservé aux travailleurs sociaux et CPIP.")


def _askable_requests(user):
    """Files of the user's territory that the user does not already see."""
    return Request.objects.filter(territory_id=user.organisation.territory_id).exclude(
        pk__in=Request.objects.visible_to(user).values("pk")
    )


def file_search(request):
    _require_asker(request.user)
    form = FileSearchForm(request.GET or None)
    results = None
    if form.is_valid():
        data = form.cleaned_data
        results = (
            _askable_requests(request.user)
            .search(f"{data['last_name']} {data['first_name']}")
            .select_related("person", "referrer_organisation")
        )
        if data["birth_year"]:
            results = results.filter(person__birth_year=data["birth_year"])
        results = list(results[: SEARCH_LIMIT + 1])
        # Other services' files, even listed without content, are a read of persons (SEC-01).
        audit.record(
            request_or_user=request,
            action=Action.SEARCH,
            detail={
                "page": "access_search",
                "query": {k: v for k, v in data.items() if v},
                "shown_requests": [r.pk for r in results[:SEARCH_LIMIT]],
            },
        )
    return render(
        request,
        "access/search.html",
        {"form": form, "results": results, "limit": SEARCH_LIMIT},
    )


def grant_create(request, request_pk: int):
    _require_asker(request.user)
    if Request.objects.visible_to(request.user).filter(pk=request_pk).exists():
        return redirect("requests:detail", pk=request_pk)
    target = get_object_or_404(
        _askable_requests(request.user).select_related(
            "person", "referrer_organisation", "referrer"
        ),
        pk=request_pk,
    )
    form = AccessRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        grant = AccessGrant.grant(
            user=request.user,
            request=target,
            reason=form.cleaned_data["reason"],
            days=form.cleaned_data["days"],
        )
        audit.record(
            request_or_user=request,
            action=Action.ACCESS_GRANT,
            obj=target,
            reason=grant.reason,
            detail={"access_grant": grant.pk, "expires_at": grant.expires_at.isoformat()},
        )
        _notify_owner(grant)
        messages.success(
            request,
            f"Accès ouvert jusqu'au {grant.expires_at:%d/%m/%Y}. Le service "
            f"{target.referrer_organisation} en est informé.",
        )
        return redirect("requests:detail", pk=target.pk)
    return render(request, "access/request_form.html", {"form": form, "target": target})


def _notify_owner(grant: AccessGrant) -> None:
    """The file's owner learns who opened it and why (SEC-02); the reason, free text, is
    read in Relais only, never in the e-mail."""
    target = grant.request
    owners = (
        [target.referrer]
        if target.referrer_id
        else User.objects.filter(organisation_id=target.referrer_organisation_id)
    )
    who = f"{grant.user.get_full_name() or grant.user.username} ({grant.user.organisation})"
    notify(
        owners,
        subject=f"Accès à la demande n° {target.pk}",
        message=(
            f"{who} a ouvert l'accès au dossier n° {target.pk} jusqu'au "
            f"{grant.expires_at:%d/%m/%Y}. Motif : {grant.reason}"
        ),
        mail=(
            f"{who} a ouvert l'accès au dossier n° {target.pk} jusqu'au "
            f"{grant.expires_at:%d/%m/%Y}.\n\nLe motif se lit dans Relais, sur la liste des "
            "accès sur demande. Si cet accès vous semble injustifié, signalez-le au SIAO."
        ),
        link=reverse("access:list"),
        link_label="Voir les accès sur demande",
        extra_emails=[]
        if target.referrer_id and target.referrer.email
        else [target.referrer_organisation.email],
        request=target,
    )


def grant_list(request):
    """SIAO: every access on request of the territory, for review. Workers: their own."""
    user = request.user
    grants = AccessGrant.objects.select_related(
        "user", "user__organisation", "request", "request__person", "revoked_by"
    )
    if user.is_superuser:
        pass
    elif user.role == Role.SIAO_OPERATOR:
        grants = grants.in_territory(user.organisation.territory_id)
    elif user.role in ASKERS:
        grants = grants.filter(user=user)
    else:
        raise PermissionDenied("Cette liste est réservée au SIAO.")
    only_active = request.GET.get("actifs") == "1"
    if only_active:
        grants = grants.active()
    page = Paginator(grants, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "access/grant_list.html",
        {"page": page, "only_active": only_active, "is_reviewer": user.role not in ASKERS},
    )


@require_POST
def grant_revoke(request, pk: int):
    user = request.user
    grants = AccessGrant.objects.all()
    if user.is_superuser:
        pass
    elif user.role == Role.SIAO_OPERATOR:
        grants = grants.in_territory(user.organisation.territory_id)
    else:
        grants = grants.filter(user=user)
    grant = get_object_or_404(grants, pk=pk)
    grant.revoke(by=user)
    audit.record(
        request_or_user=request,
        action=Action.ACCESS_GRANT,
        obj=grant.request,
        reason="Accès retiré",
        detail={"access_grant": grant.pk, "revoked": True},
    )
    messages.success(request, "Accès retiré.")
    return redirect("access:list")
