"""Territory administrators grant and remove accounts of their territory (SIAO-22)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relais.audit import log as audit
from relais.audit.enums import Action

from .enums import Role
from .forms import (
    AccountForm,
    OrganisationReferentForm,
    TerritorySettingsForm,
    send_set_password_email,
)
from .models import JUSTICE_DIRECTORY_KINDS, Organisation, User


def administered_territory(user):
    if user.role != Role.TERRITORY_ADMIN or not user.organisation_id:
        raise PermissionDenied(
            "La gestion des comptes est réservée à l'administrateur du territoire."
        )
    return user.organisation.territory


def _accounts(user, *, include_self: bool = False):
    """Accounts an administrator manages: staff of the territory, never superusers — and
    never their own, which another administrator changes (no self-granted role). The
    accounts of partner software are managed with their tokens (relais/api)."""
    accounts = User.objects.filter(
        organisation__territory=administered_territory(user),
        is_superuser=False,
        api_token__isnull=True,
    ).select_related("organisation")
    return accounts if include_self else accounts.exclude(pk=user.pk)


def _audit_account(request, account: User, form: AccountForm, *, created: bool) -> None:
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=account,
        reason="Ouverture de compte" if created else "Modification de compte",
        detail=audit.form_changes({"": form}),
    )


def account_list(request):
    territory = administered_territory(request.user)
    accounts = _accounts(request.user, include_self=True).order_by(
        "organisation__name", "last_name", "first_name"
    )
    return render(
        request, "accounts/account_list.html", {"accounts": accounts, "territory": territory}
    )


def account_create(request):
    territory = administered_territory(request.user)
    form = AccountForm(request.POST or None, territory=territory)
    if request.method == "POST" and form.is_valid():
        user = form.save(commit=False)
        user.set_unusable_password()
        user.save()
        _audit_account(request, user, form, created=True)
        send_set_password_email(user=user)
        messages.success(
            request,
            f"Compte de {user.get_full_name()} créé : un lien pour choisir son mot de passe "
            f"a été envoyé à {user.email}.",
        )
        return redirect("accounts:list")
    return render(request, "accounts/account_form.html", {"form": form, "creating": True})


def account_edit(request, pk: int):
    territory = administered_territory(request.user)
    account = get_object_or_404(_accounts(request.user), pk=pk)
    form = AccountForm(request.POST or None, instance=account, territory=territory)
    if request.method == "POST" and form.is_valid():
        _audit_account(request, account, form, created=False)
        form.save()
        messages.success(request, "Compte enregistré.")
        return redirect("accounts:list")
    return render(
        request, "accounts/account_form.html", {"form": form, "creating": False, "account": account}
    )


@require_POST
def account_toggle(request, pk: int):
    account = get_object_or_404(_accounts(request.user), pk=pk)
    account.is_active = not account.is_active
    account.save(update_fields=["is_active"])
    audit.record(
        request_or_user=request,
        action=Action.WRITE,
        obj=account,
        reason="Réactivation de compte" if account.is_active else "Désactivation de compte",
        detail={
            "changes": {
                "is_active": [
                    "Non" if account.is_active else "Oui",
                    "Oui" if account.is_active else "Non",
                ]
            },
            "labels": {"is_active": "Compte actif"},
        },
    )
    state = "réactivé" if account.is_active else "désactivé : il ne peut plus se connecter"
    messages.success(request, f"Compte de {account} {state}.")
    return redirect("accounts:list")


def organisation_referent(request, pk: int):
    """JUS-08: the referent and contacts of a SIAO or a SPIP, the SPIP of a prison."""
    territory = administered_territory(request.user)
    organisation = get_object_or_404(
        Organisation.objects.filter(territory=territory, kind__in=JUSTICE_DIRECTORY_KINDS), pk=pk
    )
    form = OrganisationReferentForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=organisation,
            reason="Référent et coordonnées de l'organisation",
            detail=audit.form_changes({"": form}),
        )
        form.save()
        messages.success(request, f"« {organisation} » : enregistré.")
        return redirect("justice:directory")
    return render(
        request,
        "accounts/organisation_referent_form.html",
        {"form": form, "organisation": organisation},
    )


def territory_settings(request):
    """JUS-02: the request threshold, the escalation steps and who is alerted."""
    if request.user.role != Role.TERRITORY_ADMIN or not request.user.organisation_id:
        raise PermissionDenied(
            "Les paramètres du territoire sont réservés à l'administrateur du territoire."
        )
    territory = request.user.organisation.territory
    form = TerritorySettingsForm(request.POST or None, instance=territory)
    if request.method == "POST" and form.is_valid():
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=territory,
            reason="Paramètres des sorties de détention",
            detail=audit.form_changes({"": form}),
        )
        form.save()
        messages.success(request, "Paramètres du territoire enregistrés.")
        return redirect("accounts:territory")
    return render(
        request, "accounts/territory_settings.html", {"form": form, "territory": territory}
    )
