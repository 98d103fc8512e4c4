"""Partner software in tests: a token for the organisation and role of a fixture user."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from relais.api.enums import Access, Resource
from relais.api.models import ApiToken
from tests.permissions.test_permission_matrix import world  # noqa: F401  (the cast of cases)

EVERYTHING = {resource.value: Access.WRITE for resource in Resource}


def issue_token(user, *, scopes=None, days: int = 30, **values) -> tuple[ApiToken, str]:
    """A token acting with `user`'s organisation and role (everything written by default)."""
    return ApiToken.issue(
        name=values.pop("name", f"Logiciel de {user.organisation}"),
        organisation=user.organisation,
        role=user.role,
        expires_at=timezone.now() + dt.timedelta(days=days),
        scopes=EVERYTHING if scopes is None else scopes,
        by=None,
        **values,
    )


class ApiClient(Client):
    """A test client that sends a token, and JSON bodies."""

    def __init__(self, key: str = "", **defaults):
        if key:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        super().__init__(**defaults)

    def post_json(self, path, data=None, **extra):
        return self.post(
            path, data if data is not None else {}, content_type="application/json", **extra
        )

    def patch_json(self, path, data, **extra):
        return self.patch(path, data, content_type="application/json", **extra)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    caches["api"].clear()
    yield
    caches["api"].clear()


@pytest.fixture
def api_for():
    """api_for(user, scopes=…) → a client acting as software of `user`'s organisation."""

    def make(user, **kwargs) -> ApiClient:
        token, key = issue_token(user, **kwargs)
        client = ApiClient(key)
        client.token = token
        return client

    return make
