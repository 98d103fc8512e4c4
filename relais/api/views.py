"""The territory administrator's pages for partner software: tokens created, shown once,
revoked (OPS-02)."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from relais.accounts.account_views import administered_territory
from relais.audit import log as audit
from relais.audit.enums import Action

from .forms import TokenForm
from .models import ApiToken


def token_list(request):
    territory = administered_territory(request.user)
    tokens = ApiToken.objects.of_territory(territory.pk).select_related(
        "organisation", "account", "created_by"
    )
    return render(request, "api/token_list.html", {"tokens": tokens, "territory": territory})


@never_cache
def token_create(request):
    territory = administered_territory(request.user)
    form = TokenForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        token, key = ApiToken.issue(
            name=data["name"],
            organisation=data["organisation"],
            role=data["role"],
            expires_at=timezone.make_aware(dt.datetime.combine(data["expires_on"], dt.time.max)),
            scopes=form.scopes,
            rate_per_minute=data["rate_per_minute"],
            by=request.user,
        )
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=token.account,
            reason="Création d'un jeton d'API",
            detail={"token": token.pk, "scopes": token.scope_labels()},
        )
        # The key is shown on this answer only: never stored, never redirected with.
        return render(request, "api/token_created.html", {"token": token, "key": key})
    return render(request, "api/token_form.html", {"form": form})


@require_POST
def token_revoke(request, pk: int):
    territory = administered_territory(request.user)
    token = get_object_or_404(ApiToken.objects.of_territory(territory.pk), pk=pk)
    if not token.is_revoked:
        token.revoke(by=request.user)
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=token.account,
            reason="Révocation d'un jeton d'API",
            detail={"token": token.pk},
        )
        messages.success(request, f"Jeton « {token.name} » révoqué : il ne fonctionne plus.")
    return redirect("apitokens:list")
