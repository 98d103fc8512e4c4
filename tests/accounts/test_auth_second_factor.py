"""Second factor (TOTP app + recovery codes): nothing but its own pages until it is checked."""

from base64 import b32encode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.security import confirm_authenticator, pending_authenticator
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_CODE = "Code incorrect ou expiré."


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _signed_in_with_password(user) -> Client:
    """A browser past the password, before the second factor."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _sample_paths(resolver=None, prefix: str = "/") -> list[str]:
    """One path per URL pattern of the project (ids replaced by 1)."""
    resolver = resolver or get_resolver()
    paths = []
    for pattern in resolver.url_patterns:
        route = str(pattern.pattern).lstrip("^").rstrip("$")
        if "(?P" in route or "(" in route:
            continue  # the admin's regex patterns: its plain routes are enough here
        for converter in ("<int:", "<str:", "<path:", "<slug:", "<uuid:"):
            while converter in route:
                start = route.index(converter)
                value = "1" if converter in ("<int:", "<path:") else "x"
                route = route[:start] + value + route[route.index(">", start) + 1 :]
        if isinstance(pattern, URLResolver):
            paths += _sample_paths(pattern, prefix + route)
        elif isinstance(pattern, URLPattern):
            paths.append(prefix + route)
    return paths


OPEN = {"/connexion/", "/deconnexion/", "/connexion/code/", "/connexion/application/"}


def test_auth_unverified_user_is_sent_to_the_second_factor_from_every_page(
    siao_operator, social_worker
):
    confirm_authenticator(pending_authenticator(siao_operator))
    # The API takes a token, never a session: tests/api walks it.
    paths = [p for p in _sample_paths() if p not in OPEN and not p.startswith("/api/")]
    assert "/demandes/" in paths and "/admin/" in paths and len(paths) > 20
    for user, step in [
        (siao_operator, "second_factor_verify"),
        (social_worker, "second_factor_enrol"),
    ]:
        client = _signed_in_with_password(user)
        for path in paths:
            for method in (client.get, client.post):
                response = method(path)
                if response.status_code == 404 and "x" in path.split("/"):
                    continue  # a str id that names nothing: no page to protect
                assert response.status_code == 302, (method, path)
                assert response["Location"].startswith(reverse(step)), path


def test_auth_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(social_worker):
    client = _signed_in_with_password(social_worker)
    response = client.get(reverse("home"), follow=True)
    page = response.content.decode()
    assert "Protéger votre compte par un code" in page
    assert '<svg width="' in page and 'class="relais-qr"' in page
    device = TOTPDevice.objects.get(user=social_worker, confirmed=False)
    secret = page.split('id="cle-secrete">')[1].split("<")[0].replace(" ", "")
    assert secret == b32encode(device.bin_key).decode()

    response = client.post(reverse("second_factor_enrol"), {"code": "000000", "next": "/"})
    assert "Ce code ne correspond pas." in response.content.decode()
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)

    device.refresh_from_db()
    response = client.post(reverse("second_factor_enrol"), {"code": _code(device), "next": "/"})
    page = response.content.decode()
    assert "Vos codes de secours" in page and "ils ne seront plus affichés" in page
    codes = set(
        StaticToken.objects.filter(device__user=social_worker).values_list("token", flat=True)
    )
    assert len(codes) == 10 and all(code in page for code in codes)
    assert client.get(reverse("home")).status_code == 200


def test_auth_wrong_code_is_refused_in_french(siao_operator):
    confirm_authenticator(pending_authenticator(siao_operator))
    client = _signed_in_with_password(siao_operator)
    response = client.post(reverse("second_factor_verify"), {"code": "123456", "next": "/"})
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    # Right away again: the device waits a little after each failure.
    response = client.post(reverse("second_factor_verify"), {"code": "123456", "next": "/"})
    assert "Trop de codes erronés" in response.content.decode()


def test_auth_right_code_opens_the_requested_page(siao_operator):
    device = pending_authenticator(siao_operator)
    confirm_authenticator(device)
    client = _signed_in_with_password(siao_operator)
    response = client.get(reverse("requests:list"))
    assert response["Location"] == f"{reverse('second_factor_verify')}?next=%2Fdemandes%2F"
    response = client.post(
        reverse("second_factor_verify"), {"code": _code(device), "next": "/demandes/"}
    )
    assert response["Location"] == "/demandes/"
    assert client.get(reverse("requests:list")).status_code == 200


def test_auth_recovery_code_works_once(siao_operator):
    codes = confirm_authenticator(pending_authenticator(siao_operator))
    client = _signed_in_with_password(siao_operator)
    response = client.post(
        reverse("second_factor_verify"), {"code": f" {codes[0].upper()} ", "next": "/"}, follow=True
    )
    assert "Code de secours accepté. Il vous en reste 9" in response.content.decode()
    assert client.get(reverse("home")).status_code == 200

    again = _signed_in_with_password(siao_operator)
    response = again.post(reverse("second_factor_verify"), {"code": codes[0], "next": "/"})
    assert WRONG_CODE in response.content.decode()
    assert again.get(reverse("home")).status_code == 302


def test_auth_password_alone_cannot_replace_the_authenticator(siao_operator):
    confirm_authenticator(pending_authenticator(siao_operator))
    client = _signed_in_with_password(siao_operator)
    response = client.get(reverse("second_factor_enrol"))
    assert response["Location"].startswith(reverse("second_factor_verify"))


def test_auth_next_must_be_one_of_our_pages(siao_operator):
    device = pending_authenticator(siao_operator)
    confirm_authenticator(device)
    client = _signed_in_with_password(siao_operator)
    response = client.post(
        reverse("second_factor_verify"), {"code": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_auth_verified_user_may_replace_the_authenticator(client, siao_operator):
    client.force_login(siao_operator)
    old = TOTPDevice.objects.get(user=siao_operator)
    page = client.get(reverse("second_factor_enrol")).content.decode()
    assert "Changer d'application d'authentification" in page
    new = TOTPDevice.objects.get(user=siao_operator, confirmed=False)
    client.post(reverse("second_factor_enrol"), {"code": _code(new), "next": "/"})
    assert list(TOTPDevice.objects.filter(user=siao_operator)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
