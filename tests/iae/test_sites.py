"""The site screens: the who-leads-what matrix of the SPIP–SIAE charter (IAE-03) and the
directory of resource persons per domain (IAE-07), with who reads and who keeps them."""

import re
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.iae.enums import CHARTER_DOMAINS, Lead
from relais.iae.models import ResourcePerson, Responsibility, Site
from tests.developer_text import developer_text, visible_text
from tests.factories import OrganisationFactory, UserFactory, make_site

pytestmark = pytest.mark.django_db

COLUMNS = ["CPIP", "SIAE", "partagée", "autre"]  # the charter's columns, in order


@pytest.fixture
def site(prison, cpip, siae_coach):
    prison.spip = cpip.organisation
    prison.save(update_fields=["spip"])
    return make_site(establishment=prison, siae=siae_coach.organisation, activity="Blanchisserie")


def _writes(site) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action=Action.WRITE, object_type="site", object_id=str(site.pk))
        .order_by("id")
        .values_list("detail", flat=True)
    )


def _lead_column(html: str, domain: str) -> tuple[int, str]:
    """The column (0: CPIP … 3: other actor) marked in the domain's row, and its text."""
    html = unescape(html)
    table = re.search(r'<table id="chefs-de-file">(.*?)</table>', html, re.S).group(1)
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        if f'<th scope="row">{domain}</th>' in row:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            marked = [i for i, cell in enumerate(cells) if "Chef de file" in cell]
            assert len(marked) == 1, row
            return marked[0], visible_text(cells[marked[0]])
    raise AssertionError(f"no row for {domain!r}")


