"""Benchmark of the releases daily job (not a test): France's whole prison population.

    .venv/bin/python bench/releases/daily_job.py                  # SQLite (a file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> \\
        .venv/bin/python bench/releases/daily_job.py              # PostgreSQL (test_<db>)
    .venv/bin/python bench/releases/daily_job.py --detainees 10000

It creates a throw-away database (Django's test database: it never touches yours) and builds,
with bulk_create, `--detainees` persons in detention over `--territories` territories (each
with its SIAO and référent justice, a SPIP and its référent, 25 CPIPs, two prisons, a 115),
release dates spread over the next two years (sentences from 6 months to 8 years, so LSC
dates apply to most), plus one in twenty-five released in the last seven months (the
follow-up checks). Nobody has a housing solution: every person due out raises an alert, the
worst case. It then times `escalate_releases` three times: the first run on day D (every
step due at once is raised, the follow-up checks planned and reminded), a second run on D
(idempotent: nothing to do), and the next day, D + 1 (an ordinary day). Target: ≤ 60 s.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

TODAY = dt.date(2027, 3, 1)
BATCH = 5000


def build(detainees: int, territories: int, seed: int = 2027) -> None:
    from relais.core.transitions import synthetic_load

    with synthetic_load():  # synthetic rows written in bulk, outside the transitions
        _build(detainees, territories, seed)


def _build(detainees: int, n_territories: int, seed: int) -> None:
    from relais.accounts.enums import OrganisationKind, Role
    from relais.accounts.models import Organisation, Territory, User
    from relais.justice.enums import DetentionState
    from relais.justice.models import Detention
    from relais.persons.models import Person

    rng = random.Random(seed)
    spips, prisons, cpips = [], [], []
    for n in range(n_territories):
        territory = Territory.objects.create(insee_code=f"{n + 1:02d}", name=f"Territoire {n}")

        def org(kind, name, territory=territory, **values):
            return Organisation.objects.create(kind=kind, name=name, territory=territory, **values)

        siao = org(OrganisationKind.SIAO, f"SIAO {n}")
        siao.referent = User.objects.create(
            username=f"siao{n}", role=Role.SIAO_OPERATOR, organisation=siao, email=f"s{n}@x.fr"
        )
        siao.save()
        spip = org(OrganisationKind.SPIP, f"SPIP {n}", phone="03 89 00 00 00")
        spip.referent = User.objects.create(
            username=f"ref{n}", role=Role.CPIP, organisation=spip, email=f"r{n}@x.fr"
        )
        spip.save()
        line = org(OrganisationKind.EMERGENCY_LINE, f"115 {n}", email=f"115-{n}@x.fr")
        User.objects.create(username=f"ecoutant{n}", role=Role.EMERGENCY_LINE, organisation=line)
        spips.append(spip)
        prisons.append(
            [org(OrganisationKind.PRISON, f"Prison {n}-{p}", address="1 rue") for p in range(2)]
        )
        cpips.append(
            User.objects.bulk_create(
                User(username=f"cpip{n}-{c}", role=Role.CPIP, organisation=spip, email="c@x.fr")
                for c in range(25)
            )
        )
    persons = Person.objects.bulk_create(
        (
            Person(birth_name=f"Nom{i}", first_names="Prénom", phone="06 00 00 00 00")
            for i in range(detainees)
        ),
        batch_size=BATCH,
    )
    rows = []
    for i, person in enumerate(persons):
        t = i % n_territories
        released = i % 25 == 0
        if released:
            end = TODAY - dt.timedelta(days=rng.randint(0, 210))
        else:
            end = TODAY + dt.timedelta(days=rng.randint(0, 730))
        years, months = rng.choice([(0, 6), (1, 0), (1, 6), (2, 0), (3, 0), (5, 0), (8, 0)])
        detention = Detention(
            person=person,
            territory_id=spips[t].territory_id,
            establishment=prisons[t][i % 2],
            prison_number=f"{i:07d}",
            spip=spips[t],
            cpip=cpips[t][i % 25],
            incarcerated_on=end - dt.timedelta(days=365 * years + 30 * months),
            sentence_years=years,
            sentence_months=months,
            end_date=end,
        )
        detention.compute_dates()
        if released:
            detention.state = DetentionState.RELEASED
            detention.released_on = detention.measure_ends_on = end
        rows.append(detention)
    Detention.objects.bulk_create(rows, batch_size=BATCH)


def timed(label: str, function):
    started = time.perf_counter()
    result = function()
    print(f"  {label:<52} {time.perf_counter() - started:8.2f} s   {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detainees", type=int, default=75_000)
    parser.add_argument("--territories", type=int, default=10)
    args = parser.parse_args()

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"] = {"NAME": "/tmp/relais_bench_releases.sqlite3"}
    django.setup()

    from django.core import mail
    from django.db import connection

    from relais.justice.models import Detention
    from relais.notifications.models import Notification
    from relais.releases import escalations
    from relais.releases.models import DryExit, Escalation, FollowUpCheck

    print(f"Base : {connection.vendor}, {os.cpu_count()} cœurs")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    try:
        timed(
            f"construction ({args.detainees} détenus, {args.territories} territoires)",
            lambda: build(args.detainees, args.territories) or "",
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"  {Detention.objects.count()} détentions")
        for label, day in (
            (f"1er passage, {TODAY:%d/%m/%Y}", TODAY),
            (f"2e passage le même jour (idempotent), {TODAY:%d/%m/%Y}", TODAY),
            (f"lendemain, {TODAY + dt.timedelta(days=1):%d/%m/%Y}", TODAY + dt.timedelta(days=1)),
        ):
            timed(label, lambda d=day: escalations.run(d))
        print(
            f"  au total : {Escalation.objects.count()} alertes, {DryExit.objects.count()} "
            f"sorties sèches, {FollowUpCheck.objects.count()} points de suivi, "
            f"{Notification.objects.count()} notifications, {len(mail.outbox)} courriels"
        )
    finally:
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
