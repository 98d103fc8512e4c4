"""Settings shared by every environment. Values that differ come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-dev-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "widget_tweaks",
    "dsfr",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "relais.accounts",
    "relais.places",
    "relais.persons",
    "relais.justice",
    "relais.requests",
    "relais.orientations",
    "relais.notifications",
    "relais.identity",
    "relais.access",
    "relais.audit",
    "relais.privacy",
    "relais.releases",
    "relais.iae",
    "relais.indicators",
    "relais.implantation",
    "relais.commission",
    "relais.avdl",
    "relais.exitplan",
    "relais.api",
    "relais.transfer",
    "relais.imports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "relais.accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Control characters (a NUL byte) never reach a form, a query or the audit (SEC-04).
    "relais.core.inputs.CleanInputMiddleware",
    "relais.accounts.middleware.HtmxLoginRedirectMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "relais.accounts.middleware.SessionLimitMiddleware",
    "relais.accounts.middleware.SecondFactorMiddleware",
    # On /api/: the caller is the service account of its token, or no one (OPS-02). Before
    # the audit of reads, which then logs what software reads as it logs what people read.
    "relais.api.auth.ApiTokenMiddleware",
    # After authentication and the second factor: every person a page shows is logged (SEC-01).
    "relais.audit.reads.ReadsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A refusal or a lock conflict raised by a view becomes a French message, never a 500.
    "relais.core.errors.ConflictMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relais.accounts.context_processors.navigation",
            ],
        },
    }
]
# Every form, ours and Django's (password, second factor), renders its fields with the DSFR
# markup and labels its empty choice in French (relais/core/forms.py).
FORM_RENDERER = "relais.core.forms.FormRenderer"

# SQLite by default (zero set-up demo); PostgreSQL when DATABASE_URL is set.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite under concurrent use (OPS-01): every read of a file writes an audit row, so a
    # team reading at once is a queue of writers. WAL lets readers run beside the one writer;
    # IMMEDIATE takes the write lock when a transaction begins, where SQLite waits for it (up
    # to `timeout` seconds) — a deferred transaction that read first and then writes is
    # refused at once with "database is locked", and that was half of the parallel reads.
    # synchronous=NORMAL is safe in WAL (a power cut may lose the last commits, never
    # corrupt the file) and spares an fsync per commit.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before the password is even checked.
    "relais.accounts.security.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# CNIL deliberation 2022-100: at least 12 characters, not a common password, nothing drawn
# from the person's own details; the lockout below stands in for the required rate limit.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "relais.accounts.security.PaddedCommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (django-axes): 5 failed logins for one username from one address lock that pair out
# for 15 minutes. RELAIS_TRUSTED_PROXIES says how many proxies append to X-Forwarded-For.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "relais.accounts.auth_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "relais.accounts.security.client_ip_address"
RELAIS_TRUSTED_PROXIES = int(os.environ.get("DJANGO_TRUSTED_PROXIES", "0"))

# Second factor (django-otp): every account confirms an authenticator app (TOTP) and gets 10
# single-use recovery codes; SecondFactorMiddleware opens nothing else until it is checked.
OTP_TOTP_ISSUER = "Relais"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded documents (JUS-03: signed placement à l'extérieur agreements). Never served as
# public media: each is downloaded through a view that checks who may read it.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))

# Sessions end after 30 idle minutes (renewed by every request), when the browser closes, and
# 12 hours after sign-in whatever happens (SessionLimitMiddleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
RELAIS_SESSION_MAX_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A form refused by the CSRF check shows the French 403 page (templates/403.html).
CSRF_FAILURE_VIEW = "relais.core.views.csrf_failure"

# HTTP security headers on every response. The policy allows our own static files only:
# templates carry no inline <script> and no style="" attribute (htmx is told, in base.html,
# not to inject its indicator styles).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Relais <ne-pas-repondre@relais.example>"
# Where Relais is served: the links of its e-mails start here.
RELAIS_SITE_URL = os.environ.get("RELAIS_SITE_URL", "http://127.0.0.1:8000")

# django-dsfr marks required fields with an asterisk: most of the evaluation form is optional.
DSFR_USE_INTEGRITY_CHECKSUMS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The demo territory (relais.demo, `load_demo`) replaces a database's content: only the dev
# and test settings install it and set this flag; production has neither.
RELAIS_DEMO_ALLOWED = False

# Personal data (SEC-01, SEC-03): see "Données personnelles" in README.md.
# A person's file is anonymised after this many days without activity (apply_retention).
FILE_RETENTION_DAYS = int(os.environ.get("RELAIS_FILE_RETENTION_DAYS", "730"))
# Audit log rows are purged after this many days (apply_retention).
AUDIT_RETENTION_DAYS = int(os.environ.get("RELAIS_AUDIT_RETENTION_DAYS", "365"))
# An import sent from the screen (its file names persons) is deleted this many days after its
# last step: written, failed, or left at the preview (apply_retention).
IMPORT_RETENTION_DAYS = int(os.environ.get("RELAIS_IMPORT_RETENTION_DAYS", "30"))

# Cache of the API's rate limits (per token and minute): local to each server process.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
}

# The API for partner software (OPS-02, relais/api): tokens only, JSON only, French messages.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["relais.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["relais.api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["relais.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["relais.api.parsers.CleanJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "relais.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de Relais",
    "DESCRIPTION": (
        "L'API des logiciels partenaires du SIAO : structures et places, demandes, "
        "orientations, fil des changements, indicateurs agrégés. Chaque appel porte le jeton "
        "d'un logiciel (« Authorization: Bearer relais_… »), créé par l'administrateur du "
        "territoire ; le jeton agit comme un compte de son organisation, avec les mêmes "
        "règles que les pages."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "relais.api.schema.add_common_answers",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "RefusalReasonEnum": "relais.orientations.enums.RefusalReason",
        "EndReasonEnum": "relais.orientations.enums.EndReason",
        "CloseReasonEnum": "relais.requests.enums.CloseReason",
    },
}
