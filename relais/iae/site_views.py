"""The site screens: the sites, one site's charter settings, its who-leads-what matrix (IAE-03)
and its directory of resource persons (IAE-07), printable. Who reads a site is
`Site.objects.visible_to` (out of scope: 404); who keeps its charter is `Site.may_change` (the
establishment, the SIAE, the SPIP working there: else 403); every write is audited."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.audit import log as audit
from relais.audit.enums import Action

from .enums import SENTENCE_MAX_MONTHS, SENTENCE_MIN_MONTHS, Lead
from .models import IAE_ROLES, ResourcePerson, Responsibility, Site
from .site_forms import (
    ResourcePersonForm,
    ResponsibilityFormSet,
    SiteForm,
    establishments_for,
    may_create_site,
)
from .views import visible_site

SITE_READER_ROLES = {*IAE_ROLES, Role.STATE_SERVICE, Role.TERRITORY_ADMIN}
# The charter's table, column by column (seed 002 art. 4).
LEAD_COLUMNS = [Lead.CPIP, Lead.SIAE, Lead.SHARED, Lead.OTHER]
COLUMN_HEADINGS = {
    Lead.CPIP: "CPIP",
    Lead.SIAE: "Permanents de la SIAE (CIP et ET)",
    Lead.SHARED: "Interventions partagées",
    Lead.OTHER: "Intervention d'autres acteurs",
}


def _require_reader(user) -> None:
    if not (user.is_superuser or user.role in SITE_READER_ROLES):
        raise PermissionDenied(
            "Les sites d'insertion sont suivis par l'établissement pénitentiaire, le SPIP, la "
            "SIAE et les services de l'État."
        )


def _changeable_site(request, pk: int) -> Site:
    site = visible_site(request, pk)
    if not site.may_change(request.user):
        raise PermissionDenied(
            "Seuls l'établissement, la SIAE et le SPIP qui y intervient tiennent la charte de "
            "ce site."
        )
    return site


def _site_with_rows(site: Site) -> Site:
    """The site with its rows and their resource persons prefetched, in the charter's order."""
    rows = Responsibility.objects.order_by("position", "id").prefetch_related(
        Prefetch("resource_persons", queryset=ResourcePerson.objects.order_by("name", "id"))
    )
    return (
        Site.objects.select_related("establishment", "siae")
        .prefetch_related(Prefetch("responsibilities", queryset=rows))
        .get(pk=site.pk)
    )


def _audit(request, site: Site, event: str, **detail) -> None:
    audit.record(
        request_or_user=request, action=Action.WRITE, obj=site, detail={"event": event, **detail}
    )


def _charter_context(site: Site, user) -> dict:
    return {
        "site": site,
        "rows": list(site.responsibilities.all()),
        "columns": [COLUMN_HEADINGS[lead] for lead in LEAD_COLUMNS],
        "lead_columns": [str(lead) for lead in LEAD_COLUMNS],
        "can_change": site.may_change(user),
        "sentence_min": SENTENCE_MIN_MONTHS,
        "sentence_max": SENTENCE_MAX_MONTHS,
    }


# -- list and creation ------------------------------------------------------------------------


def site_list(request):
    user = request.user
    _require_reader(user)
    sites = (
        Site.objects.visible_to(user)
        .select_related("establishment", "siae")
        .prefetch_related("responsibilities")
    )
    return render(
        request,
        "iae/site_list.html",
        {"sites": sites, "can_create": may_create_site(user)},
    )


def site_create(request):
    user = request.user
    if not may_create_site(user):
        raise PermissionDenied(
            "Un site d'insertion s'ouvre par l'établissement pénitentiaire ou l'administrateur "
            "du territoire."
        )
    form = SiteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["establishment"] not in establishments_for(user):
            raise PermissionDenied("Vous n'ouvrez de site que dans votre établissement.")
        with transaction.atomic():
            site = form.save()
        _audit(request, site, "site_created")
        messages.success(
            request,
            "Site ouvert, avec les huit domaines de la charte SPIP–SIAE : précisez qui en est "
            "le chef de file et les personnes ressources.",
        )
        return redirect("iae:site_detail", pk=site.pk)
    status = 400 if form.is_bound else 200
    return render(request, "iae/site_form.html", {"form": form, "creating": True}, status=status)


