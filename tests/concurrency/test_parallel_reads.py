"""OPS-01: the embedded database (SQLite, the default) holds a team reading files at once.

Every read of a file writes an audit row (SEC-01), so parallel reads are parallel writes. On
SQLite this needs WAL, a busy timeout and immediate transactions (config/settings/base.py);
without them about half of these reads ended in a 500 "database is locked". The same test
runs on PostgreSQL when DATABASE_URL is set.
"""

import statistics
import time

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from relais.audit.enums import Action
from relais.audit.log import verify_chain
from relais.audit.models import AuditEvent
from tests.conftest import VerifiedClient
from tests.factories import UserFactory, make_request

from .threads import at_once

USERS = 6
READS = 180
# Tabs open at once (5 per user): each is a thread with its own connection, as many as the
# server's workers would hold (PostgreSQL refuses more than max_connections).
TABS = 30


def test_ops_01_the_test_database_is_the_one_that_runs(db):
    """The concurrency tests prove something only on a real SQLite file in WAL mode (an
    in-memory database shares one cache between threads and knows no WAL)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert not connection.is_in_memory_db()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.transaction_mode == "IMMEDIATE"


@pytest.mark.django_db(transaction=True)
def test_ops_01_parallel_reads_by_six_users_are_all_served_and_audited(
    social_worker, colleague, siao_operator, ccas, siao
):
    readers = [
        social_worker,
        colleague,
        UserFactory(social_worker=True, organisation=ccas),
        siao_operator,
        UserFactory(siao_operator=True, organisation=siao),
        UserFactory(siao_operator=True, organisation=siao),
    ]
    files = [make_request(referrer=social_worker) for _ in range(USERS)]
    sessions = []
    for reader in readers:  # signed in beforehand: the threads only read
        client = VerifiedClient()
        client.force_login(reader)
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    before = AuditEvent.objects.filter(action=Action.READ).count()

    def reader_tab(tab: int):
        """One browser tab of one user, opening a file after another."""

        def call() -> list[tuple[int, float]]:
            client = VerifiedClient(raise_request_exception=False)
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[tab % USERS]
            outcomes = []
            for n in range(tab, READS, TABS):
                url = reverse("requests:detail", kwargs={"pk": files[(n // USERS) % USERS].pk})
                started = time.perf_counter()
                response = client.get(url)
                outcomes.append((response.status_code, time.perf_counter() - started))
            return outcomes

        return call

    started = time.perf_counter()
    outcomes = [o for tab in at_once([reader_tab(t) for t in range(TABS)]) for o in tab]
    wall = time.perf_counter() - started

    statuses = [status for status, _ in outcomes]
    median = statistics.median(seconds for _, seconds in outcomes)
    print(
        f"\n{connection.vendor}: {READS} parallel reads, "
        f"{sum(s >= 500 for s in statuses)} server errors, median {median * 1000:.0f} ms, "
        f"all in {wall:.1f} s"
    )
    assert statuses == [200] * READS, sorted(set(statuses))
    reads = AuditEvent.objects.filter(action=Action.READ)
    assert reads.count() - before == READS
    for n, reader in enumerate(readers):  # each user's reads, each naming the file read
        mine = reads.filter(user=reader, object_type="request")
        assert mine.count() == READS // USERS
        assert sorted(int(pk) for pk in mine.values_list("object_id", flat=True)) == sorted(
            files[(k // USERS) % USERS].pk for k in range(n, READS, USERS)
        )
    assert verify_chain().ok  # parallel appends never forked the chain
