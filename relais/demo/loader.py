"""Load the demo territory: empty the demo's tables, then build everything in one transaction.

Only where the settings allow it (dev and test), and only into an empty database or one the
demo filled itself: what it created is kept in DemoRecord.
"""

import datetime as dt
import random

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from relais.accounts.models import Organisation, Territory, User
from relais.avdl import models as avdl_models
from relais.commission import models as commission_models
from relais.exitplan.models import ExitItem, ExitItemEvent, ExitPlan, ExitPlanEvent
from relais.iae import models as iae
from relais.identity.rebuild import rebuild_identity_keys
from relais.implantation.models import (
    ActParty,
    ImplantationAct,
    ImplantationProject,
    ImplantationStep,
    StepEvent,
)
from relais.indicators.models import ForecastSnapshot
from relais.justice.models import (
    AdjustmentEvent,
    Detention,
    DetentionEvent,
    JudicialArea,
    SentenceAdjustment,
)
from relais.notifications import sending as notifications
from relais.notifications.models import Notification
from relais.orientations.models import Orientation, OrientationEvent
from relais.persons.models import Household, HouseholdMember, Person
from relais.places.models import (
    AgreementAlert,
    CapacityChange,
    CapacityEvent,
    Dwelling,
    PlaceCapacity,
    PlacementAgreement,
    Structure,
)
from relais.releases.models import DryExit, Escalation, FollowUpCheck
from relais.requests.enums import EventKind
from relais.requests.models import (
    Debt,
    Employment,
    EvaluationReason,
    HousingAid,
    Request,
    RequestEvent,
    ResourceLine,
    SocialEvaluation,
)

from . import avdl, commission, duplicates, exit_plans, implantation, justice_places, placements
from .detentions import DetentionBuilder
from .forecasts import ForecastBuilder
from .households import HouseholdBuilder
from .iae import IaeBuilder
from .models import DemoRecord
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
    Detention,
    DetentionEvent,
    JudicialArea,
    SentenceAdjustment,
    AdjustmentEvent,
    Escalation,
    DryExit,
    FollowUpCheck,
    PlacementAgreement,
    AgreementAlert,
    iae.Site,
    iae.Responsibility,
    iae.ResourcePerson,
    iae.CpuSession,
    iae.Parcours,
    iae.ParcoursEvent,
    iae.Agreement,
    iae.Consent,
    iae.LogEntry,
    iae.MonthlyHours,
    iae.ParcoursAction,
    iae.Skill,
    iae.Assessment,
    iae.Rating,
    iae.ExitSynthesis,
    iae.ExitContact,
    iae.ExitAlert,
    iae.Handover,
    iae.OutsideFollowUp,
    ImplantationProject,
    ImplantationStep,
    StepEvent,
    ImplantationAct,
    ActParty,
    commission_models.Commission,
    commission_models.CommissionEvent,
    commission_models.AgendaItem,
    commission_models.ServiceAttendance,
    commission_models.Decision,
    # AVDL Justice (JUS-11)
    avdl_models.Worker,
    avdl_models.HousingSupportMeasure,
    avdl_models.MeasureEvent,
    avdl_models.EndAlert,
    # Exit plans (EXIT-01..04)
    ExitPlan,
    ExitPlanEvent,
    ExitItem,
    ExitItemEvent,
    ForecastSnapshot,
    DemoRecord,
]
# The tables that say whose database this is: every other row hangs on one of them.
RECORDED_MODELS = [Territory, Organisation, User, Person]
# How many foreign rows a refusal names.
NAMED = 3


class DemoRefused(Exception):
    """load_demo will not touch this database. The message is for the person running it."""


def check_allowed() -> None:
    """Refuse unless the settings allow the demo and the database holds only the demo's data."""
    if not getattr(settings, "RELAIS_DEMO_ALLOWED", False):
        raise DemoRefused(
            "Le territoire de démonstration ne se charge qu'avec les réglages de développement "
            "ou de test (RELAIS_DEMO_ALLOWED) : ces réglages-ci ne le permettent pas. "
            "Rien n'a été modifié."
        )
    foreign = foreign_rows()
    if foreign:
        raise DemoRefused(
            "Cette base contient des données que la démonstration n'a pas créées "
            f"({' ; '.join(foreign)}) : load_demo les effacerait. Il ne se charge que dans une "
            "base vide ou déjà remplie par lui-même. Rien n'a été modifié : utilisez une autre "
            "base (DATABASE_URL), ou videz celle-ci (manage.py flush) si elle ne sert à rien."
        )


