"""Demo accounts pass the second factor with the published secret and recovery codes."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from relais.demo import data
from relais.demo.second_factor import DEMO_RECOVERY_CODES, equip_demo_accounts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_operator(siao):
    user = UserFactory(siao_operator=True, organisation=siao, username="operateur.siao")
    user.set_password(data.PASSWORD)
    user.save()
    equip_demo_accounts()
    return user


def _past_password(user) -> Client:
    client = Client()
    client.post(reverse("login"), {"username": user.username, "password": data.PASSWORD})
    return client


def test_auth_demo_otp_prints_the_code_of_the_moment(demo_operator):
    out = StringIO()
    call_command("demo_otp", "operateur.siao", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client = _past_password(demo_operator)
    response = client.post(reverse("second_factor_verify"), {"code": code, "next": "/"})
    assert response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_auth_demo_recovery_codes_are_the_published_ones(demo_operator):
    client = _past_password(demo_operator)
    response = client.post(
        reverse("second_factor_verify"), {"code": DEMO_RECOVERY_CODES[3], "next": "/"}
    )
    assert response["Location"] == "/"


def test_auth_demo_otp_refuses_a_real_account(client, siao_operator):
    client.force_login(siao_operator)  # a random authenticator, not the demo's
    with pytest.raises(CommandError, match="n'est pas un compte de démonstration"):
        call_command("demo_otp", siao_operator.username, stdout=StringIO())
