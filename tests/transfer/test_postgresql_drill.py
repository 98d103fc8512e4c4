"""OPS-03: the README's backup and restore drill for PostgreSQL (pg_dump -Fc, pg_restore),
run for real on the demo territory. Skipped on SQLite; the CI runs it on PostgreSQL."""

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from relais.accounts.models import Territory
from relais.demo.loader import load_demo
from relais.indicators.calendar import Cutoff, Schedule, latest_cutoff
from relais.indicators.engine import compute

from .helpers import canonical, counts

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="exercice PostgreSQL (pg_dump, pg_restore)"),
    pytest.mark.django_db(transaction=True),  # pg_dump reads committed rows only
]

# Run in the restored database: the same counts and figures, as JSON.
READ_BACK = """
import datetime as dt, json, django
django.setup()
from relais.accounts.models import Territory
from relais.indicators.calendar import Cutoff
from relais.indicators.engine import compute
from tests.transfer.helpers import canonical, counts
territory = Territory.objects.get()
cutoffs = [Cutoff(s, dt.date.fromisoformat(d)) for s, d in json.loads(input())]
print(json.dumps({"counts": counts(), "figures": [canonical(compute(territory, c)) for c in cutoffs]}))
"""


def url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    )


def run(*command: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def test_ops_03_postgresql_dump_restores_with_identical_counts_and_indicators(tmp_path):
    now = timezone.now()
    load_demo(now=now)
    territory = Territory.objects.get()
    daily = latest_cutoff(Schedule.DAILY, now).previous
    weekly = latest_cutoff(Schedule.WEEKLY, now).previous
    cutoffs = [daily, weekly, Cutoff.daily(daily.day - dt.timedelta(days=30))]
    before = {"counts": counts(), "figures": [canonical(compute(territory, c)) for c in cutoffs]}
    assert before["figures"][0][1], "a cut-off with nothing counted proves nothing"

    source = connection.settings_dict["NAME"]
    restored = f"{source}_restauree"
    dump = tmp_path / "relais.dump"
    run("pg_dump", "-Fc", "--file", str(dump), "--dbname", url(source))
    run("psql", url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{restored}"')
    run("psql", url("postgres"), "-c", f'CREATE DATABASE "{restored}"')
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", "--dbname", url(restored), str(dump))
        env = {**os.environ, "DATABASE_URL": url(restored)}
        env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        asked = json.dumps([[c.schedule, c.day.isoformat()] for c in cutoffs])
        after = run(sys.executable, "-c", READ_BACK, input=asked, cwd=ROOT, env=env).stdout
    finally:
        run("psql", url("postgres"), "-c", f'DROP DATABASE IF EXISTS "{restored}"')
    assert json.loads(after) == json.loads(json.dumps(before))
