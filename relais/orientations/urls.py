from django.urls import path

from . import views

app_name = "orientations"

urlpatterns = [
    path("", views.orientation_list, name="list"),
    path("demande/<int:request_pk>/", views.suggestions, name="suggestions"),
    path("demande/<int:request_pk>/attribuer/", views.attribute, name="attribute"),
    path("demande/<int:request_pk>/reserver/", views.reserve, name="reserve"),
    path("<int:pk>/", views.orientation_detail, name="detail"),
    path("<int:pk>/admettre/", views.admit, name="admit"),
    path("<int:pk>/refuser/", views.refuse, name="refuse"),
    path("<int:pk>/arrivee/", views.start_stay, name="start_stay"),
    path("<int:pk>/sortie/", views.end_stay, name="end_stay"),
    path("<int:pk>/confirmer/", views.confirm_place, name="confirm"),
    path("<int:pk>/annuler/", views.cancel, name="cancel"),
    path("<int:pk>/periode/", views.change_window, name="change_window"),
]
