"""OPS-03: the demo territory, exported, imported into an emptied database, reads the same."""

import datetime as dt
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from relais.accounts.models import Territory, User
from relais.audit.enums import Action
from relais.audit.log import record, verify_chain
from relais.audit.models import AuditEvent
from relais.demo.loader import load_demo
from relais.indicators.calendar import Schedule, cutoffs_between, latest_cutoff
from relais.indicators.engine import compute, compute_totals
from relais.places.models import PlacementAgreement
from relais.requests.models import Request
from relais.transfer.exporter import export_territory
from relais.transfer.importer import import_territory

from .helpers import counts, empty_database

pytestmark = pytest.mark.django_db


def past_cutoffs(now: dt.datetime) -> list:
    daily = latest_cutoff(Schedule.DAILY, now)
    weekly = latest_cutoff(Schedule.WEEKLY, now)
    days = [daily.day - dt.timedelta(days=n) for n in range(0, 60, 6)]
    fridays = [weekly.day - dt.timedelta(weeks=n) for n in range(0, 12, 3)]
    return [type(daily).daily(d) for d in days] + [type(weekly).weekly(f) for f in fridays]


def indicators(territory: Territory, now: dt.datetime) -> dict:
    """The Annex II tables of past cut-offs, and a quarter added up as known today."""
    tables = {c.slug: compute(territory, c) for c in past_cutoffs(now)}
    weekly = latest_cutoff(Schedule.WEEKLY, now)
    quarter = cutoffs_between(Schedule.WEEKLY, weekly.day - dt.timedelta(weeks=12), weekly.day)
    tables["quarter"] = compute_totals(territory, quarter, known_at=now)
    return {
        slug: (table.rows, sorted(table.facts, key=repr), table.structure_types)
        for slug, table in tables.items()
    }


def audit_a_few_reads(territory: Territory) -> None:
    """The demo writes no log: a few rows, one without a territory, to carry over."""
    operator = User.objects.get(username="operateur.siao")
    for request in Request.objects.filter(territory=territory).order_by("pk")[:5]:
        record(request_or_user=operator, action=Action.READ, obj=request, reason="Suivi")
    person = Request.objects.order_by("pk").first().person
    record(request_or_user=None, action=Action.WRITE, person_id=person.pk, detail={"n": 1.5})


def rows_of(user: User) -> dict[str, int]:
    return {
        "accounts.user": 1,
        "otp_totp.totpdevice": user.totpdevice_set.count(),
        "otp_static.staticdevice": user.staticdevice_set.count(),
        "otp_static.statictoken": sum(d.token_set.count() for d in user.staticdevice_set.all()),
    }


def test_ops_03_demo_territory_round_trips_with_identical_indicators(tmp_path):
    now = timezone.now()
    load_demo(now=now)
    territory = Territory.objects.get()
    audit_a_few_reads(territory)
    before, figures = counts(), indicators(territory, now)
    assert any(row.counts for table in figures.values() for row in table[0]), "empty figures"
    agreement = PlacementAgreement.objects.exclude(document="").get()
    with default_storage.open(agreement.document.name, "rb") as pdf:
        document = hashlib.sha256(pdf.read()).hexdigest()
    # The superuser belongs to no territory: not exported (LISEZMOI.md).
    superuser = User.objects.get(is_superuser=True, organisation=None)
    expected = {label: n - rows_of(superuser).get(label, 0) for label, n in before.items()}
    expected["demo.demorecord"] = 0  # a restored database is no longer a demo

    manifest = export_territory(territory, tmp_path / "68.zip")
    assert manifest["audit"] == {"rows": 6, "chain_complete": True}
    empty_database()
    default_storage.delete(agreement.document.name)
    assert Territory.objects.count() == Request.objects.count() == AuditEvent.objects.count() == 0
    import_territory(tmp_path / "68.zip")

    assert counts() == expected
    assert {label: t["rows"] for label, t in manifest["tables"].items()} == {
        label: n for label, n in expected.items() if label in manifest["tables"]
    }
    assert indicators(Territory.objects.get(), now) == figures
    chain = verify_chain()
    assert chain.ok and chain.checked == 6, chain
    with default_storage.open(agreement.document.name, "rb") as pdf:
        assert hashlib.sha256(pdf.read()).hexdigest() == document
    # New rows take ids after the imported ones (PostgreSQL's sequences were reset).
    record(request_or_user=None, action=Action.EXPORT, obj=territory)
    assert verify_chain().ok
