from django.urls import path

from . import directory_views, letter_views

app_name = "justice"

urlpatterns: list = [
    path("annuaire/", directory_views.directory, name="directory"),
    path("detentions/<int:pk>/lettre/", letter_views.letter, name="letter"),
]
