"""OPS-01: an embedded database by default, PostgreSQL when DATABASE_URL says so."""

import os
import subprocess
import sys

import pytest

PRINT_ENGINE = "from config.settings import base; print(base.DATABASES['default']['ENGINE'])"


def _engine(database_url: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    result = subprocess.run(
        [sys.executable, "-c", PRINT_ENGINE], env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_ops_01_sqlite_without_any_setting():
    assert _engine(None) == "django.db.backends.sqlite3"


@pytest.mark.parametrize("url", ["postgres://relais@db:5432/relais", "postgresql://u:p@h/relais"])
def test_ops_01_postgresql_when_database_url_is_set(url):
    assert _engine(url) == "django.db.backends.postgresql"
