"""Retention (SEC-03): inactive files are anonymised, old audit rows purged, and what was only
kept for a while deleted: imports sent from the screen, expired API idempotency keys.

A person's *last activity* is the latest of:
- the person's record creation;
- for each request of the person, and each request of every household the person belongs
  to: its creation, last update, admission, end of stay and closure; the occurrence and the
  recording of each of its events; the last update of its social evaluation;
- the audit log's writes about the person (reads, searches and exports do not count);
- today, while one of those requests is still open (neither ended nor closed).

The file is anonymised once more than FILE_RETENTION_DAYS full days have passed since the
day of the last activity (730 by default: activity on 1 January 2024 keeps the file through
31 December 2025, anonymised from 1 January 2026). Audit rows are purged in the same way
after AUDIT_RETENTION_DAYS (365), and imports IMPORT_RETENTION_DAYS (30) after their last
step: written, failed, or left at the preview (their file names persons). An idempotency key
is kept 24 hours (relais/api/idempotency.py); the keys expired when the day starts are
deleted, answers included, even those of a token that never posts again. Dates are local
(Europe/Paris) calendar days.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from relais.api.models import IdempotentRequest
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.imports.models import ImportJob
from relais.persons.models import HouseholdMember, Person
from relais.requests.enums import RequestStatus
from relais.requests.models import (
    Debt,
    EvaluationReason,
    HousingAid,
    Request,
    RequestEvent,
    ResourceLine,
    SocialEvaluation,
)

from .models import Anonymisation

MARKER = "ANONYMISÉ"
CLOSED_STATUSES = {RequestStatus.ENDED, RequestStatus.CLOSED}

# What anonymisation wipes. Kept for the indicators: channel, statuses and every date of the
# requests and events, sex, birth year, nationality group, permit type, family situation,
# household composition, structures and organisations, the evaluation's choices and amounts.
PERSON_WIPE = {
    "birth_name": MARKER,
    "usage_name": "",
    "first_names": "",
    "birth_day": None,
    "birth_month": None,
    "birth_place": "",
    "nationality": "",
    "residence_permit_valid_until": None,
    "address": "",
    "phone": "",
}
REQUEST_WIPE = {"current_location": "", "notes": ""}
EVENT_WIPE = {"note": ""}
EVALUATION_WIPE = {
    name: ""
    for name in [
        "interviewers",
        "prescriber_name",
        "prescriber_address",
        "prescriber_phone",
        "prescriber_email",
        "referent_name",
        "referent_address",
        "referent_phone",
        "referent_email",
        "caf_number",
        "social_security_number",
        "mutual_insurance",
        "ongoing_procedures",
        "protection_referent",
        "housing_comment",
        "landlord_steps_detail",
        "situation_comment",
        "argument",
        "orientation_comment",
    ]
}
EVALUATION_CHILDREN_WIPE = {
    ResourceLine: {"detail": ""},
    Debt: {"detail": ""},
    EvaluationReason: {"detail": ""},
    HousingAid: {"detail": ""},
}

# Free text about the person held by other apps, reached from the person's requests:
# (app label, model, lookup to the request, what to wipe).
RELATED_WIPES = [
    (
        "orientations",
        "Orientation",
        "request",
        {"note": "", "refusal_comment": "", "cancel_reason": ""},
    ),
    ("orientations", "OrientationEvent", "orientation__request", {"note": ""}),
    (
        "notifications",
        "Notification",
        "request",
        {"message": "Notification concernant une personne anonymisée."},
    ),
    ("access", "AccessGrant", "request", {"reason": MARKER}),
]
# The same, for what hangs on the person rather than on a request: the free text of the exit
# plan (EXIT-01); its items' states and dates stay for the indicators (EXIT-04).
PERSON_WIPES = [
    (
        "exitplan",
        "ExitPlan",
        "person",
        {"arrival_hours": "", "arrival_contact": "", "arrival_phone": "", "arrival_note": ""},
    ),
    ("exitplan", "ExitPlanEvent", "plan__person", {"note": "", "data": {}}),
    ("exitplan", "ExitItem", "plan__person", {"remarks": ""}),
    ("exitplan", "ExitItemEvent", "item__plan__person", {"note": "", "data": {}}),
]


@dataclass
class RetentionPlan:
    today: dt.date
    file_cutoff: dt.date  # last activity on or before this day: anonymised
    audit_cutoff: dt.datetime  # audit rows before this moment: purged
    import_cutoff: dt.datetime  # imports whose last step came before this moment: deleted
    day_start: dt.datetime  # idempotency keys expired at this moment: deleted
    persons: dict[int, dt.date] = field(default_factory=dict)  # id → last activity
    audit_rows: int = 0
    import_jobs: int = 0
    idempotency_keys: int = 0


def plan(today: dt.date) -> RetentionPlan:
    """What a retention run on `today` would do; changes nothing."""
    file_cutoff = today - dt.timedelta(days=settings.FILE_RETENTION_DAYS + 1)
    audit_cutoff = _start_of(today - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS))
    import_cutoff = _start_of(today - dt.timedelta(days=settings.IMPORT_RETENTION_DAYS))
    day_start = _start_of(today)
    already = set(Anonymisation.objects.values_list("person_id", flat=True))
    persons = {
        pk: day
        for pk, day in last_activity_by_person(today).items()
        if day <= file_cutoff and pk not in already
    }
    return RetentionPlan(
        today=today,
        file_cutoff=file_cutoff,
        audit_cutoff=audit_cutoff,
        import_cutoff=import_cutoff,
        day_start=day_start,
        persons=dict(sorted(persons.items())),
        audit_rows=audit.purgeable(audit_cutoff).count(),
        import_jobs=ImportJob.objects.purgeable(import_cutoff).count(),
        idempotency_keys=IdempotentRequest.objects.expired(day_start).count(),
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def apply(retention: RetentionPlan) -> None:
    """Purge the audit log, delete old imports and expired idempotency keys, then anonymise
    the planned persons, each in its own transaction."""
    audit.purge_before(retention.audit_cutoff)
    ImportJob.objects.purgeable(retention.import_cutoff).delete()
    IdempotentRequest.objects.expired(retention.day_start).delete()
    for person_id, last_activity in retention.persons.items():
        anonymise(person_id, last_activity=last_activity)


def last_activity_by_person(today: dt.date) -> dict[int, dt.date]:
    """Every person's last activity day, as defined in this module's docstring."""
    by_request: dict[int, dt.date] = {}
    persons_of_request: dict[int, tuple[int, int]] = {}
    rows = Request.objects.values(
        "pk",
        "person_id",
        "household_id",
        "status",
        "created_at",
        "updated_at",
        "admitted_at",
        "ended_at",
        "closed_at",
    ).annotate(
        last_occurred=Max("events__occurred_at"),
        last_recorded=Max("events__recorded_at"),
        evaluation_updated=Max("evaluation__updated_at"),
    )
    for row in rows:
        persons_of_request[row["pk"]] = (row["person_id"], row["household_id"])
        if row["status"] not in CLOSED_STATUSES:
            by_request[row["pk"]] = today
            continue
        moments = [
            row[name]
            for name in (
                "created_at",
                "updated_at",
                "admitted_at",
                "ended_at",
                "closed_at",
                "last_occurred",
                "last_recorded",
                "evaluation_updated",
            )
            if row[name] is not None
        ]
        by_request[row["pk"]] = timezone.localdate(max(moments))

    by_household: dict[int, dt.date] = {}
    activity: dict[int, dt.date] = {}
    for request_id, (person_id, household_id) in persons_of_request.items():
        day = by_request[request_id]
        by_household[household_id] = max(day, by_household.get(household_id, day))
        activity[person_id] = max(day, activity.get(person_id, day))
    for person_id, household_id in HouseholdMember.objects.values_list("person_id", "household"):
        if household_id in by_household:
            day = by_household[household_id]
            activity[person_id] = max(day, activity.get(person_id, day))
    for person_id, created_at in Person.objects.values_list("pk", "created_at"):
        day = timezone.localdate(created_at)
        activity[person_id] = max(day, activity.get(person_id, day))
    writes = (
        AuditEvent.objects.filter(action=Action.WRITE, person_id__isnull=False)
        .order_by()
        .values_list("person_id")
        .annotate(last=Max("at"))
    )
    for person_id, last in writes:
        if person_id in activity:
            activity[person_id] = max(timezone.localdate(last), activity[person_id])
    return activity


def anonymise(person_id: int, *, last_activity: dt.date) -> None:
    """Wipe what identifies the person in their files; keep what the indicators count."""
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person_id)
        if Anonymisation.objects.filter(person=person).exists():
            return
        requests = Request.objects.filter(person=person)
        evaluations = SocialEvaluation.objects.filter(request__in=requests)
        # update(), not save(): no "updated_at" moves, so anonymising is not an activity.
        Person.objects.filter(pk=person_id).update(**PERSON_WIPE)
        requests.update(**REQUEST_WIPE)
        RequestEvent.objects.filter(request__in=requests).update(**EVENT_WIPE)
        evaluations.update(**EVALUATION_WIPE)
        for model, wipe in EVALUATION_CHILDREN_WIPE.items():
            model.objects.filter(evaluation__in=evaluations).update(**wipe)
        for app_label, model_name, to_request, wipe in RELATED_WIPES:
            model = apps.get_model(app_label, model_name)
            model.objects.filter(**{f"{to_request}__in": requests}).update(**wipe)
        for app_label, model_name, to_person, wipe in PERSON_WIPES:
            model = apps.get_model(app_label, model_name)
            model.objects.filter(**{f"{to_person}_id": person_id}).update(**wipe)
        _drop_identity_keys(person_id)
        Anonymisation.objects.create(person=person, last_activity_on=last_activity)
        audit.record(
            request_or_user=None,
            action=Action.ANONYMISE,
            # The latest request, so that the row lands in its territory's log.
            obj=requests.order_by("-id").first() or person,
            person_id=person_id,
            reason=f"Aucune activité depuis plus de {settings.FILE_RETENTION_DAYS} jours.",
            detail={"last_activity": last_activity},
        )


def _drop_identity_keys(person_id: int) -> None:
    """The duplicate finder's keys are derived from the wiped names: they go too."""
    try:
        identity_key = apps.get_model("identity", "IdentityKey")
    except LookupError:
        return
    identity_key.objects.filter(person_id=person_id).delete()
