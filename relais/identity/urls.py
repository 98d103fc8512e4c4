from django.urls import path

from . import views

app_name = "identity"

urlpatterns = [
    path("", views.review_queue, name="review_queue"),
    path("saisie/ressemblances/", views.entry_candidates, name="entry_candidates"),
    path("paires/<int:pk>/", views.pair_detail, name="pair"),
    path("paires/<int:pk>/decider/", views.pair_decide, name="pair_decide"),
    path("fusions/<int:pk>/", views.merge_detail, name="merge"),
    path("fusions/<int:pk>/annuler/", views.merge_undo, name="merge_undo"),
]
