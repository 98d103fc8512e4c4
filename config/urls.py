from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from relais.accounts import auth_views as accounts_auth_views
from relais.accounts import views as accounts_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/modifier/",
        accounts_auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "connexion/code/",
        accounts_auth_views.second_factor_verify,
        name="second_factor_verify",
    ),
    path(
        "connexion/application/",
        accounts_auth_views.second_factor_enrol,
        name="second_factor_enrol",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/enregistre/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("demandes/", include("relais.requests.urls")),
    path("identite/", include("relais.identity.urls")),
    path("structures/", include("relais.places.urls")),
    path("orientations/", include("relais.orientations.urls")),
    path("notifications/", include("relais.notifications.urls")),
    path("acces/", include("relais.access.urls")),
    path("comptes/", include("relais.accounts.urls")),
    path("journal/", include("relais.audit.urls")),
    path("personnes/", include("relais.privacy.urls")),
    path("personnes/", include("relais.persons.urls")),
    path("indicateurs/", include("relais.indicators.urls")),
    path("justice/", include("relais.justice.urls")),
    path("sorties/", include("relais.releases.urls")),
    path("iae/", include("relais.iae.urls")),
    path("implantation/", include("relais.implantation.urls")),
    path("commissions-justice/", include("relais.commission.urls")),
    path("avdl/", include("relais.avdl.urls")),
    path("plans-de-sortie/", include("relais.exitplan.urls")),
    path("logiciels/", include("relais.api.urls")),
    path("api/v1/", include("relais.api.v1.urls")),
    path("imports/", include("relais.imports.urls")),
    path("admin/", admin.site.urls),
]
