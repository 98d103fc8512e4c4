"""Benchmark of the release pipeline page (JUS-06), not a test: a territory with 5,000 people
in detention.

    .venv/bin/python bench/releases/pipeline.py                   # SQLite (a file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/releases/pipeline.py               # PostgreSQL (test_<name>)
    .venv/bin/python bench/releases/pipeline.py --detentions 1000 --pages 50

It creates a throw-away database (Django's test database: it never touches yours), one
territory with 3 SPIPs, 4 prisons, 30 CPIPs and `--detentions` people in detention whose
release dates spread from a month ago to eighteen months on (sentences of every length, so
some are due out on an LSC date), three in five with a request linked to their detention in
every state (to evaluate, evaluated, oriented, a place reserved over a window, admitted,
refused and back in the queue), and an adjustment in view for one in five. Then a SIAO
operator opens the pipeline page `--pages` times (Django's test client, audit READ rows
written as in production) and the script prints the median and 95th percentile time of one
page; then a few CSV exports of the whole table. Target: p95 ≤ 300 ms for the page.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402
from django.conf import settings  # noqa: E402


def build(n_detentions: int, seed: int = 2026):
    from relais.core.transitions import synthetic_load

    with synthetic_load():  # synthetic rows, in bulk
        return _build(n_detentions, seed)


def _build(n_detentions: int, seed: int):
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from relais.accounts.enums import OrganisationKind, OrganisationSubtype, Role
    from relais.accounts.models import Organisation, Territory, User
    from relais.accounts.security import AUTHENTICATOR_NAME
    from relais.justice.enums import AdjustmentKind, AdjustmentState, DetentionState
    from relais.justice.models import Detention, SentenceAdjustment
    from relais.orientations.enums import OrientationState, RefusalReason
    from relais.orientations.models import Orientation
    from relais.persons.models import Household, Person
    from relais.places.enums import PlaceType, StructureType
    from relais.places.models import PlaceCapacity, Structure
    from relais.requests.enums import Channel, RequestStatus
    from relais.requests.models import Request

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    territory = Territory.objects.create(insee_code="68", name="Haut-Rhin")
    siao = Organisation.objects.create(name="SIAO", kind=OrganisationKind.SIAO, territory=territory)
    operator = User.objects.create_user(
        username="operateur", password="x" * 16, role=Role.SIAO_OPERATOR, organisation=siao
    )
    TOTPDevice.objects.create(user=operator, name=AUTHENTICATOR_NAME)
    spips = [
        Organisation.objects.create(
            name=f"SPIP {n}", kind=OrganisationKind.SPIP, territory=territory
        )
        for n in range(3)
    ]
    prisons = [
        Organisation.objects.create(
            name=f"Établissement {n}",
            kind=OrganisationKind.PRISON,
            subtype=OrganisationSubtype.MA,
            territory=territory,
        )
        for n in range(4)
    ]
    cpips = [
        User.objects.create_user(
            username=f"cpip{n}",
            password="x" * 16,
            role=Role.CPIP,
            organisation=spips[n % 3],
            first_name="Camille",
            last_name=f"Conseiller {n}",
        )
        for n in range(30)
    ]
    manager = Organisation.objects.create(
        name="Association", kind=OrganisationKind.STRUCTURE_MANAGER, territory=territory
    )
    capacities = []
    for n in range(20):
        structure = Structure.objects.create(
            name=f"CHRS {n}",
            structure_type=StructureType.INSERTION_CHRS,
            territory=territory,
            manager=manager,
        )
        capacities.append(
            PlaceCapacity.objects.create(
                structure=structure, place_type=PlaceType.INSERTION, places=200
            )
        )

    persons = Person.objects.bulk_create(
        [Person(birth_name=f"Nom{n}", first_names="Prénom") for n in range(n_detentions)],
        batch_size=5000,
    )
    detentions = []
    for n, person in enumerate(persons):
        cpip = rng.choice(cpips)
        end_date = today + dt.timedelta(days=rng.randint(-30, 540))
        years = rng.choices([0, 1, 3, 7], [30, 35, 20, 15])[0]
        months = rng.randint(0, 11)
        incarcerated_on = end_date - dt.timedelta(days=365 * years + 30 * months + 20)
        detention = Detention(
            person=person,
            territory=territory,
            establishment=rng.choice(prisons),
            prison_number=f"{n:07d}",
            spip_id=cpip.organisation_id,
            cpip=cpip,
            incarcerated_on=incarcerated_on,
            sentence_years=years,
            sentence_months=months,
            sentence_days=20,
            end_date=end_date,
            state=DetentionState.IN_DETENTION,
        )
        detention.compute_dates()
        detentions.append(detention)
    detentions = Detention.objects.bulk_create(detentions, batch_size=5000)

    with_request = [d for d in detentions if rng.random() < 0.6]
    households = Household.objects.bulk_create(
        [Household(principal_id=d.person_id) for d in with_request], batch_size=5000
    )
    outcomes = rng.choices(
        ["new", "evaluated", "oriented", "reserved", "admitted", "refused"],
        [25, 25, 15, 10, 15, 10],
        k=len(with_request),
    )
    status_of = {
        "new": RequestStatus.NEW,
        "evaluated": RequestStatus.EVALUATED,
        "refused": RequestStatus.EVALUATED,
        "oriented": RequestStatus.ORIENTED,
        "reserved": RequestStatus.ORIENTED,
        "admitted": RequestStatus.ADMITTED,
    }
    placed = {"oriented", "reserved", "admitted"}
    capacity_of = [rng.choice(capacities) for _ in with_request]
    requests = Request.objects.bulk_create(
        [
            Request(
                person_id=d.person_id,
                household=household,
                channel=Channel.INSERTION,
                territory=territory,
                referrer_organisation_id=d.spip_id,
                referrer=d.cpip,
                created_at=now - dt.timedelta(days=rng.randint(1, 200)),
                requested_on=today - dt.timedelta(days=rng.randint(1, 200)),
                status=status_of[outcome],
                host_structure_id=capacity.structure_id if outcome in placed else None,
                admitted_at=now - dt.timedelta(days=1) if outcome == "admitted" else None,
                detention=d,
            )
            for d, household, outcome, capacity in zip(
                with_request, households, outcomes, capacity_of, strict=True
            )
        ],
        batch_size=5000,
    )
    orientations = []
    for request, detention, outcome, capacity in zip(
        requests, with_request, outcomes, capacity_of, strict=True
    ):
        if outcome in ("new", "evaluated"):
            continue
        fields = {"proposed_at": request.created_at + dt.timedelta(days=2)}
        state = OrientationState.PROPOSED
        if outcome == "admitted":
            state, fields["decided_at"] = OrientationState.ADMITTED, fields["proposed_at"]
        elif outcome == "refused":
            state, fields["decided_at"] = OrientationState.REFUSED, fields["proposed_at"]
            fields["refusal_reason"] = RefusalReason.PUBLIC_NOT_SERVED
        elif outcome == "reserved":
            fields["window_starts_on"] = detention.due_on - dt.timedelta(days=7)
            fields["window_ends_on"] = detention.due_on + dt.timedelta(days=14)
        orientations.append(
            Orientation(
                request=request,
                structure_id=capacity.structure_id,
                capacity=capacity,
                places=1,
                state=state,
                created_at=fields["proposed_at"],
                **fields,
            )
        )
    Orientation.objects.bulk_create(orientations, batch_size=5000)
    SentenceAdjustment.objects.bulk_create(
        [
            SentenceAdjustment(
                detention=d,
                kind=rng.choice(AdjustmentKind.values),
                state=rng.choice(
                    [
                        AdjustmentState.TO_PREPARE,
                        AdjustmentState.REQUESTED,
                        AdjustmentState.WITHDRAWN,
                    ]
                ),
            )
            for d in detentions
            if rng.random() < 0.2
        ],
        batch_size=5000,
    )
    return operator


def client_for(user):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(raise_request_exception=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    session.save()
    return client


def timed_gets(client, url: str, n: int, params=None) -> tuple[list[float], list[float]]:
    """(wall-clock times, CPU times of this process) of `n` GETs."""
    times, cpu = [], []
    for _ in range(n):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params or {})
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
        assert response.status_code == 200, response.status_code
    return times, cpu


def _ms(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]
    return f"p50 {1000 * statistics.median(values):7.1f} ms  p95 {1000 * p95:7.1f} ms"


def report(label: str, measured: tuple[list[float], list[float]]) -> None:
    """Wall clock, and this process's CPU time: on a shared machine (a load above the number
    of cores) the wall clock mostly measures the wait for a core."""
    times, cpu = measured
    print(f"  {label:<40} n={len(times):>3}  {_ms(times)}   (CPU : {_ms(cpu)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detentions", type=int, default=5000)
    parser.add_argument("--pages", type=int, default=40, help="page loads timed (≥ 30)")
    parser.add_argument("--exports", type=int, default=5, help="CSV exports timed")
    args = parser.parse_args()

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"] = {"NAME": "/tmp/relais_bench_releases.sqlite3"}
    settings.ALLOWED_HOSTS = ["testserver"]
    django.setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from relais.justice.models import Detention
    from relais.releases.pipeline import due_out

    print(f"Base : {connection.vendor} — charge de la machine : {os.getloadavg()[0]:.1f}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        began = time.perf_counter()
        operator = build(args.detentions)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"  construction : {Detention.objects.count()} personnes détenues "
            f"en {time.perf_counter() - began:.1f} s"
        )
        dues = due_out(operator)
        print(
            f"  dans le tableau (12 mois) : {len(dues)} personnes, "
            f"dont {sum(d.urgent for d in dues)} urgentes"
        )
        client = client_for(operator)
        url = reverse("releases:pipeline")
        timed_gets(client, url, 3)  # warm-up
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(f"  requêtes SQL par page : {len(queries.captured_queries)}")
        report("page, sans filtre", timed_gets(client, url, args.pages))
        report(
            "page, filtre « aucune demande »",
            timed_gets(client, url, max(10, args.pages // 3), {"solution": "no_request"}),
        )
        report("page 20", timed_gets(client, url, max(10, args.pages // 3), {"page": 20}))
        export = reverse("releases:pipeline_export")
        report(
            f"export CSV complet ({len(dues)} lignes)",
            timed_gets(client, export, args.exports, {"format": "csv"}),
        )
        print(
            f"  charge de la machine à la fin : {os.getloadavg()[0]:.1f} ({os.cpu_count()} cœurs)"
        )
    finally:
        connection.close()
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
