from django.urls import path

from . import views

app_name = "implantation"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("nouveau/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/modifier/", views.project_edit, name="edit"),
    path("<int:pk>/imprimer/", views.project_print, name="print"),
    path("<int:pk>/actes/", views.record_date, name="record"),
    path("etapes/<int:pk>/", views.step_take, name="step"),
]
