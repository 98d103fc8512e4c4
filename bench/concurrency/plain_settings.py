"""The test settings with Django's SQLite defaults (rollback journal, deferred transactions,
5 s timeout): what Relais ran on before config/settings/base.py tuned SQLite."""

from config.settings.test import *  # noqa: F403
from config.settings.test import DATABASES

DATABASES["default"]["OPTIONS"] = {}
