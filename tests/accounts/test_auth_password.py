"""Password policy (CNIL deliberation 2022-100) and the password change page."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return UserFactory.build(
        username="alice68",
        first_name="Alice",
        last_name="Martineau",
        email="alice.martineau@ccas.example",
    )


def _messages(password: str, user) -> list[str]:
    with pytest.raises(ValidationError) as refusal:
        validate_password(password, user)
    return refusal.value.messages


def test_auth_password_needs_at_least_12_characters(person):
    assert _messages("Court-2026!", person) == [
        "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."
    ]


def test_auth_password_refuses_a_common_password(person):
    assert "Ce mot de passe est trop courant." in _messages("password1234", person)


def test_auth_password_refuses_a_common_password_padded_with_digits(person):
    message = (
        "Ce mot de passe n'est qu'un mot de passe courant complété de chiffres ou de signes : "
        "il serait deviné parmi les premiers."
    )
    assert _messages("azerty123456", person) == [message]
    assert _messages("Soleil.2026!!", person) == [message]
    assert _messages("relais-2026-!", person) == [message]


def test_auth_password_refuses_personal_information(person):
    assert _messages("Alice.Martineau1", person) == [
        "Le mot de passe est trop semblable au champ «\xa0nom\xa0»."
    ]
    assert "Le mot de passe est trop semblable au champ «\xa0nom d’utilisateur\xa0»." in (
        _messages("alice68-2026", person)
    )


def test_auth_password_refuses_digits_only(person):
    assert _messages("739182736451", person) == ["Ce mot de passe est entièrement numérique."]


def test_auth_password_accepts_a_long_passphrase(person):
    validate_password("le chat dort sur le toit", person)
    validate_password(PASSWORD, person)


def test_auth_password_change_page_changes_the_password(client, social_worker):
    client.force_login(social_worker)
    page = client.get(reverse("password_change"))
    assert "Changer de mot de passe" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "une phrase longue et secrète",
            "new_password2": "une phrase longue et secrète",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Votre mot de passe a été modifié." in response.content.decode()
    social_worker.refresh_from_db()
    assert social_worker.check_password("une phrase longue et secrète")


def test_auth_password_change_page_explains_a_refusal_in_french(client, social_worker):
    client.force_login(social_worker)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Court-2026!", "new_password2": "Court-2026!"},
    )
    assert response.status_code == 200
    assert "Il doit contenir au minimum 12 caractères." in response.content.decode()
    social_worker.refresh_from_db()
    assert social_worker.check_password(PASSWORD)
