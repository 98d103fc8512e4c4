from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("structures/", views.upload, {"kind": "structures"}, name="structures"),
    path(
        "structures/modele.csv",
        views.template_file,
        {"kind": "structures"},
        name="structures_template",
    ),
    path("demandes/", views.upload, {"kind": "requests"}, name="requests"),
    path(
        "demandes/modele.csv", views.template_file, {"kind": "requests"}, name="requests_template"
    ),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/avancement/", views.job_progress, name="job_progress"),
    path("<int:pk>/importer/", views.job_run, name="job_run"),
]
