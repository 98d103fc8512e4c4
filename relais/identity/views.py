from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relais.accounts.enums import Role
from relais.accounts.navigation import CAN_CREATE_EMERGENCY, CAN_CREATE_INSERTION
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.persons.models import Person
from relais.requests.models import Request

from .entry import EntryCheck
from .matching import Identity
from .models import MergeRefused, PairStatus, PersonMerge, PersonPair
from .normalize import parse_date

PAGE_SIZE = 25
ENTRY_SOURCES = {"person", "call", "admission"}  # prefixes of the intake forms


def _require_siao(user) -> None:
    if not (user.is_superuser or user.role == Role.SIAO_OPERATOR):
        raise PermissionDenied("Seul le SIAO rapproche et fusionne les fiches des personnes.")


def _pairs_for(user):
    pairs = PersonPair.objects.select_related("person_a", "person_b")
    if user.is_superuser:
        return pairs
    return pairs.in_territory(user.organisation.territory_id)


def _merges_for(user):
    merges = PersonMerge.objects.select_related("kept", "merged", "merged_by", "undone_by")
    if user.is_superuser:
        return merges
    here = Request.objects.filter(territory_id=user.organisation.territory_id).values("person_id")
    return merges.filter(kept__in=here)


def _check_merge_scope(user, persons: list[Person]) -> None:
    """An operator merges only persons all of whose requests are in their territory."""
    if user.is_superuser:
        return
    elsewhere = Request.objects.filter(person__in=persons).exclude(
        territory_id=user.organisation.territory_id
    )
    if elsewhere.exists():
        raise PermissionDenied(
            "L'une de ces personnes a aussi une demande dans un autre territoire : "
            "la fusion revient à l'administrateur national."
        )


# -- at entry ---------------------------------------------------------------------------------


def entry_candidates(request):
    """htmx: the persons resembling the one being typed, refreshed as the user types."""
    if not (
        request.user.is_superuser
        or request.user.role in CAN_CREATE_INSERTION | CAN_CREATE_EMERGENCY
    ):
        raise PermissionDenied("Votre rôle ne permet pas de saisir une demande.")
    if request.method != "POST":
        return HttpResponseBadRequest("POST attendu.")
    source = request.POST.get("source", "")
    if source not in ENTRY_SOURCES:
        return HttpResponseBadRequest("Formulaire inconnu.")
    data = {name: request.POST.get(f"{source}-{name}", "") for name in TRAITS}
    check = EntryCheck(request.POST, user=request.user)
    if len(data["birth_name"].strip()) + len(data["first_names"].strip()) >= 3:
        check.find(
            Identity.build(
                birth_name=data["birth_name"],
                usage_name=data["usage_name"],
                first_names=data["first_names"],
                sex=data["sex"],
                birth=parse_date(data["birth_date"]),
                birth_place=data["birth_place"],
            )
        )
    if check.candidates:
        # Showing who resembles the person typed reads other persons' identities (SEC-01).
        audit.record(
            request_or_user=request,
            action=Action.SEARCH,
            detail={
                "page": "identity_entry",
                "shown_persons": [c.person.pk for c in check.candidates],
            },
        )
    return render(request, "identity/_candidates.html", {"check": check})


TRAITS = ("birth_name", "usage_name", "first_names", "sex", "birth_date", "birth_place")


# -- review queue, pairs, merges --------------------------------------------------------------


def review_queue(request):
    _require_siao(request.user)
    pairs = _pairs_for(request.user).to_review()
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "identity/review_queue.html",
        {
            "page": page,
            "rows": [{"pair": p, "comparison": p.comparison()} for p in page],
            "merges": _merges_for(request.user)[:10],
        },
    )


def _person_card(user, person: Person) -> dict:
    return {
        "person": person,
        "requests": Request.objects.visible_to(user)
        .filter(person=person)
        .select_related("referrer_organisation"),
        "request_count": Request.objects.filter(person=person).count(),
    }


def pair_detail(request, pk: int):
    _require_siao(request.user)
    pair = get_object_or_404(_pairs_for(request.user), pk=pk)
    return render(
        request,
        "identity/pair_detail.html",
        {
            "pair": pair,
            "comparison": pair.comparison(),
            "cards": [_person_card(request.user, p) for p in (pair.person_a, pair.person_b)],
            "is_open": pair.status == PairStatus.OPEN,
        },
    )


@require_POST
def pair_decide(request, pk: int):
    """Same person (merge into the kept record) or different persons (never proposed again)."""
    _require_siao(request.user)
    pair = get_object_or_404(_pairs_for(request.user), pk=pk)
    action = request.POST.get("action")
    if action == "different":
        PersonPair.decide(
            pair.person_a, pair.person_b, status=PairStatus.DIFFERENT, by=request.user
        )
        messages.success(request, "Noté : ce sont deux personnes différentes.")
        return redirect("identity:review_queue")
    if action != "merge" or request.POST.get("kept") not in ("a", "b"):
        return HttpResponseBadRequest("Décision inconnue.")
    kept, merged = (pair.person_a, pair.person_b)
    if request.POST["kept"] == "b":
        kept, merged = merged, kept
    _check_merge_scope(request.user, [kept, merged])
    try:
        merge = PersonMerge.merge(kept=kept, merged=merged, by=request.user)
    except MergeRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("identity:pair", pk=pair.pk)
    audit.record(
        request_or_user=request,
        action=Action.MERGE,
        obj=kept,
        detail={"merge": merge.pk, "merged_person": merged.pk, "moved": merge.moved_count},
    )
    messages.success(
        request, f"Fiches fusionnées : {merge.moved_count} éléments rattachés à {kept}."
    )
    return redirect("identity:merge", pk=merge.pk)


def merge_detail(request, pk: int):
    _require_siao(request.user)
    merge = get_object_or_404(_merges_for(request.user), pk=pk)
    return render(request, "identity/merge_detail.html", {"merge": merge})


@require_POST
def merge_undo(request, pk: int):
    _require_siao(request.user)
    merge = get_object_or_404(_merges_for(request.user), pk=pk)
    _check_merge_scope(request.user, [merge.kept, merge.merged])
    try:
        merge.undo(by=request.user)
    except MergeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        audit.record(
            request_or_user=request,
            action=Action.UNMERGE,
            obj=merge.kept,
            detail={"merge": merge.pk, "merged_person": merge.merged_id},
        )
        messages.success(request, "Fusion annulée : chaque élément a retrouvé sa fiche d'origine.")
    return redirect("identity:merge", pk=merge.pk)
