"""SIAO-02: requests per person, attached to a household; counts per person and per group."""

import pytest
from django.urls import reverse

from relais.persons.enums import Relationship
from relais.persons.models import Household, HouseholdMember
from relais.requests.enums import Channel
from relais.requests.models import Request
from tests.factories import PersonFactory, make_request

pytestmark = pytest.mark.django_db


def _create_family(client, user):
    client.force_login(user)
    return client.post(
        reverse("requests:create"),
        {
            "request-channel": Channel.INSERTION,
            "request-requested_on": "2026-11-02",
            "request-notes": "",
            "person-birth_name": "Haddad",
            "person-first_names": "Samira",
            "person-sex": "F",
            "person-birth_date": "14/07/1988",
            "members-TOTAL_FORMS": "2",
            "members-INITIAL_FORMS": "0",
            "members-0-relationship": Relationship.SPOUSE,
            "members-0-birth_name": "Haddad",
            "members-0-first_names": "Karim",
            "members-0-sex": "M",
            "members-0-birth_date": "1985",
            "members-1-relationship": Relationship.CHILD,
            "members-1-birth_name": "Haddad",
            "members-1-first_names": "Inès",
            "members-1-birth_date": "03/2019",
            "members-1-child_situation": "dependent",
        },
    )


def test_siao_02_each_household_member_gets_a_request_attached_to_the_principal(
    client, social_worker
):
    response = _create_family(client, social_worker)
    assert response.status_code == 302
    household = Household.objects.get()
    requests = Request.objects.filter(household=household)
    assert requests.count() == 3
    principal = requests.get(person=household.principal)
    assert principal.is_principal
    secondary = requests.exclude(pk=principal.pk)
    assert all(r.principal_request == principal for r in secondary)
    assert {r.channel for r in requests} == {Channel.INSERTION}
    assert sorted(household.members.values_list("relationship", flat=True)) == [
        "child",
        "principal",
        "spouse",
    ]


def test_siao_02_counts_exist_per_person_and_per_group(client, social_worker):
    _create_family(client, social_worker)
    requests = Request.objects.all()
    assert requests.count() == 3  # per person
    assert requests.values("household").distinct().count() == 1  # per group


def test_siao_02_detail_page_shows_the_household_with_links(client, social_worker):
    _create_family(client, social_worker)
    principal = Request.objects.get(person__first_names="Samira")
    page = client.get(reverse("requests:detail", args=[principal.pk])).content.decode()
    assert "Ménage (3 personnes)" in page
    assert "Karim" in page and "Conjoint(e)" in page
    assert "Inès" in page and "À charge" in page
    child_request = Request.objects.get(person__first_names="Inès")
    assert reverse("requests:detail", args=[child_request.pk]) in page


def test_siao_02_adding_a_member_later_creates_its_secondary_request(client, social_worker):
    _create_family(client, social_worker)
    principal = Request.objects.get(person__first_names="Samira")
    response = client.post(
        reverse("requests:household_add", args=[principal.pk]),
        {
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-relationship": Relationship.CHILD,
            "members-0-birth_name": "Haddad",
            "members-0-first_names": "Adam",
            "members-0-birth_date": "2024",
        },
    )
    assert response.status_code == 302
    assert principal.household.members.count() == 4
    assert Request.objects.get(person__first_names="Adam").household == principal.household


def test_siao_02_the_household_shares_one_evaluation_validated_with_the_principal(
    client, social_worker
):
    from tests.factories import make_evaluation

    _create_family(client, social_worker)
    principal = Request.objects.get(person__first_names="Samira")
    child = Request.objects.get(person__first_names="Inès")
    assert child.evaluation_request == principal
    # The child's evaluation page is the household's, on the principal request.
    response = client.get(reverse("requests:evaluation", args=[child.pk]))
    assert response["Location"] == reverse("requests:evaluation", args=[principal.pk])
    principal.evaluation.delete()
    make_evaluation(principal)
    principal.evaluate(by=social_worker)
    statuses = set(
        Request.objects.filter(household=principal.household).values_list("status", flat=True)
    )
    assert statuses == {"evaluated"}


