from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import docs, views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("structures", views.StructureViewSet, basename="structure")
router.register("capacities", views.CapacityViewSet, basename="capacity")
router.register("requests", views.RequestViewSet, basename="request")
router.register("orientations", views.OrientationViewSet, basename="orientation")
router.register("events", views.EventFeedView, basename="event")
router.register("indicators", views.IndicatorView, basename="indicator")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

# The API answers 401 itself, in JSON: no redirect to the login page.
for pattern in urlpatterns:
    pattern.callback = login_not_required(pattern.callback)
