from .base import *  # noqa: F403
from .base import INSTALLED_APPS

DEBUG = True
# The demo territory: `load_demo` replaces the database's content (see README, « Démonstration »).
INSTALLED_APPS = [*INSTALLED_APPS, "relais.demo"]
RELAIS_DEMO_ALLOWED = True
