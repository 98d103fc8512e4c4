from django.urls import path

from . import views

app_name = "access"

urlpatterns = [
    path("", views.grant_list, name="list"),
    path("rechercher/", views.file_search, name="search"),
    path("demander/<int:request_pk>/", views.grant_create, name="create"),
    path("<int:pk>/retirer/", views.grant_revoke, name="revoke"),
]