def foreign_rows() -> list[str]:
    """What the database holds that the demo neither created nor saw its accounts enter.

    A person entered through the screens by a demo account (during a demonstration) is the
    demo's: reloading must reset a demo that has been used.
    """
    recorded = DemoRecord.objects
    demo_users = recorded.ids_of(User)
    entered = RequestEvent.objects.filter(kind=EventKind.CREATED, actor__in=demo_users)
    foreign = {
        "territoire": Territory.objects.exclude(pk__in=recorded.ids_of(Territory)),
        "organisation": Organisation.objects.exclude(pk__in=recorded.ids_of(Organisation)),
        "compte": User.objects.exclude(pk__in=demo_users),
        "personne": Person.objects.exclude(pk__in=recorded.ids_of(Person)).exclude(
            pk__in=entered.values("request__person")
        ),
    }
    found = []
    for label, rows in foreign.items():
        count = rows.count()
        if not count:
            continue
        if label == "personne":  # never print a person's name: a count says enough
            found.append(f"{count} personne{'s' if count > 1 else ''}")
            continue
        shown = rows.order_by("pk")[:NAMED]
        names = ", ".join(f"« {getattr(row, 'username', row)} »" for row in shown)
        more = f" et {count - NAMED} autre(s)" if count > NAMED else ""
        found.append(f"{label}{'s' if count > 1 else ''} {names}{more}")
    return found


def record_demo_rows() -> None:
    """Remember what this load created, so that the next load recognises its own database."""
    DemoRecord.objects.bulk_create(
        [
            DemoRecord(model=model._meta.label_lower, object_id=pk)
            for model in RECORDED_MODELS
            for pk in model.objects.order_by("pk").values_list("pk", flat=True)
        ],
        batch_size=1000,
    )


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
    """Replace the database's content by the demo territory. Same content on every run.

    Raises DemoRefused, having changed nothing, outside dev and test settings or when the
    database holds data the demo did not create.
    """
    now = now or timezone.now()
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    with transaction.atomic(), notifications.without_mail():
        check_allowed()
        empty_demo_tables()
        cast = build_cast(
            rng=rng, fake=fake, places_since=now - dt.timedelta(days=PLACES_OPEN_DAYS)
        )
        HouseholdBuilder(cast=cast, rng=rng, fake=fake, now=now).build()
        equip_demo_accounts()
        placements.settle_dates(now)
        placements.declare_unavailable(cast, now)
        # After the households, with the generator where they left it: the rest of the demo
        # stays as it was. Runs the releases' daily job for today (alerts, the dry exit).
        DetentionBuilder(cast=cast, rng=rng, fake=fake, now=now).build()
        # The past year of releases the SPIP's forecast and the justice indicators read; its
        # own generators, so the rest of the demo stays as it was. Before the persons typed
        # twice, which are the last persons created.
        ForecastBuilder(cast=cast, seed=SEED + 9, now=now).build()
        # AVDL Justice (JUS-11), with its own generator: nothing else changes. Before the
        # persons typed twice, who stay the last persons created.
        avdl.build(cast, now=now)
        duplicates.type_twice(cast, now=now)
        IaeBuilder(cast=cast, rng=rng, now=now).build()
        commission.load(cast, now=now)
        implantation.load(
            cast.territory,
            establishment=cast.organisations["mc-ensisheim"],
            siae=cast.organisations["siae"],
            now=now,
        )
        # JUS-03, JUS-12: the PE agreement and its places, the reserved and flying places.
        justice_places.load(cast, now=now)
        # EXIT-01..04: exit plans in every state, from the detentions, parcours and places
        # above; no random generator.
        exit_plans.load(cast, now=now)
        # The persons were bulk-created, without the signal that keys them: the entry check
        # and the review queue find them only once this has run.
        rebuild_identity_keys(pairs=True)
        record_demo_rows()
    return cast
