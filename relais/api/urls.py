from django.urls import path

from . import views

app_name = "apitokens"

urlpatterns = [
    path("", views.token_list, name="list"),
    path("nouveau/", views.token_create, name="create"),
    path("<int:pk>/revoquer/", views.token_revoke, name="revoke"),
]
