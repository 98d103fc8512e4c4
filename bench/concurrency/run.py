"""Benchmark of concurrent reads on a real server (not a test): 6 users open files at once.

    .venv/bin/python bench/concurrency/run.py            # SQLite as configured (WAL…)
    .venv/bin/python bench/concurrency/run.py --plain    # SQLite with Django's defaults
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_concurrency \\
        .venv/bin/python bench/concurrency/run.py        # PostgreSQL: a new, empty base

It builds a throw-away SQLite file in /tmp (or migrates the PostgreSQL base given), 6 users
with a signed-in session and 6 files, starts gunicorn (`--workers`, 4 by default), then opens
`--reads` file pages (180) from `--tabs` (30) browser tabs at once, each page writing its
audit row, and prints the HTTP statuses, the median and 95th-percentile page times and the
time for the whole; then the median of 30 pages read one at a time, for comparison.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def prepare(url: str) -> tuple[list[str], list[int]]:
    """Migrate, build the users and files; return session keys and file ids."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.conftest import VerifiedClient
    from tests.factories import OrganisationFactory, TerritoryFactory, UserFactory, make_request

    territory = TerritoryFactory(insee_code="68", name="Haut-Rhin")
    siao = OrganisationFactory(siao=True, territory=territory)
    ccas = OrganisationFactory(social_service=True, territory=territory)
    workers = [UserFactory(social_worker=True, organisation=ccas) for _ in range(3)]
    readers = workers + [UserFactory(siao_operator=True, organisation=siao) for _ in range(3)]
    files = [make_request(referrer=workers[0]).pk for _ in range(6)]
    sessions = []
    for reader in readers:
        client = VerifiedClient()
        client.force_login(reader)
        sessions.append(client.cookies["sessionid"].value)
    return sessions, files


def get(base: str, session: str, pk: int) -> tuple[int, float]:
    request = urllib.request.Request(
        f"{base}/demandes/{pk}/", headers={"Cookie": f"sessionid={session}"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help="SQLite with Django's defaults")
    parser.add_argument("--reads", type=int, default=180)
    parser.add_argument("--tabs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    database = str(Path(tempfile.gettempdir()) / f"relais-bench-{os.getpid()}.sqlite3")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{database}")
    os.environ["DJANGO_SETTINGS_MODULE"] = (
        "plain_settings" if args.plain else "config.settings.test"
    )
    sys.path.insert(0, str(Path(__file__).parent))  # plain_settings
    sessions, files = prepare(os.environ["DATABASE_URL"])
    from django.db import connection

    print(f"Base : {connection.vendor} {connection.settings_dict.get('OPTIONS') or ''}")
    connection.close()

    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{args.port}",
            f"--pythonpath={ROOT},{Path(__file__).parent}",
            "--log-level=error",
        ],
        env=os.environ.copy(),
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):  # wait for the workers
            try:
                urllib.request.urlopen(f"{base}/connexion/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        outcomes: list[tuple[int, float]] = []
        barrier = threading.Barrier(args.tabs)

        def tab(t: int) -> None:
            barrier.wait()
            for n in range(t, args.reads, args.tabs):
                outcomes.append(get(base, sessions[n % 6], files[(n // 6) % 6]))

        started = time.perf_counter()
        threads = [threading.Thread(target=tab, args=(t,)) for t in range(args.tabs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        times = sorted(seconds for _, seconds in outcomes)
        print(f"  {args.reads} pages depuis {args.tabs} onglets, {args.workers} workers :")
        print(f"    statuts {dict(Counter(status for status, _ in outcomes))}")
        print(
            f"    médiane {statistics.median(times) * 1000:.0f} ms, "
            f"95e centile {times[int(len(times) * 0.95)] * 1000:.0f} ms, "
            f"en tout {wall:.1f} s"
        )
        alone = [get(base, sessions[0], files[0])[1] for _ in range(30)]
        print(f"  une page à la fois : médiane {statistics.median(alone) * 1000:.0f} ms")
    finally:
        server.terminate()
        server.wait()
        Path(database).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
