"""SIAO-02: requests per person, attached to a household; counts per person and per group."""

import pytest
from django.urls import reverse

from relais.persons.enums import Relationship
from relais.persons.models import Household
from relais.requests.enums import Channel
from relais.requests.models import Request

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
