import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, TEMPLATES

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
# The API's rate limits need a real cache; tests/api clears it between tests.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    "api": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api"},
}
# E-mail links point at the test client host.
RELAIS_SITE_URL = "http://testserver"

# On SQLite the test database is a file, like the one Relais runs on, not Django's default
# in-memory database: threads share an in-memory database through one cache, where WAL, the
# busy timeout and immediate transactions (base.py) do not apply, so the concurrency tests
# (tests/concurrency/, tests/orientations/test_concurrency.py) would prove nothing. One file
# per test process (pytest-xdist appends _gw0, _gw1…); Django deletes it at the end.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"relais-test-{os.getpid()}.sqlite3")
    }

# Uploaded documents (JUS-03 agreements) go to a temporary folder, never the project's.
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"relais-test-media-{os.getpid()}"
