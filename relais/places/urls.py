from django.urls import path

from . import views

app_name = "places"

urlpatterns = [
    path("", views.structure_list, name="list"),
    path("places-libres/", views.vacancy_board, name="vacancies"),
    path("personnes-hebergees/", views.hosted_list, name="hosted"),
    path("admission-directe/", views.direct_admission, name="direct_admission"),
    path("nouvelle/", views.structure_edit, name="create"),
    path("<int:pk>/", views.structure_detail, name="structure"),
    path("<int:pk>/modifier/", views.structure_edit, name="edit"),
    path(
        "<int:pk>/places/<int:capacity_pk>/disponibilite/",
        views.declare_availability,
        name="declare_availability",
    ),
]
