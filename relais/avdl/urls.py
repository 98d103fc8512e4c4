from django.urls import path

from . import views

app_name = "avdl"

urlpatterns = [
    path("mesures/", views.measure_list, name="list"),
    path("mesures/attribuer/", views.assign, name="assign"),
    path("mesures/<int:pk>/", views.measure_detail, name="detail"),
    path("mesures/<int:pk>/renouveler/", views.renew, name="renew"),
    path("mesures/<int:pk>/arreter/", views.close, name="close"),
    path("travailleurs/", views.workers, name="workers"),
    path("travailleurs/designer/<int:user_pk>/", views.designate, name="designate"),
    path("travailleurs/<int:pk>/", views.caseload, name="caseload"),
    path("mes-mesures/", views.mine, name="mine"),
]
