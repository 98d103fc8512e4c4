from django.urls import path

from . import paper_views, views

app_name = "exitplan"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("detention/<int:detention_pk>/", views.plan_page, name="plan"),
    path("detention/<int:detention_pk>/ouvrir/", views.open_plan, name="open"),
    path("<int:pk>/premier-soir/", views.first_night, name="first_night"),
    path("<int:pk>/ajouter/", views.add_item, name="add_item"),
    path("<int:pk>/clore/", views.close_plan, name="close"),
    path("<int:pk>/rouvrir/", views.reopen_plan, name="reopen"),
    path("<int:pk>/document-de-sortie/", paper_views.paper, name="paper"),
    path("elements/<int:pk>/", views.item_step, name="item"),
]
