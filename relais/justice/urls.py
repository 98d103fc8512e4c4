from django.urls import path

from . import directory_views, letter_views, views

app_name = "justice"

urlpatterns = [
    path("detentions/", views.detention_list, name="list"),
    path("detentions/nouvelle/", views.detention_create, name="create"),
    path("detentions/import/", views.detention_import, name="import"),
    path("detentions/<int:pk>/", views.detention_detail, name="detail"),
    path("detentions/<int:pk>/modifier/", views.detention_edit, name="edit"),
    path("detentions/<int:pk>/date-de-fin/", views.move_end_date, name="move_end_date"),
    path("detentions/<int:pk>/liberation/", views.release, name="release"),
    path("detentions/<int:pk>/amenagements/", views.adjustment_create, name="adjustment_create"),
    path("amenagements/<int:pk>/etape/", views.adjustment_step, name="adjustment_step"),
    path("detentions/<int:pk>/contraintes/", views.area_add, name="area_add"),
    path("contraintes/<int:pk>/retirer/", views.area_delete, name="area_delete"),
    path("annuaire/", directory_views.directory, name="directory"),
    path("detentions/<int:pk>/lettre/", letter_views.letter, name="letter"),
]
