"""Security headers and the Content-Security-Policy on every response."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

STRICT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


@pytest.mark.parametrize("url_name", ["login", "home"])
def test_auth_every_response_carries_the_strict_policy_and_security_headers(
    client, siao_operator, url_name
):
    client.force_login(siao_operator)
    response = client.get(reverse(url_name))
    assert response.headers["Content-Security-Policy"] == STRICT_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_auth_an_anonymous_redirect_carries_the_policy_too(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.headers["Content-Security-Policy"] == STRICT_POLICY


def test_auth_templates_have_no_inline_script_or_style():
    """The policy forbids them: the browser would drop them without a word."""
    offenders = []
    for path in sorted((settings.BASE_DIR / "templates").rglob("*.html")):
        text = path.read_text()
        if re.search(r"\sstyle=|<style|\son[a-z]+=|javascript:", text):
            offenders.append(str(path))
        for script in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in script:
                offenders.append(f"{path}: {script}")
    assert offenders == []


def test_auth_htmx_injects_no_indicator_style(client, siao_operator):
    client.force_login(siao_operator)
    page = client.get(reverse("home")).content.decode()
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in page