# -- one site ---------------------------------------------------------------------------------


def site_detail(request, pk: int):
    site = _site_with_rows(visible_site(request, pk))
    return render(request, "iae/site_detail.html", _charter_context(site, request.user))


def site_print(request, pk: int):
    site = _site_with_rows(visible_site(request, pk))
    context = _charter_context(site, request.user) | {"today": timezone.localdate()}
    return render(request, "iae/site_print.html", context)


def site_edit(request, pk: int):
    site = _changeable_site(request, pk)
    form = SiteForm(request.POST or None, instance=site, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        _audit(request, site, "site_settings_changed", fields=form.changed_data)
        messages.success(request, "Réglages du site enregistrés.")
        return redirect("iae:site_detail", pk=site.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "iae/site_form.html",
        {"form": form, "site": site, "creating": False},
        status=status,
    )


def site_matrix(request, pk: int):
    """IAE-03: change each row's lead, add a domain, remove one."""
    site = _changeable_site(request, pk)
    formset = ResponsibilityFormSet(request.POST or None, site=site)
    if request.method == "POST" and formset.is_valid():
        with transaction.atomic():
            changes = formset.save_rows()
        if any(changes.values()):
            _audit(request, site, "site_matrix_changed", **changes)
        messages.success(request, "Tableau des chefs de file enregistré.")
        return redirect("iae:site_detail", pk=site.pk)
    status = 400 if formset.is_bound else 200
    return render(
        request, "iae/site_matrix.html", {"site": site, "formset": formset}, status=status
    )


# -- the directory (IAE-07) -------------------------------------------------------------------


def _changeable_person(request, pk: int) -> ResourcePerson:
    person = get_object_or_404(
        ResourcePerson.objects.filter(site__in=Site.objects.visible_to(request.user)), pk=pk
    )
    person.site = _changeable_site(request, person.site_id)
    return person


def resource_add(request, pk: int):
    site = _changeable_site(request, pk)
    initial = {}
    domain = request.GET.get("domaine", "")
    if domain.isdigit() and site.responsibilities.filter(pk=domain).exists():
        initial["responsibility"] = int(domain)
    form = ResourcePersonForm(request.POST or None, site=site, initial=initial)
    if request.method == "POST" and form.is_valid():
        person = form.save()
        _audit(
            request,
            site,
            "resource_person_added",
            personne=person.name,
            domaine=person.responsibility.domain,
        )
        messages.success(request, f"{person.name} ajouté(e) à l'annuaire.")
        return redirect("iae:site_detail", pk=site.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "iae/site_resource_form.html",
        {"form": form, "site": site, "creating": True},
        status=status,
    )


def resource_edit(request, pk: int):
    person = _changeable_person(request, pk)
    site = person.site
    form = ResourcePersonForm(request.POST or None, instance=person, site=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        _audit(
            request,
            site,
            "resource_person_changed",
            personne=person.name,
            fields=form.changed_data,
        )
        messages.success(request, f"Fiche de {person.name} enregistrée.")
        return redirect("iae:site_detail", pk=site.pk)
    status = 400 if form.is_bound else 200
    return render(
        request,
        "iae/site_resource_form.html",
        {"form": form, "site": site, "person": person, "creating": False},
        status=status,
    )


@require_POST
def resource_delete(request, pk: int):
    person = _changeable_person(request, pk)
    site = person.site
    name, domain = person.name, person.responsibility.domain
    person.delete()
    _audit(request, site, "resource_person_removed", personne=name, domaine=domain)
    messages.success(request, f"{name} retiré(e) de l'annuaire.")
    return redirect("iae:site_detail", pk=site.pk)
