from django.urls import path

from . import follow_up_views

app_name = "releases"

urlpatterns: list = [
    path("suivi/<int:pk>/", follow_up_views.follow_up, name="follow_up"),
]
