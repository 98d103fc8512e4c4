from django.urls import path

from . import site_views

app_name = "iae"

urlpatterns = [
    # -- parcours, sites, CPU (IAE-01..04, IAE-07) --
    # sites
    path("sites/", site_views.site_list, name="site_list"),
    path("sites/nouveau/", site_views.site_create, name="site_create"),
    path("sites/<int:pk>/", site_views.site_detail, name="site_detail"),
    path("sites/<int:pk>/modifier/", site_views.site_edit, name="site_edit"),
    path("sites/<int:pk>/chefs-de-file/", site_views.site_matrix, name="site_matrix"),
    path("sites/<int:pk>/annuaire/ajouter/", site_views.resource_add, name="resource_add"),
    path("sites/<int:pk>/imprimer/", site_views.site_print, name="site_print"),
    path("annuaire/<int:pk>/modifier/", site_views.resource_edit, name="resource_edit"),
    path("annuaire/<int:pk>/retirer/", site_views.resource_delete, name="resource_delete"),
    # -- skills booklet, exit synthesis, handover (IAE-05, IAE-06) --
    # -- indicators and steering report (IAE-08) --
]
