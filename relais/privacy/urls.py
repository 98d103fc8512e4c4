from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("<int:person_pk>/donnees/", views.person_export, name="export"),
    path("<int:person_pk>/donnees.json", views.person_export_json, name="export_json"),
    path("<int:person_pk>/rectifications/", views.person_rectifications, name="rectifications"),
    path("<int:person_pk>/information/", views.person_notice, name="notice"),
]
