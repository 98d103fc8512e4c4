from .base import *  # noqa: F403
from .base import INSTALLED_APPS, TEMPLATES

DEBUG = False
INSTALLED_APPS = [*INSTALLED_APPS, "relais.demo"]
RELAIS_DEMO_ALLOWED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
# Keep template origins on nodes so tests/conftest.py can tell our templates from libraries'.
TEMPLATES[0]["OPTIONS"]["debug"] = True
# Each test builds its own world: nothing may be served from another test's cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# E-mail links point at the test client host.
RELAIS_SITE_URL = "http://testserver"
