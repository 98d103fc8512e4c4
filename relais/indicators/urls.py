from django.urls import path

from . import justice_views, views

app_name = "indicators"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/", views.table_export, name="export"),
    path("detail/", views.drilldown, name="drilldown"),
    path("transmission-hebdomadaire/", views.transmission, name="transmission"),
    path("bilan/", views.report, name="report"),
    path("qualite-des-donnees/", views.data_quality, name="quality"),
    path("prevision-des-besoins/", justice_views.forecast_page, name="forecast"),
    path("prevision-des-besoins/imprimer/", justice_views.forecast_print, name="forecast_print"),
    path("prevision-des-besoins/envoyer/", justice_views.forecast_send, name="forecast_send"),
    path(
        "prevision-des-besoins/envoyee/<int:pk>/",
        justice_views.forecast_sent,
        name="forecast_sent",
    ),
    path("offre-de-places/", justice_views.offer_page, name="offer"),
    path("offre-de-places/imprimer/", justice_views.offer_print, name="offer_print"),
]
