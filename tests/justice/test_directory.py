"""JUS-08: the SPIP's référent hébergement-logement and the SIAO's référent justice are named
on the organisations, and a directory lists the SIAOs and SPIPs with their establishments,
referents and contacts (seed 000, annexes 3 and 5)."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.accounts.models import Organisation
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("justice:directory")


@pytest.fixture
def spip(cpip):
    spip = cpip.organisation
    spip.referent = cpip
    spip.phone = "03 89 11 22 33"
    spip.email = "spip68@justice.fr"
    spip.address = "2 rue des Bonnes-Gens, 68100 Mulhouse"
    spip.save()
    return spip


@pytest.fixture
def prisons(spip):
    covered = OrganisationFactory(
        prison=True, territory=spip.territory, name="Maison d'arrêt de Mulhouse"
    )
    covered.spip = spip  # (the factory's `spip` is the trait that makes a SPIP)
    covered.save()
    alone = OrganisationFactory(
        prison=True, territory=spip.territory, name="Centre de détention d'Ensisheim"
    )
    return covered, alone


def _text(response) -> str:
    """The page's words, tags taken out."""
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.unescape(words).split())


def test_jus_08_the_directory_lists_siaos_and_spips_with_referents_establishments_contacts(
    client, siao, siao_operator, spip, prisons, cpip, other_territory
):
    siao.referent = siao_operator
    siao.phone = "03 89 00 00 00"
    siao.save()
    OrganisationFactory(spip=True, territory=other_territory, name="SPIP du Bas-Rhin")
    client.force_login(cpip)
    text = _text(client.get(URL))
    assert "SIAO du Haut-Rhin" in text and "03 89 00 00 00" in text
    assert f"Référent justice {siao_operator.get_full_name()}" in text
    assert "SPIP du Haut-Rhin" in text and "spip68@justice.fr" in text
    assert "2 rue des Bonnes-Gens, 68100 Mulhouse" in text
    assert f"Référent hébergement-logement {cpip.get_full_name()}" in text
    assert "Établissements pénitentiaires Maison d'arrêt de Mulhouse (Maison d'arrêt (MA))" in text
    # A prison whose SPIP is not recorded is listed apart, so nothing is missing.
    assert "sans SPIP du territoire renseigné Centre de détention d'Ensisheim" in text
    # Another territory's services are not this territory's directory.
    assert "SPIP du Bas-Rhin" not in text
    assert "Modifier le référent" not in text


def test_jus_08_the_superuser_sees_every_territory(admin_client, spip, other_territory):
    OrganisationFactory(spip=True, territory=other_territory, name="SPIP du Bas-Rhin")
    text = _text(admin_client.get(URL))
    assert "SPIP du Haut-Rhin" in text and "SPIP du Bas-Rhin" in text
    assert "Haut-Rhin (68)" in text and "Bas-Rhin (67)" in text


@pytest.mark.parametrize(
    ("fixture", "allowed"),
    [
        ("siao_operator", True),
        ("emergency_line_user", True),
        ("cpip", True),
        ("territory_admin", True),
        ("state_service_user", True),
        ("social_worker", False),
        ("structure_manager", False),
        ("siae_coach", False),
    ],
)
def test_jus_08_the_directory_is_open_to_the_services_working_with_justice(
    client, request, fixture, allowed
):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(URL)
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert 'href="/justice/annuaire/"' in response.content.decode()  # in the menu


def test_jus_08_the_territory_administrator_names_the_spip_referent(
    client, territory_admin, spip, cpip, siao_operator
):
    colleague = UserFactory(cpip=True, organisation=spip, first_name="Nadia", last_name="Roux")
    url = reverse("accounts:organisation_referent", args=[spip.pk])
    client.force_login(territory_admin)
    assert "Modifier le référent" in _text(client.get(URL))
    page = _text(client.get(url))
    assert "Référent hébergement-logement" in page
    response = client.post(
        url, {"referent": colleague.pk, "email": "spip@justice.fr", "phone": "0389", "address": ""}
    )
    assert response.status_code == 302 and response["Location"] == URL
    spip.refresh_from_db()
    assert (spip.referent, spip.email) == (colleague, "spip@justice.fr")
    row = AuditEvent.objects.get(action=Action.WRITE, object_type="organisation")
    assert row.detail["changes"]["referent"] == [cpip.get_full_name(), colleague.get_full_name()]
    # Only someone of that organisation: the SIAO operator is refused, in French, and
    # what was typed stays.
    response = client.post(
        url, {"referent": siao_operator.pk, "email": "pas-une-adresse", "phone": "1"}
    )
    assert 'value="pas-une-adresse"' in response.content.decode()
    text = _text(response)
    assert "Choisissez une personne de « SPIP du Haut-Rhin » dans la liste." in text
    assert "Saisissez une adresse électronique valide" in text
    spip.refresh_from_db()
    assert spip.referent == colleague


