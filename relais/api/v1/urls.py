from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import docs, views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("structures", views.StructureViewSet, basename="structure")
router.register("capacities", views.CapacityViewSet, basename="capacity")
router.register("requests", views.RequestViewSet, basename="request")
router.register("orientations", views.OrientationViewSet, basename="orientation")
router.register("detentions", views.DetentionViewSet, basename="detention")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    path("events/", views.EventFeedView.as_view(), name="event-list"),
    path("indicators/", views.IndicatorView.as_view(), name="indicator-list"),
    *router.urls,
    # Any other address under /api/v1/: a JSON 404, never the HTML page.
    re_path(r"^.*$", views.not_found, name="not-found"),
]

# The API answers 401 itself, in JSON: no redirect to the login page.
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
