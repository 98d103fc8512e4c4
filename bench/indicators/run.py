"""Benchmark of the Annex II indicators (not a test): a territory-year of synthetic activity.

    .venv/bin/python bench/indicators/run.py                      # SQLite (a file in /tmp)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/indicators/run.py                  # PostgreSQL (test_<name>)
    .venv/bin/python bench/indicators/run.py --requests 20000     # smaller

It creates a throw-away database (Django's test database: it never touches yours), builds
one territory with 60 structures and `--requests` requests over 2025 (about four events per
request: created, evaluated, oriented, admitted, arrival, end of stay; a tenth of the ends
entered days late), then prints the time to compute one daily and one weekly cut-off at the
end of the year, and every weekly (and daily) cut-off of the year. Target: one cut-off ≤ 2 s.
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

UTC = dt.UTC
YEAR_START = dt.datetime(2025, 1, 1, tzinfo=UTC)


def build(n_requests: int, seed: int = 2025) -> "Territory":  # noqa: F821
    from relais.core.transitions import synthetic_load

    with synthetic_load():  # synthetic rows written with their events, in bulk
        return _build(n_requests, seed)


def _build(n_requests: int, seed: int) -> "Territory":  # noqa: F821
    from relais.accounts.enums import OrganisationKind
    from relais.accounts.models import Organisation, Territory
    from relais.orientations.enums import EndDestination, EndReason, OrientationState
    from relais.orientations.models import Orientation
    from relais.persons.models import Household, Person
    from relais.places.enums import PlaceType, StructureType
    from relais.places.models import CapacityChange, PlaceCapacity, Structure
    from relais.requests.enums import Channel, EventKind, RequestStatus
    from relais.requests.models import Request, RequestEvent

    rng = random.Random(seed)
    territory = Territory.objects.create(insee_code="68", name="Haut-Rhin")
    referrer = Organisation.objects.create(
        name="CCAS", kind=OrganisationKind.SOCIAL_SERVICE, territory=territory
    )
    manager = Organisation.objects.create(
        name="Association", kind=OrganisationKind.STRUCTURE_MANAGER, territory=territory
    )
    kinds = [
        (StructureType.CHU, PlaceType.EMERGENCY, Channel.EMERGENCY, 20),
        (StructureType.HOTEL, PlaceType.EMERGENCY, Channel.EMERGENCY, 10),
        (StructureType.INSERTION_CHRS, PlaceType.INSERTION, Channel.INSERTION, 15),
        (StructureType.STABILISATION_CHRS, PlaceType.STABILISATION, Channel.INSERTION, 5),
        (StructureType.MAISON_RELAIS, PlaceType.HOUSING, Channel.HOUSING, 10),
    ]
    capacities: dict[str, list[PlaceCapacity]] = {c: [] for c in Channel.values}
    for structure_type, place_type, channel, count in kinds:
        for n in range(count):
            structure = Structure.objects.create(
                name=f"{structure_type} {n}",
                structure_type=structure_type,
                territory=territory,
                manager=manager,
            )
            capacities[channel].append(
                PlaceCapacity.objects.create(
                    structure=structure, place_type=place_type, places=rng.randint(15, 80)
                )
            )
    # The capacities exist from the start of the synthetic year, as their history must say.
    CapacityChange.objects.update(occurred_at=YEAR_START, recorded_at=YEAR_START)

    persons = Person.objects.bulk_create(
        [Person(birth_name=f"Nom{n}", first_names="Prénom") for n in range(n_requests)],
        batch_size=5000,
    )
    # Households of 1 to 4: the principal is the first member.
    plans, households = [], []
    index = 0
    while index < n_requests:
        size = min(rng.choices([1, 2, 3, 4], [70, 15, 10, 5])[0], n_requests - index)
        plans.append((index, size))
        households.append(Household(principal=persons[index]))
        index += size
    households = Household.objects.bulk_create(households, batch_size=5000)

    requests, stories = [], []
    seconds_in_year = 365 * 86400
    for (first, size), household in zip(plans, households, strict=True):
        channel = rng.choices(Channel.values, [60, 30, 10])[0]
        created = YEAR_START + dt.timedelta(seconds=rng.randrange(seconds_in_year))
        direct = channel == Channel.EMERGENCY and rng.random() < 0.05
        outcome = "direct" if direct else rng.choices(["new", "oriented", "hosted"], [25, 5, 70])[0]
        capacity = rng.choice(capacities[channel])
        stay = dt.timedelta(days=rng.expovariate(1 / (5 if channel == Channel.EMERGENCY else 90)))
        for member in range(size):
            requests.append(
                Request(
                    person=persons[first + member],
                    household=household,
                    channel=channel,
                    territory=territory,
                    referrer_organisation=referrer,
                    created_at=created,
                    requested_on=created.date(),
                    is_direct_admission=direct,
                )
            )
            stories.append((created, outcome, capacity, stay, size))
    requests = Request.objects.bulk_create(requests, batch_size=5000)

    orientations, events, updates = [], [], []
    now = dt.datetime(2026, 1, 10, tzinfo=UTC)
    for request, (created, outcome, capacity, stay, size) in zip(requests, stories, strict=True):
        status = RequestStatus.NEW
        events.append((request, EventKind.CREATED, "", "new", created, created, {}))
        if outcome == "new":
            continue
        if request.channel != Channel.EMERGENCY:
            evaluated = created + dt.timedelta(days=rng.uniform(1, 20))
            events.append(
                (request, EventKind.EVALUATED, "new", "evaluated", evaluated, evaluated, {})
            )
            created = evaluated
        oriented = created + dt.timedelta(hours=rng.uniform(1, 72))
        admitted = oriented + dt.timedelta(hours=rng.uniform(1, 48))
        ended = admitted + stay
        if outcome == "direct":
            admitted = created
            ended = admitted + stay
        state = OrientationState.PROPOSED
        fields = {"proposed_at": oriented}
        if outcome in ("hosted", "direct") and admitted < now:
            state = OrientationState.IN_STAY
            fields |= {"decided_at": admitted, "stay_started_at": admitted}
            if ended < now:
                state = OrientationState.ENDED
                fields |= {
                    "ended_at": ended,
                    "end_destination": EndDestination.FAMILY,
                    "end_reason": EndReason.PLANNED_END,
                }
        orientation = Orientation(
            request=request,
            structure_id=capacity.structure_id,
            capacity=capacity,
            places=size,
            state=state,
            is_direct_admission=outcome == "direct",
            created_at=oriented,
            **fields,
        )
        orientations.append((orientation, request, outcome, oriented, admitted, ended, state))
    Orientation.objects.bulk_create([o[0] for o in orientations], batch_size=5000)

    for orientation, request, outcome, oriented, admitted, ended, state in orientations:
        data = {"structure": orientation.structure_id, "orientation": orientation.pk}
        late = dt.timedelta(days=rng.uniform(1, 6)) if rng.random() < 0.1 else dt.timedelta()
        if outcome == "direct":
            events.append(
                (
                    request,
                    EventKind.DIRECT_ADMISSION,
                    "new",
                    "admitted",
                    admitted,
                    admitted + late,
                    {"structure": orientation.structure_id},
                )
            )
        else:
            events.append((request, EventKind.ORIENTED, "", "oriented", oriented, oriented, data))
        status = RequestStatus.ORIENTED
        if state in (OrientationState.IN_STAY, OrientationState.ENDED):
            if outcome != "direct":
                events.append(
                    (request, EventKind.ADMITTED, "oriented", "admitted", admitted, admitted, data)
                )
            events.append((request, EventKind.STAY_STARTED, "", "", admitted, admitted, data))
            status = RequestStatus.ADMITTED
        if state == OrientationState.ENDED:
            events.append(
                (request, EventKind.STAY_ENDED, "admitted", "ended", ended, ended + late, data)
            )
            status = RequestStatus.ENDED
        request.status = status
        request.host_structure_id = orientation.structure_id
        request.admitted_at = admitted if status != RequestStatus.ORIENTED else None
        request.ended_at = ended if status == RequestStatus.ENDED else None
        updates.append(request)
    Request.objects.bulk_update(
        updates, ["status", "host_structure", "admitted_at", "ended_at"], batch_size=5000
    )
    RequestEvent.objects.bulk_create(
        [
            RequestEvent(
                request=request,
                kind=kind,
                from_state=from_status,
                to_state=to_status,
                occurred_at=occurred,
                recorded_at=recorded,
                data=data,
            )
            for request, kind, from_status, to_status, occurred, recorded, data in events
        ],
        batch_size=10000,
    )
    return territory


def timed(label: str, function) -> float:
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"  {label:<58} {elapsed:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--skip-daily-year", action="store_true", help="skip the 365 midnights")
    args = parser.parse_args()

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database["TEST"] = {"NAME": "/tmp/relais_bench_indicators.sqlite3"}
    django.setup()

    from django.db import connection

    from relais.indicators.calendar import Cutoff, Schedule, cutoffs_between
    from relais.indicators.engine import compute
    from relais.requests.models import Request, RequestEvent

    print(f"Base : {connection.vendor}")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        territory = timed(f"construction ({args.requests} demandes)", lambda: build(args.requests))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("ANALYZE")
        print(f"  {Request.objects.count()} demandes, {RequestEvent.objects.count()} événements")
        daily = Cutoff.daily(dt.date(2025, 12, 30))
        weekly = Cutoff.weekly(dt.date(2025, 12, 26))
        for cutoff in (daily, weekly):
            table = timed(f"un arrêté : {cutoff.label}", lambda c=cutoff: compute(territory, c))
            print(
                f"    {len(table.rows)} lignes, {len(table.facts)} faits comptés "
                f"(dont {sum(f.indicator == 'hosted' for f in table.facts)} personnes hébergées)"
            )
        weeks = cutoffs_between(Schedule.WEEKLY, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        timed(
            f"une année d'arrêtés hebdomadaires ({len(weeks)})",
            lambda: [compute(territory, c) for c in weeks],
        )
        if not args.skip_daily_year:
            days = cutoffs_between(Schedule.DAILY, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
            timed(
                f"une année d'arrêtés quotidiens ({len(days)})",
                lambda: [compute(territory, c) for c in days],
            )
    finally:
        connection.creation.destroy_test_db(database["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
