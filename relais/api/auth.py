"""Who calls the API: a token, resolved once per request into its service account.

`ApiTokenMiddleware` runs with the other authentication middlewares, so that everything after
it — the second factor, the audit of every person read (relais/audit/reads.py), the views'
`visible_to` — sees the service account exactly as it sees a person signed in. On API paths a
browser session counts for nothing: only a token opens the API.
"""

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken, digest

API_PATH = "/api/"
BEARER = "bearer"
# last_used_at is written at most this often: not one write per call.
LAST_USED_EVERY = dt.timedelta(minutes=1)

NO_TOKEN = (
    "Authentification requise : envoyez le jeton de votre logiciel dans l'en-tête "
    "« Authorization: Bearer <jeton> »."
)
BAD_HEADER = "En-tête « Authorization » mal formé : attendu « Bearer <jeton> »."
UNKNOWN = "Jeton inconnu."
REVOKED = "Ce jeton a été révoqué par l'administrateur du territoire."
EXPIRED = "Ce jeton a expiré : demandez-en un nouveau à l'administrateur du territoire."
INACTIVE = "Le compte de ce logiciel est désactivé."


def token_for(header: str) -> tuple[ApiToken | None, str]:
    """The token an Authorization header names, or None and why it was refused."""
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != BEARER or not key or len(key) > 200 or not key.isascii():
        return None, BAD_HEADER
    token = (
        ApiToken.objects.select_related("account__organisation__territory", "organisation")
        .filter(key_digest=digest(key))
        .first()
    )
    if token is None:
        return None, UNKNOWN
    if token.is_revoked:
        return None, REVOKED
    if token.is_expired:
        return None, EXPIRED
    if not token.account.is_active:
        return None, INACTIVE
    return token, ""


class ApiTokenMiddleware:
    """On API paths, the user is the token's service account, or anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if request.path_info.startswith(API_PATH):
            self.authenticate(request)
        return self.get_response(request)

    @staticmethod
    def authenticate(request: HttpRequest) -> None:
        request.api_token, request.api_auth_error = None, ""
        request.user = AnonymousUser()
        header = request.headers.get("Authorization", "")
        if not header:
            return
        token, error = token_for(header)
        if token is None:
            request.api_auth_error = error
            return
        account = token.account
        # The token is the second factor of software: a secret of 256 bits held by a machine.
        account.is_verified = lambda: True
        request.user, request.api_token = account, token
        # No cookie is involved, so there is no cross-site request to forge.
        request._dont_enforce_csrf_checks = True
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)


def token_of(request) -> ApiToken | None:
    """The token of a DRF or Django request, if it carried a valid one."""
    return getattr(getattr(request, "_request", request), "api_token", None)


class TokenAuthentication(BaseAuthentication):
    """DRF's view of what the middleware decided."""

    def authenticate(self, request):
        http = request._request
        if getattr(http, "api_token", None) is not None:
            return http.user, http.api_token
        if error := getattr(http, "api_auth_error", ""):
            raise exceptions.AuthenticationFailed(error)
        return None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="relais"'


class HasScope(permissions.BasePermission):
    """The token must grant the view's resource: read for GET, write for anything else."""

    def has_permission(self, request, view) -> bool:
        token = token_of(request)
        if token is None:
            raise exceptions.NotAuthenticated(NO_TOKEN)
        # An action may reach another resource than its view's (a request's evaluation).
        resource = getattr(view, "action_resources", {}).get(
            getattr(view, "action", None), getattr(view, "resource", None)
        )
        if resource is None:
            return True
        write = request.method not in permissions.SAFE_METHODS
        if not token.allows(resource, write=write):
            self.message = (
                f"Ce jeton ne donne pas accès en {'écriture' if write else 'lecture'} à cette "
                "ressource : l'administrateur du territoire peut étendre ses droits."
            )
            return False
        return True


class TokenRateThrottle(SimpleRateThrottle):
    """Each token has its own budget of calls per minute (ApiToken.rate_per_minute).

    Counted in the "api" cache: a local memory per server process, so with N processes a
    token may make up to N times its budget; a shared cache (Redis, a database table) set as
    CACHES["api"] makes it exact."""

    scope = "token"
    rate = "120/min"
    cache = caches["api"]

    def get_cache_key(self, request, view) -> str | None:
        token = token_of(request)
        return f"relais-api-rate-{token.pk}" if token is not None else None

    def allow_request(self, request, view) -> bool:
        token = token_of(request)
        if token is not None:
            self.num_requests, self.duration = token.rate_per_minute, 60
        return super().allow_request(request, view)
