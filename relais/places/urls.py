from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("admission-directe/", views.direct_admission, name="direct_admission"),
]
