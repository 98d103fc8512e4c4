from django.urls import path

from . import views

app_name = "persons"

urlpatterns = [
    path("<int:pk>/", views.person_file, name="file"),
]
