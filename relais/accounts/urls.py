from django.urls import path

from . import account_views

app_name = "accounts"

urlpatterns = [
    path("", account_views.account_list, name="list"),
    path("nouveau/", account_views.account_create, name="create"),
    path("<int:pk>/", account_views.account_edit, name="edit"),
    path("territoire/", account_views.territory_settings, name="territory"),
    path("<int:pk>/activation/", account_views.account_toggle, name="toggle"),
    path(
        "organisations/<int:pk>/referent/",
        account_views.organisation_referent,
        name="organisation_referent",
    ),
]
