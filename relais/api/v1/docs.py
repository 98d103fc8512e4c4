"""The API's documentation page, served by Relais itself (Swagger UI from
drf-spectacular-sidecar's static files: no CDN)."""

from drf_spectacular.views import SpectacularSwaggerSplitView

# Swagger UI sets styles from its script: the page allows inline styles, and nothing else
# beyond the project's policy (its script comes from our own static files).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


class DocsView(SpectacularSwaggerSplitView):
    schema = None  # the page itself is not an endpoint of the API

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response