# -- household-first lists and household facts ------------------------------------------------


def _call_family(client, user, *, tonight: bool = True):
    """A 115 call for a mother and her three children."""
    client.force_login(user)
    page = client.get(reverse("requests:create_emergency"))
    data = {
        "call-submission": page.context["form"].initial["submission"],
        "call-birth_name": "Benali",
        "call-first_names": "Nadia",
        "call-sex": "F",
        "call-birth_date": "1990",
        "call-phone": "",
        "call-current_location": "Gare de Mulhouse",
        "call-notes": "",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
    }
    if tonight:
        data["call-needs_tonight"] = "on"
    for i, first in enumerate(["Yanis", "Lina", "Sofia"]):
        data |= {
            f"members-{i}-relationship": Relationship.CHILD,
            f"members-{i}-birth_name": "Benali",
            f"members-{i}-first_names": first,
            f"members-{i}-birth_date": f"{2015 + i}",
            f"members-{i}-child_situation": "dependent",
        }
    response = client.post(reverse("requests:create_emergency"), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Request.objects.get(person__first_names="Nadia")


def test_siao_02_the_child_of_a_115_caller_shares_tonight_and_the_place(
    client, emergency_line_user
):
    mother = _call_family(client, emergency_line_user)
    household = Request.objects.filter(household=mother.household)
    assert household.count() == 4
    assert set(household.values_list("needs_tonight", "current_location")) == {
        (True, "Gare de Mulhouse")
    }
    child = household.get(person__first_names="Lina")
    page = client.get(reverse("requests:detail", args=[child.pk])).content.decode()
    assert "Mise à l'abri ce soir</dt><dd>Oui" in page


def test_siao_02_a_household_fact_edited_on_one_request_holds_for_every_member(
    client, emergency_line_user
):
    mother = _call_family(client, emergency_line_user)
    child = Request.objects.get(person__first_names="Yanis")
    child.needs_tonight = False
    child.current_location = "Accueil de jour"
    child.save()
    assert set(
        Request.objects.filter(household=mother.household).values_list(
            "needs_tonight", "current_location"
        )
    ) == {(False, "Accueil de jour")}


def test_siao_02_the_list_shows_one_row_per_household_naming_every_member(
    client, emergency_line_user, siao_operator
):
    _call_family(client, emergency_line_user)
    client.force_login(siao_operator)
    response = client.get(reverse("requests:list"))
    rows = list(response.context["page"])
    assert len(rows) == 1
    assert [r.person.first_names for r in rows[0].members] == ["Nadia", "Yanis", "Lina", "Sofia"]
    page = response.content.decode()
    assert "1 ménage, 4 personnes" in page
    assert page.count("<tr>") == 2  # the header and the household
    # A name search finds the household; the row still names the whole family.
    response = client.get(reverse("requests:list"), {"q": "Sofia"})
    rows = list(response.context["page"])
    assert len(rows) == 1 and len(rows[0].members) == 4
    assert "1 ménage, 4 personnes" in response.content.decode()


def test_siao_02_the_list_pages_by_household(client, social_worker, siao_operator):
    from relais.requests import views

    for _ in range(views.PAGE_SIZE + 1):
        principal = make_request(referrer=social_worker)
        for relationship in (Relationship.SPOUSE, Relationship.CHILD):
            person = PersonFactory()
            HouseholdMember.objects.create(
                household=principal.household, person=person, relationship=relationship
            )
            make_request(person=person, referrer=social_worker, household=principal.household)
    client.force_login(siao_operator)
    first = client.get(reverse("requests:list")).context["page"]
    assert first.paginator.count == views.PAGE_SIZE + 1
    assert len(list(first)) == views.PAGE_SIZE
    assert all(len(row.members) == 3 for row in first)
    last = client.get(reverse("requests:list"), {"page": 2}).context["page"]
    assert len(list(last)) == 1


def test_siao_02_the_115_home_lists_tonight_per_household(client, emergency_line_user):
    _call_family(client, emergency_line_user)
    calls = client.get(reverse("home")).context["calls"]
    assert len(calls) == 1 and len(calls[0].members) == 4
