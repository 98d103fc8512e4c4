"""Each role lands on a page made for its work; login, logout and admin speak French."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOMES = {
    "siao_operator": "Tableau de bord du SIAO",
    "emergency_line_user": "115 — appels du",
    "social_worker": "Demandes de",
    "cpip": "Demandes de",
    "structure_manager": "Structures de",
    "state_service_user": "vue d'ensemble",
    "territory_admin": "Comptes du territoire",
    "siae_coach": "Parcours d'insertion par l'activité économique",
    "siae_supervisor": "Parcours d'insertion par l'activité économique",
    "prison_staff": "Parcours d'insertion par l'activité économique",
}


@pytest.mark.parametrize(("role_fixture", "heading"), HOMES.items())
def test_each_role_lands_on_its_own_home_page(client, request, role_fixture, heading):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert heading in response.content.decode()


def test_login_and_logout_in_french(client, social_worker):
    page = client.get(reverse("login")).content.decode()
    assert "Connexion à Relais" in page and "Mot de passe" in page
    response = client.post(
        reverse("login"), {"username": social_worker.username, "password": "wrong"}
    )
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    response = client.post(
        reverse("login"),
        {"username": social_worker.username, "password": "Motdepasse-solide-2026"},
    )
    assert response.status_code == 302
    # Then the second factor (tests/accounts/test_auth_second_factor.py).
    assert client.get(reverse("home"))["Location"].startswith(reverse("second_factor_enrol"))
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_admin_speaks_french(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "Administration du territoire" in page
    assert "Organisations" in page and "Demandes" in page


def test_role_must_fit_the_organisation_kind(social_worker):
    from django.core.exceptions import ValidationError

    social_worker.role = "cpip"
    with pytest.raises(ValidationError, match="n'est pas possible"):
        social_worker.full_clean()


def test_siao_home_counts_open_the_requests_behind_them(client, siao_operator, social_worker):
    from relais.requests.enums import Channel
    from tests.factories import make_request

    make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(siao_operator)
    page = client.get(reverse("home")).content.decode()
    assert '<a href="/demandes/?channel=insertion&amp;status=new">1</a>' in page


def test_the_state_service_counts_link_to_no_person(client, state_service_user, social_worker):
    from relais.requests.enums import Channel
    from tests.factories import make_request

    make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(state_service_user)
    assert "/demandes/?" not in client.get(reverse("home")).content.decode()
