"""SIAO-20/21, first simple rule: a user reaches only the requests their organisation may see.

Out-of-scope requests answer 404 on every view, so an id typed in the URL reveals nothing.
"""

import pytest
from django.urls import reverse

from relais.requests.enums import Channel
from tests.factories import StructureFactory, make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db

REQUEST_VIEWS = ["detail", "edit", "evaluation", "evaluation_print", "household_add"]


@pytest.fixture
def alices_request(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    make_evaluation(req)
    return req


@pytest.mark.parametrize("view", REQUEST_VIEWS)
def test_siao_20_a_social_worker_does_not_reach_another_services_file(
    client, outsider, alices_request, view
):
    client.force_login(outsider)
    assert client.get(reverse(f"requests:{view}", args=[alices_request.pk])).status_code == 404


@pytest.mark.parametrize("view", REQUEST_VIEWS)
def test_siao_20_a_worker_of_another_territory_does_not_reach_the_file(
    client, remote_worker, alices_request, view
):
    client.force_login(remote_worker)
    assert client.get(reverse(f"requests:{view}", args=[alices_request.pk])).status_code == 404


@pytest.mark.parametrize("view", REQUEST_VIEWS)
def test_siao_20_the_referring_service_reaches_its_file(client, colleague, alices_request, view):
    client.force_login(colleague)
    assert client.get(reverse(f"requests:{view}", args=[alices_request.pk])).status_code == 200


@pytest.mark.parametrize("view", REQUEST_VIEWS)
def test_siao_20_the_siao_sees_every_request_of_its_territory(
    client, siao_operator, alices_request, view
):
    client.force_login(siao_operator)
    assert client.get(reverse(f"requests:{view}", args=[alices_request.pk])).status_code == 200


def test_siao_20_the_state_service_never_sees_a_person(client, state_service_user, alices_request):
    client.force_login(state_service_user)
    assert client.get(reverse("requests:detail", args=[alices_request.pk])).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert alices_request.person.birth_name not in home
    listing = client.get(reverse("requests:list")).content.decode()
    assert alices_request.person.birth_name not in listing


def test_siao_21_a_structure_manager_sees_only_people_hosted_in_its_structures(
    client, structure_manager, siao_operator, social_worker
):
    own = StructureFactory(manager=structure_manager.organisation)
    hosted = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orient(hosted, by=siao_operator, structure=own)
    elsewhere = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orient(elsewhere, by=siao_operator)
    client.force_login(structure_manager)
    assert client.get(reverse("requests:detail", args=[hosted.pk])).status_code == 200
    assert client.get(reverse("requests:detail", args=[elsewhere.pk])).status_code == 404
    # Reading is not writing: the file belongs to the referring service.
    assert client.get(reverse("requests:evaluation", args=[hosted.pk])).status_code == 403


def test_siao_20_the_115_sees_urgence_requests_of_its_territory_only(
    client, emergency_line_user, social_worker
):
    urgence = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    insertion = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(emergency_line_user)
    assert client.get(reverse("requests:detail", args=[urgence.pk])).status_code == 200
    assert client.get(reverse("requests:detail", args=[insertion.pk])).status_code == 404


def test_siao_20_reading_is_not_writing_for_the_115(client, emergency_line_user, social_worker):
    urgence = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    client.force_login(emergency_line_user)
    assert client.get(reverse("requests:edit", args=[urgence.pk])).status_code == 403
    assert client.post(reverse("requests:evaluate", args=[urgence.pk])).status_code == 403


def test_siao_20_anonymous_visitors_are_sent_to_the_login_page(client, alices_request):
    response = client.get(reverse("requests:detail", args=[alices_request.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
