from django.urls import path

from . import views

app_name = "commission"

urlpatterns = [
    path("", views.commission_list, name="list"),
    path("nouvelle/", views.commission_create, name="create"),
    path("<int:pk>/", views.commission_detail, name="detail"),
    path("<int:pk>/ordre-du-jour/", views.build_agenda, name="build_agenda"),
    path("<int:pk>/presences/", views.attendance, name="attendance"),
    path("<int:pk>/tenue/", views.hold, name="hold"),
    path("<int:pk>/validation/", views.close, name="close"),
    path("<int:pk>/compte-rendu/", views.minutes, name="minutes"),
    path("cas/<int:pk>/decision/", views.decide, name="decide"),
    path("actions/<int:pk>/faite/", views.mark_done, name="mark_done"),
]
