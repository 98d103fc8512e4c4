from django.urls import path

from . import booklet_views, exit_views, indicators_views, site_views, views

app_name = "iae"

urlpatterns = [
    # -- parcours, sites, CPU (IAE-01..04, IAE-07) --
    path("parcours/", views.parcours_list, name="list"),
    path("detentions/<int:detention_pk>/prescrire/", views.prescribe, name="prescribe"),
    path("parcours/<int:pk>/", views.parcours_detail, name="detail"),
    path("parcours/<int:pk>/cpu/", views.cpu_decision, name="cpu_decision"),
    path("parcours/<int:pk>/entretien/", views.interview, name="interview"),
    path("parcours/<int:pk>/immersion/", views.immersion, name="immersion"),
    path("parcours/<int:pk>/affectation/", views.assign, name="assign"),
    path("parcours/<int:pk>/fin/", views.end, name="end"),
    path("parcours/<int:pk>/arret/", views.close, name="close"),
    path("parcours/<int:pk>/accord/", views.agreement, name="agreement"),
    path("parcours/<int:pk>/consentement/", views.consent_record, name="consent"),
    path(
        "parcours/<int:pk>/consentement/retrait/", views.consent_withdraw, name="consent_withdraw"
    ),
    path("parcours/<int:pk>/transmissions/", views.log_add, name="log_add"),
    path("parcours/<int:pk>/heures/", views.hours_record, name="hours"),
    path("parcours/<int:pk>/formations/", views.action_add, name="action_add"),
    path("sites/<int:pk>/liste-d-attente/", views.waiting_list, name="waiting_list"),
    path("cpu/", views.cpu_list, name="cpu_list"),
    path("cpu/nouvelle/", views.cpu_create, name="cpu_create"),
    path("cpu/<int:pk>/", views.cpu_detail, name="cpu_detail"),
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
    path("indicateurs/", indicators_views.indicators_page, name="indicators"),
    path("indicateurs/export/", indicators_views.indicators_export, name="indicators_export"),
    path(
        "indicateurs/comite-de-pilotage/",
        indicators_views.steering_report,
        name="steering_report",
    ),
]
