from django.urls import path

from . import booklet_views, exit_views

app_name = "iae"

urlpatterns = [
    # -- parcours, sites, CPU (IAE-01..04, IAE-07) --
    # -- skills booklet, exit synthesis, handover (IAE-05, IAE-06) --
    path("parcours/<int:pk>/livret/", booklet_views.booklet_page, name="booklet"),
    path("parcours/<int:pk>/livret/imprimer/", booklet_views.booklet_print, name="booklet_print"),
    path(
        "parcours/<int:pk>/livret/evaluation/",
        booklet_views.assessment_create,
        name="assessment_create",
    ),
    path("sites/<int:pk>/competences/ajouter/", booklet_views.skill_add, name="skill_add"),
    path("parcours/<int:pk>/synthese/", exit_views.synthesis_page, name="synthesis"),
    path(
        "parcours/<int:pk>/synthese/imprimer/", exit_views.synthesis_print, name="synthesis_print"
    ),
    path(
        "parcours/<int:pk>/synthese/transmettre/", exit_views.synthesis_send, name="synthesis_send"
    ),
    path("parcours/<int:pk>/passage-milieu-ouvert/", exit_views.handover, name="handover"),
    path("parcours/<int:pk>/suivi-exterieur/<int:months>/", exit_views.follow_up, name="follow_up"),
    # -- indicators and steering report (IAE-08) --
]
