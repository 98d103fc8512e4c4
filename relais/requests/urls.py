from django.urls import path

from . import views

app_name = "requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("nouvelle/", views.request_create, name="create"),
    path("urgence/nouvelle/", views.emergency_create, name="create_emergency"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/modifier/", views.request_edit, name="edit"),
    path("<int:pk>/evaluation/", views.evaluation_edit, name="evaluation"),
    path("<int:pk>/evaluation/imprimer/", views.evaluation_print, name="evaluation_print"),
    path("<int:pk>/valider/", views.request_evaluate, name="evaluate"),
    path("<int:pk>/cloturer/", views.request_close, name="close"),
    path("<int:pk>/menage/ajouter/", views.household_add_member, name="household_add"),
]
