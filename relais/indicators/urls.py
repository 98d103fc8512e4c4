from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.table_export, name="export"),
    path("detail/", views.drilldown, name="drilldown"),
    path("transmission-hebdomadaire/", views.transmission, name="transmission"),
    path("bilan/", views.report, name="report"),
    path("qualite-des-donnees/", views.data_quality, name="quality"),
]
