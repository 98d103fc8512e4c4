"""Benchmark of the audit write on ordinary reads (not a test): does it serialise pages?

    .venv/bin/python bench/audit/run.py                           # SQLite (a file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/audit/run.py                       # PostgreSQL (test_<name>)
    .venv/bin/python bench/audit/run.py --threads 1 4 8 --pages 60

It creates a throw-away database (Django's test database: it never touches yours), one
territory with `--requests` requests, one SIAO operator per thread, then has N threads each
open `--pages` request detail pages (the page that reads a file, household included) through
Django's test client, first with the audit log's READ rows written, then without them
(writing switched off in this process only). It prints, for each N, the median and 95th
percentile time of one page served (pages in error are counted apart), and the pages per
second of all threads together, with and without the audit write, and their ratio.
Threads share one interpreter (and 2 cores here): the figures compare the two modes on the
same machine, they are not a capacity.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def build(n_requests: int, n_users: int):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from relais.accounts.enums import OrganisationKind, Role
    from relais.accounts.models import Organisation, Territory, User
    from relais.accounts.security import AUTHENTICATOR_NAME
    from relais.persons.models import Person
    from relais.requests.enums import Channel
    from relais.requests.models import create_request

    territory = Territory.objects.create(insee_code="68", name="Haut-Rhin")
    siao = Organisation.objects.create(name="SIAO", kind=OrganisationKind.SIAO, territory=territory)
    ccas = Organisation.objects.create(
        name="CCAS", kind=OrganisationKind.SOCIAL_SERVICE, territory=territory
    )
    referrer = User.objects.create_user(
        username="referent", password="x" * 16, role=Role.SOCIAL_WORKER, organisation=ccas
    )
    users = []
    for n in range(n_users):
        user = User.objects.create_user(
            username=f"operateur{n}",
            password="x" * 16,
            role=Role.SIAO_OPERATOR,
            organisation=siao,
        )
        TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME)
        users.append(user)
    requests = [
        create_request(
            person=Person.objects.create(birth_name=f"Nom{n}", first_names="Prénom"),
            channel=Channel.INSERTION,
            referrer_organisation=ccas,
            by=referrer,
        ).pk
        for n in range(n_requests)
    ]
    return users, requests


def client_for(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def run(users, requests, *, threads: int, pages: int, seed: int) -> tuple[list[float], float]:
    """Each of `threads` threads opens `pages` detail pages; (page times, total seconds)."""
    from django.db import connection
    from django.urls import reverse

    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def worker(n: int) -> None:
        rng = random.Random(seed + n)
        client = client_for(users[n])
        mine = []
        try:
            start.wait()
            for _ in range(pages):
                url = reverse("requests:detail", args=[rng.choice(requests)])
                began = time.perf_counter()
                response = client.get(url)
                if response.status_code == 200:
                    mine.append(time.perf_counter() - began)
                else:
                    errors.append(f"HTTP {response.status_code}")
        finally:
            connection.close()
            with lock:
                times.extend(mine)

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        print(
            f"    {len(errors)} pages en erreur ({', '.join(sorted(set(errors)))}), non chronométrées"
        )
    return times, elapsed


def audit_reads_switched_off():
    """Stop writing READ rows in this process (whichever way the code writes them)."""
    from relais.audit import log

    original = log.record

    def record(**kwargs):
        if kwargs.get("action") == "read":
            return None
        return original(**kwargs)

    log.record = record
    if hasattr(log, "record_reads"):
        log.record_reads = lambda *args, **kwargs: []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--pages", type=int, default=40, help="pages per thread")
    args = parser.parse_args()

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"] = {"NAME": "/tmp/relais_bench_audit.sqlite3"}
    settings.ALLOWED_HOSTS = ["testserver"]
    django.setup()
    # Server errors are counted and printed below, without their tracebacks.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)

    from django.db import connection

    from relais.audit.models import AuditEvent

    print(f"Base : {connection.vendor}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        users, requests = build(args.requests, max(args.threads))
        results = {}
        for label in ("avec", "sans"):
            if label == "sans":
                audit_reads_switched_off()
            for n in args.threads:
                run(users, requests, threads=n, pages=5, seed=0)  # warm-up
                before = AuditEvent.objects.count()
                times, elapsed = run(users, requests, threads=n, pages=args.pages, seed=n)
                rows = AuditEvent.objects.count() - before
                if not times:
                    print(f"  {label} journal, {n} fil(s) : aucune page servie")
                    continue
                results[label, n] = (statistics.median(times), len(times) / elapsed)
                p95 = statistics.quantiles(times, n=20)[-1]
                print(
                    f"  {label} journal, {n} fil(s) : médiane {1000 * results[label, n][0]:.1f} ms,"
                    f" p95 {1000 * p95:.1f} ms, {results[label, n][1]:.0f} pages/s"
                    f" ({rows} lignes d'audit)"
                )
        print("Rapport avec / sans journal :")
        for n in args.threads:
            if ("avec", n) not in results or ("sans", n) not in results:
                continue
            (with_median, with_rate), (without_median, without_rate) = (
                results["avec", n],
                results["sans", n],
            )
            print(
                f"  {n} fil(s) : médiane × {with_median / without_median:.2f},"
                f" débit × {with_rate / without_rate:.2f}"
            )
    finally:
        connection.close()
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
