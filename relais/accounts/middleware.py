"""HTTP security middleware: the Content-Security-Policy header."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
