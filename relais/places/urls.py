from django.urls import path

from . import agreement_views, views

app_name = "places"

urlpatterns = [
    path("", views.structure_list, name="list"),
    path("places-libres/", views.vacancy_board, name="vacancies"),
    path("personnes-hebergees/", views.hosted_list, name="hosted"),
    path("admission-directe/", views.direct_admission, name="direct_admission"),
    path("nouvelle/", views.structure_edit, name="create"),
    path("<int:pk>/", views.structure_detail, name="structure"),
    path("<int:pk>/modifier/", views.structure_edit, name="edit"),
    # JUS-03: placement à l'extérieur agreements and the placements on their places.
    path("conventions-pe/", agreement_views.agreement_list, name="agreements"),
    path("conventions-pe/nouvelle/", agreement_views.agreement_edit, name="agreement_create"),
    path("conventions-pe/<int:pk>/", agreement_views.agreement_detail, name="agreement"),
    path(
        "conventions-pe/<int:pk>/modifier/", agreement_views.agreement_edit, name="agreement_edit"
    ),
    path(
        "conventions-pe/<int:pk>/document/",
        agreement_views.agreement_document,
        name="agreement_document",
    ),
    path(
        "conventions-pe/<int:pk>/placement/",
        agreement_views.agreement_placement,
        name="agreement_placement",
    ),
    path(
        "<int:pk>/places/<int:capacity_pk>/disponibilite/",
        views.declare_availability,
        name="declare_availability",
    ),
]
