"""A site standing in one ownership case to a user, for the permission matrix and the guard
tests (see tests/permissions/test_permission_matrix.py for the four cases)."""

from relais.iae.models import ResourcePerson, Site
from tests.factories import OrganisationFactory, make_site

MINE = {"own", "same_org"}
SIAE_ROLES = {"siae_coach", "siae_supervisor"}


def _territory(world, user, case: str):
    if case == "other_territory":
        return world.other_territory
    return user.organisation.territory if user.organisation_id else world.territory


def site_in_case(world, role: str, user, case: str) -> Site:
    """own / same_org: a site at the prison staff's establishment, of the SIAE staff's SIAE, at a
    prison the CPIP's SPIP works in; other_org: another site of the user's territory (for the
    State service and the administrator, every site of the territory reads alike);
    other_territory: a site elsewhere."""
    territory = _territory(world, user, case)
    mine = case in MINE
    if role == "prison_staff" and mine:
        establishment = user.organisation
    else:
        establishment = OrganisationFactory(prison=True, territory=territory)
    if role == "cpip" and mine:
        establishment.spip = user.organisation
        establishment.save(update_fields=["spip"])
    if role in SIAE_ROLES and mine:
        siae = user.organisation
    else:
        siae = OrganisationFactory(siae=True, territory=territory)
    return make_site(establishment=establishment, siae=siae)


def resource_person_in_case(world, role: str, user, case: str) -> ResourcePerson:
    site = site_in_case(world, role, user, case)
    return ResourcePerson.objects.create(
        site=site,
        responsibility=site.responsibilities.first(),
        name="Nadia Roux",
        function="Conseillère France Travail Justice",
        phone="03 89 00 00 00",
    )
