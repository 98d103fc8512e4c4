"""Issue 12, point 9: every page reads as French written for people — no code names, model
names, raw values or Django's English pages — and refusals are French DSFR pages."""

import pytest
from django.test import Client
from django.urls import reverse
from django.views.defaults import server_error

from tests.audit.test_every_read import SIGN_IN_PAGES, _url, world  # noqa: F401 (fixture)
from tests.conftest import VerifiedClient, give_authenticator
from tests.developer_text import developer_text, unstyled_inputs, visible_text
from tests.permissions.test_permission_matrix import MATRIX, ROLE_FIXTURES, _url_names

pytestmark = pytest.mark.django_db


def _scan(client, user, role: str, objects: dict) -> tuple[int, list[str]]:
    """GET every page of the permission matrix as `user`: (pages read, offending snippets)."""
    client.force_login(user)
    client.raise_request_exception = False
    offending, read = [], 0
    for name in _url_names():
        url = _url(name, role, objects)
        entry = MATRIX.get(name)
        if url is None or name in SIGN_IN_PAGES or getattr(entry, "method", "get") != "get":
            continue
        response = client.get(url)
        if 300 <= response.status_code < 400 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        offending += [f"{name}: {s}" for s in developer_text(visible_text(response.text))]
        offending += [f"{name}: input sans style DSFR {s}" for s in unstyled_inputs(response.text)]
    return read, offending


def test_sec_04_no_page_of_the_siao_operator_shows_developer_text(client, request, siao_operator):
    """Every GET page of the permission matrix, as the SIAO operator, over a world where each
    page has something to show (refusals included: they are pages too)."""
    read, offending = _scan(
        client, siao_operator, "siao_operator", request.getfixturevalue("world")
    )
    assert read > 30, f"only {read} pages read: the walk proves nothing"
    assert not offending, "\n".join(offending)


@pytest.mark.parametrize(
    "role",
    [
        "structure_manager",
        "social_worker",
        "cpip",
        "territory_admin",
        "prison_staff",
        "siae_coach",
    ],
)
def test_sec_04_no_page_of_a_structure_or_a_social_worker_shows_developer_text(
    client, request, role
):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    read, offending = _scan(client, user, role, request.getfixturevalue("world"))
    assert read > 30, f"only {read} pages read: the walk proves nothing"
    assert not offending, "\n".join(offending)


def _error_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'id="erreur"' in html and "Revenir à l'accueil" in html
    assert not developer_text(visible_text(html)), developer_text(visible_text(html))
    return html


def test_sec_04_a_refusal_is_a_french_page_with_the_menu(client, settings, structure_manager):
    """PermissionDenied raised by a view: the DSFR 403 page, in French, menu and way back."""
    assert settings.DEBUG is False
    client.force_login(structure_manager)
    html = _error_page(client.get(reverse("audit:search")), 403)
    assert "Cette page ne vous est pas ouverte" in html
    # The view's own reason, and the signed-in user's menu.
    assert "journal d&#x27;audit est réservé au SIAO" in html
    assert 'id="menu"' in html and "Mes structures" in html


def test_sec_04_a_missing_page_is_a_french_404(client, structure_manager):
    client.force_login(structure_manager)
    html = _error_page(client.get("/cette-page-n-existe-pas/"), 404)
    assert "Page introuvable" in html and 'id="menu"' in html
    # An object out of reach is a 404 too: the same page, no English "No … matches".
    html = _error_page(client.get(reverse("requests:detail", args=[2**31])), 404)
    assert "matches" not in html


def test_sec_04_a_bad_request_is_a_french_400(client):
    html = _error_page(client.get("/", headers={"host": "ailleurs.example"}), 400)
    assert "Demande incorrecte" in html


def test_sec_04_a_form_refused_by_the_csrf_check_is_a_french_403(structure_manager):
    client = VerifiedClient(enforce_csrf_checks=True)
    client.force_login(structure_manager)
    html = _error_page(client.post(reverse("logout")), 403)
    assert "Le formulaire a expiré" in html


def test_sec_04_the_server_error_page_needs_neither_the_database_nor_the_user(
    rf, django_assert_num_queries
):
    request = rf.get("/")  # no session, no user: a fault may have broken either
    with django_assert_num_queries(0):
        response = server_error(request)
    html = _error_page(response, 500)
    assert "Relais a rencontré un problème" in html
    assert 'id="menu"' not in html


@pytest.mark.parametrize("page", ["password_change", "second_factor_enrol"])
def test_sec_04_password_and_authenticator_pages_draw_dsfr_inputs(client, social_worker, page):
    """Django's and django-otp's forms render through FORM_RENDERER like ours."""
    client.force_login(social_worker)
    html = client.get(reverse(page)).content.decode()
    assert 'class="fr-input' in html
    assert not unstyled_inputs(html), unstyled_inputs(html)


def test_sec_04_the_second_factor_code_box_is_a_dsfr_input(client, social_worker):
    Client.force_login(client, social_worker)  # signed in, second factor not yet checked
    give_authenticator(social_worker)
    html = client.get(reverse("second_factor_verify")).content.decode()
    assert 'name="code"' in html
    assert 'class="fr-input-group' in html and not unstyled_inputs(html), unstyled_inputs(html)


def test_sec_04_empty_choices_are_worded_in_french(client, siao_operator):
    """One mechanism (FORM_RENDERER's select): a required list asks to choose, an optional
    one says "Non renseigné"; never Django's "---------"."""
    client.force_login(siao_operator)
    html = client.get(reverse("places:create")).content.decode()
    assert "---------" not in html
    assert '<option value="" selected>Sélectionner une option</option>' in html
    html = client.get(reverse("requests:create")).content.decode()
    assert "---------" not in html and ">Non renseigné</option>" in html
