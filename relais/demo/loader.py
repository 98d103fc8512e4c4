"""Load the demo territory: empty the demo's tables, then build everything in one transaction."""

import datetime as dt
import random

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from relais.accounts.models import Organisation, Territory, User
from relais.orientations import notifications
from relais.orientations.models import Notification, Orientation, OrientationEvent
from relais.places.models import (
    CapacityChange,
    CapacityEvent,
    Dwelling,
    PlaceCapacity,
    Structure,
)
from relais.requests.models import (
    Debt,
    Employment,
    EvaluationReason,
    Household,
    HouseholdMember,
    HousingAid,
    Person,
    Request,
    RequestEvent,
    ResourceLine,
    SocialEvaluation,
)

from . import data, placements
from .households import HouseholdBuilder
from .second_factor import equip_demo_accounts
from .territory import Cast, build_cast

SEED = 682026
# The structures' places are open, in the capacity history, a year before the load: before
# any of the demo's six months of activity, so every cut-off of the demo has its capacity.
PLACES_OPEN_DAYS = 365

# What the demo creates. Emptying them also empties every table that refers to them
# (sessions' users, admin log, whatever other apps hang on territories or persons).
DEMO_MODELS = [
    Territory,
    Organisation,
    User,
    Structure,
    PlaceCapacity,
    CapacityChange,
    CapacityEvent,
    Dwelling,
    Person,
    Household,
    HouseholdMember,
    Request,
    RequestEvent,
    SocialEvaluation,
    Employment,
    ResourceLine,
    Debt,
    EvaluationReason,
    HousingAid,
    Orientation,
    OrientationEvent,
    Notification,
]


def other_territories() -> list[str]:
    """Territories that are not the demo's: their presence means this is not a demo database."""
    return [str(t) for t in Territory.objects.exclude(insee_code=data.TERRITORY_CODE)]


def empty_demo_tables() -> None:
    """Empty the demo's tables and those referring to them, and restart their id sequences.

    Restarting the sequences gives the same ids on every load, so links shared during a demo
    (/demandes/42/) keep pointing at the same person.
    """
    # PostgreSQL refuses to TRUNCATE a table with deferred constraint checks still pending in
    # the transaction (a second load inside one test): run those checks first.
    connection.check_constraints()
    tables = [model._meta.db_table for model in DEMO_MODELS]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)


def load_demo(*, now: dt.datetime | None = None) -> Cast:
    """Replace the database's content by the demo territory. Same content on every run."""
    now = now or timezone.now()
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    with transaction.atomic(), notifications.without_mail():
        empty_demo_tables()
        cast = build_cast(
            rng=rng, fake=fake, places_since=now - dt.timedelta(days=PLACES_OPEN_DAYS)
        )
        HouseholdBuilder(cast=cast, rng=rng, fake=fake, now=now).build()
        equip_demo_accounts()
        placements.settle_dates(now)
        placements.declare_unavailable(cast, now)
    return cast
