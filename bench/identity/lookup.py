"""Lookup latency: one new person against N existing persons, on SQLite or PostgreSQL.

Usage (a throwaway database; it is migrated and filled):
    DATABASE_URL=sqlite:////tmp/bench/lookup.sqlite3 python bench/identity/lookup.py persons.csv
    createdb -h 127.0.0.1 -U postgres relais_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_bench python bench/identity/lookup.py persons.csv

All rows of persons.csv but one per duplicated cluster are loaded as persons (bulk insert,
then `rebuild_identity_keys`); the held-out records, and as many fresh ones, are looked up
with the entry check's query. Prints p50/p95 latency and how often the true person is found.
"""

import argparse
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from relais.identity.matching import Identity  # noqa: E402
from relais.identity.models import IdentityKey  # noqa: E402
from relais.identity.normalize import parse_date  # noqa: E402
from relais.persons.models import Person  # noqa: E402


def identity_of(row: dict) -> Identity:
    return Identity.build(
        birth_name=row["birth_name"] or row["last_name"],
        usage_name=row["last_name"] if row["birth_name"] else "",
        first_names=row["first_name"],
        sex=row["sex"],
        birth=parse_date(row["birth_date"]),
        birth_place=row["birth_place"],
    )


def person_of(row: dict) -> Person:
    date = parse_date(row["birth_date"])
    return Person(
        birth_name=(row["birth_name"] or row["last_name"])[:100],
        usage_name=row["last_name"][:100] if row["birth_name"] else "",
        first_names=row["first_name"][:150],
        sex=row["sex"],
        birth_year=date.year,
        birth_month=date.month,
        birth_day=date.day if date.month else None,
        birth_place=row["birth_place"][:120],
    )


def load(rows: list[dict], queries: int) -> tuple[list[tuple[dict, str]], float]:
    by_cluster: dict[str, list[dict]] = {}
    for row in rows:
        by_cluster.setdefault(row["cluster"], []).append(row)
    held_out = [members[-1] for members in by_cluster.values() if len(members) > 1][:queries]
    skip = {id(r) for r in held_out}
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not Person.objects.exists():
        batch = []
        for row in rows:
            if id(row) in skip:
                continue
            person = person_of(row)
            person.pk = int(row["id"])
            batch.append(person)
            if len(batch) == 10_000:
                Person.objects.bulk_create(batch)
                batch = []
        Person.objects.bulk_create(batch)
        call_command("rebuild_identity_keys", stdout=io.StringIO())
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
        cursor.execute("ANALYZE")
    return [(r, r["cluster"]) for r in held_out], time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with open(args.input, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cluster_of = {int(r["id"]): r["cluster"] for r in rows}
    held_out, load_time = load(rows, args.queries)
    timings, found_top1, found_top10 = [], 0, 0
    for row, cluster in held_out:
        identity = identity_of(row)
        started = time.perf_counter()
        candidates = IdentityKey.objects.candidates_for(identity, limit=10)
        timings.append((time.perf_counter() - started) * 1000)
        clusters = [cluster_of.get(c.person.pk) for c in candidates]
        found_top1 += bool(clusters) and clusters[0] == cluster
        found_top10 += cluster in clusters
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"{connection.vendor} | {Person.objects.count()} persons | "
        f"{IdentityKey.objects.count()} keys | load {load_time:.0f} s | "
        f"p50 {statistics.median(timings):.1f} ms | p95 {p95:.1f} ms | "
        f"max {timings[-1]:.1f} ms | true person top-1 {found_top1 / len(held_out):.1%}, "
        f"top-10 {found_top10 / len(held_out):.1%} ({len(held_out)} queries)"
    )


if __name__ == "__main__":
    main()
