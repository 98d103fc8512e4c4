"""Parcours standing in the permission matrix's ownership cases to a user (IAE screens).

`parcours_in_case(world, role, user, case)` builds a parcours (taken to `state`, the person's
consent recorded) that is, to `user`:

- SIAE staff: at a site of the user's SIAE ("own", "same_org"), at a site of another SIAE of
  the territory ("other_org"), elsewhere ("other_territory");
- CPIP: a detention followed by the user ("own"), by a colleague of the same SPIP
  ("same_org"), by another SPIP of the territory ("other_org"), elsewhere;
- prison staff: at the user's establishment ("own", "same_org"), at another prison of the
  territory ("other_org"), elsewhere;
- any other role: a parcours of the user's territory (the first three cases) or elsewhere.
"""

import datetime as dt

from django.utils import timezone

from tests.factories import (
    OrganisationFactory,
    UserFactory,
    make_detention,
    make_parcours,
    make_site,
)

SIAE_ROLE_NAMES = {"siae_coach", "siae_supervisor"}
MINE = {"own", "same_org"}


def _territory(world, user, case: str):
    if case == "other_territory":
        return world.other_territory
    if user.organisation_id:
        return user.organisation.territory
    return world.territory


def parcours_in_case(world, role: str, user, case: str, state: str = "active", **values):
    territory = _territory(world, user, case)
    mine = case in MINE
    establishment = None
    siae = None
    if role == "prison_staff" and mine:
        establishment = user.organisation
    if role in SIAE_ROLE_NAMES and mine:
        siae = user.organisation
    if establishment is None:
        establishment = OrganisationFactory(prison=True, territory=territory)
    if role == "cpip" and mine:
        establishment.spip = user.organisation
        establishment.save(update_fields=["spip"])
    if siae is None:
        siae = OrganisationFactory(siae=True, territory=territory)
    site = establishment.iae_sites.filter(siae=siae).first() or make_site(
        establishment=establishment, siae=siae
    )
    if role == "cpip" and mine:
        cpip = user if case == "own" else UserFactory(cpip=True, organisation=user.organisation)
    else:
        cpip = UserFactory(cpip=True, organisation=site.establishment.spip)
    detention = make_detention(
        cpip=cpip,
        establishment=site.establishment,
        sentence=(1, 6, 0),
        end_date=timezone.localdate() + dt.timedelta(days=300),
    )
    return make_parcours(site=site, detention=detention, state=state, **values)