def _matrix_data(site, *, changes=None, extra=None, delete=()) -> dict:
    """The matrix form as the page sends it: each row as it is, with `changes` by domain."""
    rows = list(site.responsibilities.order_by("position", "id"))
    data = {
        "domaines-TOTAL_FORMS": str(len(rows) + 1),
        "domaines-INITIAL_FORMS": str(len(rows)),
        "domaines-MIN_NUM_FORMS": "0",
        "domaines-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        values = {"domain": row.domain, "lead": row.lead, "other_actor": row.other_actor}
        values |= (changes or {}).get(row.domain, {})
        data |= {f"domaines-{i}-{name}": value for name, value in values.items()}
        data[f"domaines-{i}-id"] = str(row.pk)
        if row.domain in delete:
            data[f"domaines-{i}-DELETE"] = "on"
    n = len(rows)
    extra = extra or {}
    data |= {
        f"domaines-{n}-{name}": extra.get(name, "") for name in ("domain", "lead", "other_actor")
    }
    data[f"domaines-{n}-id"] = ""
    return data


# -- IAE-03: the matrix ---------------------------------------------------------------------


def test_iae_03_a_new_site_starts_with_the_charters_eight_domains(
    client, prison_staff, prison, siae_coach
):
    client.force_login(prison_staff)
    response = client.post(
        reverse("iae:site_create"),
        {
            "establishment": prison.pk,
            "siae": siae_coach.organisation.pk,
            "activity": "Menuiserie",
            "posts": "12",
            "sentence_criterion": "remaining",
            "exit_alert_weeks": "8",
        },
    )
    site = Site.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "iae:site_detail", args=[site.pk]
    )
    rows = list(site.responsibilities.order_by("position"))
    assert [row.domain for row in rows] == [domain for domain, _, _ in CHARTER_DOMAINS]
    assert len(rows) == 8
    assert _writes(site) == [{"event": "site_created"}]
    html = client.get(reverse("iae:site_detail", args=[site.pk])).content.decode()
    for domain, lead, other in CHARTER_DOMAINS:
        column, text = _lead_column(html, domain)
        assert column == [Lead.CPIP, Lead.SIAE, Lead.SHARED, Lead.OTHER].index(lead)
        assert other in text
    # The charter's columns as its table names them, and both sentence figures explained.
    for heading in ("CPIP", "Permanents de la SIAE (CIP et ET)", "Interventions partagées"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "reliquat de peine" in html and "quantum de peine" in html
    assert not developer_text(visible_text(html))


def test_iae_03_a_second_site_for_the_same_pair_is_refused_in_french(client, territory_admin, site):
    client.force_login(territory_admin)
    response = client.post(
        reverse("iae:site_create"),
        {
            "establishment": site.establishment_id,
            "siae": site.siae_id,
            "activity": "Reprographie numérique",
            "sentence_criterion": "quantum",
            "exit_alert_weeks": "6",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "est déjà implantée" in html and "Reprographie numérique" in html
    assert Site.objects.count() == 1


def test_iae_03_the_prison_staff_opens_a_site_at_its_own_establishment_only(
    client, prison_staff, siae_coach, territory
):
    other_prison = OrganisationFactory(prison=True, territory=territory)
    client.force_login(prison_staff)
    response = client.post(
        reverse("iae:site_create"),
        {
            "establishment": other_prison.pk,
            "siae": siae_coach.organisation.pk,
            "sentence_criterion": "remaining",
            "exit_alert_weeks": "8",
        },
    )
    assert response.status_code == 400
    assert "Choisissez un établissement de la liste" in response.content.decode()
    assert not Site.objects.exists()


def test_iae_03_an_siae_of_another_territory_is_not_offered(
    client, territory_admin, prison, other_territory
):
    elsewhere = OrganisationFactory(siae=True, territory=other_territory)
    client.force_login(territory_admin)
    response = client.post(
        reverse("iae:site_create"),
        {
            "establishment": prison.pk,
            "siae": elsewhere.pk,
            "sentence_criterion": "remaining",
            "exit_alert_weeks": "8",
        },
    )
    assert response.status_code == 400 and not Site.objects.exists()


def test_iae_03_changing_a_lead_shows_on_the_site_page(client, cpip, site):
    housing = "Logement / hébergement"
    client.force_login(cpip)
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(
            site,
            changes={
                housing: {"lead": Lead.OTHER, "other_actor": "SIAO du Haut-Rhin"},
                "Formation": {"lead": Lead.SHARED},
            },
        ),
    )
    assert response.status_code == 302
    html = client.get(reverse("iae:site_detail", args=[site.pk])).content.decode()
    column, text = _lead_column(html, housing)
    assert column == 3 and "SIAO du Haut-Rhin" in text
    assert _lead_column(html, "Formation")[0] == 2
    assert site.responsibilities.get(domain="Formation").lead == Lead.SHARED
    [detail] = _writes(site)
    assert detail["event"] == "site_matrix_changed"
    assert set(detail["modifiés"]) == {housing, "Formation"}


def test_iae_03_an_other_actor_lead_must_name_the_actor(client, siae_coach, site):
    client.force_login(siae_coach)
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(
            site,
            changes={"Mobilité": {"lead": Lead.OTHER, "other_actor": ""}},
            extra={"domain": "Culture et sport", "lead": Lead.CPIP},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nommez l&#x27;autre acteur chef de file" in html
    assert "Culture et sport" in html  # nothing typed is lost
    assert site.responsibilities.get(domain="Mobilité").lead == Lead.SHARED
    assert not site.responsibilities.filter(domain="Culture et sport").exists()
    assert not _writes(site)


def test_iae_03_a_row_the_site_adds_comes_last_and_one_can_be_removed(client, prison_staff, site):
    client.force_login(prison_staff)
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(
            site,
            extra={"domain": "Addictologie", "lead": Lead.OTHER, "other_actor": "CSAPA"},
            delete=["Mobilité"],
        ),
    )
    assert response.status_code == 302
    domains = list(
        site.responsibilities.order_by("position", "id").values_list("domain", flat=True)
    )
    assert domains[-1] == "Addictologie" and "Mobilité" not in domains and len(domains) == 8
    html = client.get(reverse("iae:site_detail", args=[site.pk])).content.decode()
    column, text = _lead_column(html, "Addictologie")
    assert column == 3 and "CSAPA" in text
    [detail] = _writes(site)
    assert detail["ajoutés"] == ["Addictologie"] and detail["retirés"] == ["Mobilité"]


def test_iae_03_a_duplicate_domain_and_a_row_with_contacts_are_refused(client, cpip, site):
    row = site.responsibilities.get(domain="Formation")
    ResourcePerson.objects.create(site=site, responsibility=row, name="Léa Martin")
    client.force_login(cpip)
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(site, extra={"domain": "formation", "lead": Lead.CPIP}, delete=["Formation"]),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "a des personnes ressources" in html
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(site, extra={"domain": "Formation", "lead": Lead.CPIP}),
    )
    assert response.status_code == 400
    assert "Ce domaine figure déjà dans le tableau" in response.content.decode()
    assert site.responsibilities.count() == 8


@pytest.mark.parametrize("outsider", ["territory_admin", "state_service_user", "other_prison"])
def test_iae_03_only_the_sites_partners_edit(client, request, site, territory, outsider):
    if outsider == "other_prison":
        user = UserFactory(
            prison_staff=True, organisation=OrganisationFactory(prison=True, territory=territory)
        )
        expected = 404  # another establishment's site is out of its sight
    else:
        user = request.getfixturevalue(outsider)
        expected = 403  # the territory's site is read, not kept
    client.force_login(user)
    response = client.post(
        reverse("iae:site_matrix", args=[site.pk]),
        _matrix_data(site, changes={"Formation": {"lead": Lead.CPIP}}),
    )
    assert response.status_code == expected
    assert site.responsibilities.get(domain="Formation").lead == Lead.SIAE
    for name in ("iae:site_edit", "iae:resource_add"):
        assert client.get(reverse(name, args=[site.pk])).status_code == expected
    if expected == 403:
        page = client.get(reverse("iae:site_detail", args=[site.pk]))
        assert page.status_code == 200 and "Modifier les chefs de file" not in page.content.decode()


def test_iae_03_the_settings_are_kept_by_the_partners(client, siae_supervisor, site):
    client.force_login(siae_supervisor)
    response = client.post(
        reverse("iae:site_edit", args=[site.pk]),
        {
            "activity": "Blanchisserie industrielle",
            "posts": "600",
            "sentence_criterion": "quantum",
            "exit_alert_weeks": "0",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez au plus 500 postes" in html and "Indiquez au moins 1 semaine" in html
    assert "Blanchisserie industrielle" in html
    response = client.post(
        reverse("iae:site_edit", args=[site.pk]),
        {
            "activity": "Blanchisserie industrielle",
            "posts": "14",
            "sentence_criterion": "quantum",
            "exit_alert_weeks": "10",
        },
    )
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.posts, site.sentence_criterion, site.exit_alert_weeks) == (14, "quantum", 10)
    assert _writes(site)[0]["event"] == "site_settings_changed"


def test_iae_03_the_responsibilities_include_lists_each_domain_and_lead(site):
    housing = site.responsibilities.get(domain="Logement / hébergement")
    ResourcePerson.objects.create(
        site=site, responsibility=housing, name="Marc Lenoir", phone="03 89 11 22 33"
    )
    html = render_to_string("iae/_responsibilities.html", {"site": site})
    text = visible_text(html)
    for row in Responsibility.objects.filter(site=site):
        assert row.domain in text and row.lead_display in text
    assert "Unité sanitaire de l'établissement" in text  # the other actor, named
    assert "Marc Lenoir" in text and "03 89 11 22 33" in text
    assert not developer_text(text)


# -- IAE-07: the directory ------------------------------------------------------------------


def _person_data(row, **values) -> dict:
    return {
        "responsibility": row.pk,
        "name": "Nadia Roux",
        "function": "Conseillère France Travail Justice",
        "organisation_name": "France Travail Mulhouse",
        "phone": "03 89 00 00 01",
        "email": "nadia.roux@example.fr",
        "how_to_reach": "Permanence le mardi matin",
    } | values


def test_iae_07_the_directory_lists_resource_persons_under_their_domain(client, cpip, site):
    search = site.responsibilities.get(domain__startswith="Recherche d'emploi")
    health = site.responsibilities.get(domain="Santé / soins")
    client.force_login(cpip)
    page = client.get(reverse("iae:resource_add", args=[site.pk]), {"domaine": search.pk})
    assert f'<option value="{search.pk}" selected' in page.content.decode()
    assert (
        client.post(reverse("iae:resource_add", args=[site.pk]), _person_data(search)).status_code
        == 302
    )
    client.post(
        reverse("iae:resource_add", args=[site.pk]),
        _person_data(health, name="Dr Paul Weiss", email="", phone="03 89 00 00 02"),
    )
    html = client.get(reverse("iae:site_detail", args=[site.pk])).content.decode()
    sections = dict(
        re.findall(r'<section[^>]*id="annuaire-domaine-(\d+)">(.*?)</section>', html, re.S)
    )
    assert (
        "Nadia Roux" in sections[str(search.pk)] and "Dr Paul Weiss" not in sections[str(search.pk)]
    )
    assert "Dr Paul Weiss" in sections[str(health.pk)]
    for shown in (
        "France Travail Mulhouse",
        "03 89 00 00 01",
        "nadia.roux@example.fr",
        "mardi matin",
    ):
        assert shown in sections[str(search.pk)]
    assert [d["event"] for d in _writes(site)] == ["resource_person_added"] * 2


def test_iae_07_bad_input_keeps_what_was_typed(client, prison_staff, site):
    row = site.responsibilities.first()
    client.force_login(prison_staff)
    response = client.post(
        reverse("iae:resource_add", args=[site.pk]),
        _person_data(row, name="", email="pas-une-adresse", how_to_reach="Par le greffe"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le nom de la personne ressource" in html
    assert "Indiquez une adresse électronique valide" in html
    assert "Par le greffe" in html and "pas-une-adresse" in html
    assert not ResourcePerson.objects.exists()


def test_iae_07_a_domain_of_another_site_is_refused(client, siae_coach, site):
    elsewhere = make_site()
    client.force_login(siae_coach)
    response = client.post(
        reverse("iae:resource_add", args=[site.pk]),
        _person_data(elsewhere.responsibilities.first()),
    )
    assert response.status_code == 400
    assert "Choisissez un domaine du tableau de ce site" in response.content.decode()


def test_iae_07_edit_and_remove_a_resource_person(client, siae_coach, site):
    row = site.responsibilities.get(domain="Formation")
    person = ResourcePerson.objects.create(site=site, responsibility=row, name="Léa Martin")
    client.force_login(siae_coach)
    response = client.post(
        reverse("iae:resource_edit", args=[person.pk]),
        _person_data(row, name="Léa Martin", phone="06 12 34 56 78"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.phone == "06 12 34 56 78"
    assert client.get(reverse("iae:resource_delete", args=[person.pk])).status_code == 405
    assert client.post(reverse("iae:resource_delete", args=[person.pk])).status_code == 302
    assert not ResourcePerson.objects.exists()
    assert [d["event"] for d in _writes(site)] == [
        "resource_person_changed",
        "resource_person_removed",
    ]


def test_iae_07_the_printed_directory_and_matrix(client, state_service_user, site):
    row = site.responsibilities.get(domain="Formation")
    ResourcePerson.objects.create(
        site=site, responsibility=row, name="Léa Martin", phone="03 89 00 00 09"
    )
    client.force_login(state_service_user)
    response = client.get(reverse("iae:site_print", args=[site.pk]))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert 'id="chefs-de-file"' in html and "Léa Martin" in html and "03 89 00 00 09" in html
    for domain, _, _ in CHARTER_DOMAINS:
        assert domain in html
    assert "Modifier" not in visible_text(html.split('id="charte-imprimee"')[1])
    assert not developer_text(visible_text(html))


def test_iae_07_the_directory_is_scoped_to_the_sites_partners(client, site, territory):
    row = site.responsibilities.first()
    person = ResourcePerson.objects.create(site=site, responsibility=row, name="Léa Martin")
    other_siae = UserFactory(
        siae_coach=True, organisation=OrganisationFactory(siae=True, territory=territory)
    )
    mine = make_site(siae=other_siae.organisation)
    client.force_login(other_siae)
    listed = client.get(reverse("iae:site_list")).content.decode()
    assert reverse("iae:site_detail", args=[mine.pk]) in listed
    assert reverse("iae:site_detail", args=[site.pk]) not in listed
    for name in ("iae:site_detail", "iae:site_print"):
        assert client.get(reverse(name, args=[site.pk])).status_code == 404
    assert client.get(reverse("iae:resource_edit", args=[person.pk])).status_code == 404
    assert client.post(reverse("iae:resource_delete", args=[person.pk])).status_code == 404
    assert ResourcePerson.objects.filter(pk=person.pk).exists()
