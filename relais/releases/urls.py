from django.urls import path

from . import pipeline_views

app_name = "releases"

urlpatterns = [
    path("", pipeline_views.pipeline, name="pipeline"),
    path("export/", pipeline_views.pipeline_export, name="pipeline_export"),
]
