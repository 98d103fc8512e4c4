"""HTTP security middleware: Content-Security-Policy, session limits, second factor."""

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .security import has_authenticator

CSP_HEADER = "Content-Security-Policy"


def content_security_policy() -> str:
    """The header value built from settings.CONTENT_SECURITY_POLICY (directive → sources)."""
    return "; ".join(
        f"{directive} {' '.join(sources)}"
        for directive, sources in settings.CONTENT_SECURITY_POLICY.items()
    )


class ContentSecurityPolicyMiddleware:
    """Sends the strict policy on every response (Django 5.2 has no CSP support of its own).

    Only our own static files may run or style the page: no inline <script>, no style=""
    attribute, no CDN. A response that already carries a policy keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(CSP_HEADER, self.header)
        return response


SIGNED_IN_AT = "relais_signed_in_at"
SESSION_EXPIRED = "Votre session a expiré : reconnectez-vous pour continuer."


class SessionLimitMiddleware:
    """Ends a session RELAIS_SESSION_MAX_AGE (12 h) after sign-in, however active it was.

    The 30 idle minutes are the session's own expiry (SESSION_COOKIE_AGE, renewed by every
    request). Either way the login page says why: a browser that still sends the cookie of a
    session that no longer exists had its session expire (logging out deletes the cookie).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            # Set on the first request after signing in.
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, time.time())
            if time.time() - signed_in_at > settings.RELAIS_SESSION_MAX_AGE:
                path = request.get_full_path()
                logout(request)
                messages.warning(request, SESSION_EXPIRED)
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': path})}")
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.session.is_empty():
            # LoginRequiredMiddleware sends the visitor to the login page, which shows this.
            messages.warning(request, SESSION_EXPIRED)
        return self.get_response(request)


class SecondFactorMiddleware:
    """Until the second factor is checked, a signed-in user reaches only the pages to check
    it (or to set it up) and the logout; every other page sends them there.

    After OTPMiddleware, which tells whether the session passed the second factor.
    """

    OPEN_URL_NAMES = {"login", "logout", "second_factor_verify", "second_factor_enrol"}

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in self.OPEN_URL_NAMES:
            return None
        step = "second_factor_verify" if has_authenticator(user) else "second_factor_enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has ended gets a full-page redirect to the login page,
    not the login page swapped into a fragment of the old one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        login_url = reverse(settings.LOGIN_URL)
        if (
            request.headers.get("HX-Request") == "true"
            and response.status_code == 302
            and response["Location"].startswith(login_url)
        ):
            redirect_to = HttpResponse(status=204)
            redirect_to["HX-Redirect"] = response["Location"]
            return redirect_to
        return response