def test_jus_08_the_administrator_names_the_siao_referent_and_the_spip_of_a_prison(
    client, territory_admin, siao, siao_operator, spip, prisons
):
    client.force_login(territory_admin)
    url = reverse("accounts:organisation_referent", args=[siao.pk])
    assert "Référent justice" in _text(client.get(url))
    client.post(url, {"referent": siao_operator.pk, "email": "", "phone": "", "address": ""})
    assert Organisation.objects.get(pk=siao.pk).referent == siao_operator
    _, alone = prisons
    url = reverse("accounts:organisation_referent", args=[alone.pk])
    assert "Référent" not in _text(client.get(url))
    client.post(url, {"spip": spip.pk, "email": "", "phone": "", "address": ""})
    assert Organisation.objects.get(pk=alone.pk).spip == spip
    assert "sans SPIP du territoire renseigné" not in _text(client.get(URL))


def test_jus_08_only_the_administrator_of_the_territory_edits_the_directory(
    client, request, territory_admin, spip, other_territory, structure_manager
):
    url = reverse("accounts:organisation_referent", args=[spip.pk])
    for fixture in ("siao_operator", "cpip", "state_service_user"):
        client.force_login(request.getfixturevalue(fixture))
        assert client.get(url).status_code == 403
    client.force_login(territory_admin)
    remote = OrganisationFactory(spip=True, territory=other_territory)
    assert (
        client.get(reverse("accounts:organisation_referent", args=[remote.pk])).status_code == 404
    )
    # A structure's manager is no directory entry.
    other = reverse("accounts:organisation_referent", args=[structure_manager.organisation_id])
    assert client.get(other).status_code == 404


def test_jus_08_a_referent_belongs_to_the_organisation_and_only_a_prison_has_a_spip(
    spip, siao, siao_operator
):
    spip.referent = siao_operator
    with pytest.raises(ValidationError) as refused:
        spip.full_clean()
    assert "référent doit être une personne de cette organisation" in str(refused.value)
    siao.spip = spip
    with pytest.raises(ValidationError) as refused:
        siao.full_clean()
    assert "Seul un établissement pénitentiaire a un SPIP intervenant" in str(refused.value)


def test_jus_08_a_stray_value_the_form_does_not_show_never_breaks_it(
    client, territory_admin, spip, prisons, siao_operator
):
    """A prison given a referent elsewhere (the Django admin): its form still saves."""
    _, alone = prisons
    Organisation.objects.filter(pk=alone.pk).update(referent=siao_operator)
    client.force_login(territory_admin)
    url = reverse("accounts:organisation_referent", args=[alone.pk])
    response = client.post(url, {"spip": spip.pk, "email": "", "phone": "", "address": ""})
    assert response.status_code == 302
    alone.refresh_from_db()
    assert (alone.spip, alone.referent) == (spip, None)


def test_jus_08_the_directory_makes_the_same_queries_for_one_spip_or_ten(
    client, cpip, spip, prisons
):
    client.force_login(cpip)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _text(client.get(URL))
        return len(queries)

    client.get(URL)  # the session and the second factor, once
    before = count()
    for n in range(9):
        other = OrganisationFactory(spip=True, territory=spip.territory, name=f"SPIP {n}")
        other.referent = UserFactory(cpip=True, organisation=other)
        other.save()
        prison = OrganisationFactory(prison=True, territory=spip.territory)
        prison.spip = other
        prison.save()
    assert count() == before
