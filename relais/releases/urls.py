from django.urls import path

from . import follow_up_views, pipeline_views

app_name = "releases"

urlpatterns = [
    path("", pipeline_views.pipeline, name="pipeline"),
    path("export/", pipeline_views.pipeline_export, name="pipeline_export"),
    path("suivi/<int:pk>/", follow_up_views.follow_up, name="follow_up"),
]
