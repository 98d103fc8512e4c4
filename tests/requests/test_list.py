"""The request list: filters on channel, status, territory, referrer and names."""

import pytest
from django.urls import reverse

from relais.requests.enums import Channel, RequestStatus
from tests.factories import PersonFactory, make_evaluation, make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests_of_the_territory(social_worker, outsider):
    dupont = make_request(
        referrer=social_worker,
        channel=Channel.INSERTION,
        person=PersonFactory(birth_name="Dupont", usage_name="Schmitt", first_names="Léa"),
    )
    make_evaluation(dupont)
    dupont.evaluate(by=social_worker)
    martin = make_request(
        referrer=outsider,
        channel=Channel.EMERGENCY,
        person=PersonFactory(birth_name="Martin", first_names="Paul"),
    )
    return dupont, martin


def _names(response) -> set[str]:
    return {req.person.birth_name for row in response.context["page"] for req in row.members}


def test_list_filters_by_channel_status_and_referrer(
    client, siao_operator, requests_of_the_territory
):
    dupont, martin = requests_of_the_territory
    client.force_login(siao_operator)
    url = reverse("requests:list")
    assert _names(client.get(url)) == {"Dupont", "Martin"}
    assert _names(client.get(url, {"channel": Channel.EMERGENCY})) == {"Martin"}
    assert _names(client.get(url, {"status": RequestStatus.EVALUATED})) == {"Dupont"}
    assert _names(client.get(url, {"referrer": martin.referrer_organisation_id})) == {"Martin"}


@pytest.mark.parametrize("text", ["dupont", "SCHMITT", "léa", "Dupont Léa"])
def test_list_searches_birth_and_usage_names(
    client, siao_operator, requests_of_the_territory, text
):
    client.force_login(siao_operator)
    assert _names(client.get(reverse("requests:list"), {"q": text})) == {"Dupont"}


def test_list_shows_only_the_users_scope(client, social_worker, requests_of_the_territory):
    client.force_login(social_worker)
    assert _names(client.get(reverse("requests:list"))) == {"Dupont"}


def test_list_filters_by_territory(client, siao_operator, remote_worker, requests_of_the_territory):
    make_request(referrer=remote_worker, channel=Channel.INSERTION)
    client.force_login(siao_operator)
    dupont, _ = requests_of_the_territory
    response = client.get(reverse("requests:list"), {"territory": dupont.territory_id})
    assert _names(response) == {"Dupont", "Martin"}


def test_list_unknown_filter_values_are_ignored(client, siao_operator, requests_of_the_territory):
    client.force_login(siao_operator)
    response = client.get(reverse("requests:list"), {"channel": "nope", "referrer": "x"})
    assert response.status_code == 200
    assert _names(response) == {"Dupont", "Martin"}
