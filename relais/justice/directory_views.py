"""JUS-08: the directory of the SIAOs and SPIPs (seed 000, annexes 3 and 5) — for each
territory, who to call: the organisation's contacts, its named referent and, for a SPIP, the
prisons it works in."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import JUSTICE_DIRECTORY_ROLES, Organisation, Territory


@dataclass
class TerritoryDirectory:
    territory: Territory
    siaos: list[Organisation] = field(default_factory=list)
    spips: list[Organisation] = field(default_factory=list)
    # Prisons without a SPIP of the territory recorded: shown so that nothing is missing.
    other_prisons: list[Organisation] = field(default_factory=list)


def directory(request):
    user = request.user
    if not (user.is_superuser or user.role in JUSTICE_DIRECTORY_ROLES):
        raise PermissionDenied(
            "L'annuaire justice est ouvert au SIAO, au 115, aux SPIP, à l'administrateur du "
            "territoire et aux services de l'État."
        )
    organisations = (
        Organisation.objects.in_justice_directory_of(user)
        .select_related("territory", "referent", "spip")
        .order_by("territory__insee_code", "name")
    )
    by_territory: dict[int, TerritoryDirectory] = {}
    if not user.is_superuser:  # their territory, even before anything is recorded there
        territory = user.organisation.territory
        by_territory[territory.pk] = TerritoryDirectory(territory)
    prisons_of: dict[int, list[Organisation]] = {}
    prisons = []
    for organisation in organisations:
        entry = by_territory.setdefault(
            organisation.territory_id, TerritoryDirectory(organisation.territory)
        )
        if organisation.kind == OrganisationKind.SIAO:
            entry.siaos.append(organisation)
        elif organisation.kind == OrganisationKind.SPIP:
            entry.spips.append(organisation)
        else:
            prisons.append(organisation)
    for prison in prisons:
        if prison.spip_id:
            prisons_of.setdefault(prison.spip_id, []).append(prison)
        else:
            by_territory[prison.territory_id].other_prisons.append(prison)
    for entry in by_territory.values():
        for spip in entry.spips:
            spip.covered_prisons = prisons_of.pop(spip.pk, [])
    # A prison whose SPIP sits in another territory is shown under its own territory.
    for covered in prisons_of.values():
        for prison in covered:
            by_territory[prison.territory_id].other_prisons.append(prison)
    return render(
        request,
        "justice/directory.html",
        {
            "territories": list(by_territory.values()),
            "can_edit": user.role == Role.TERRITORY_ADMIN,
        },
    )
