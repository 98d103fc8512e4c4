"""The paper for release day (EXIT-03): one printed page in plain French that the person
takes with them — where to sleep that night, the appointments, the documents held and still
to get, the numbers to call.

Who prints it: whoever reads the plan (`ExitPlan.objects.visible_to`, 404 otherwise). What it
shows: only the items the printer sees (`ExitPlan.items_for`), and the housing's address only
to who sees it on the plan page (the SIAO and the SPIP); the SIAE, which sees whether the
housing is secured but not where, prints that the CPIP gives the address. The person shown is
an audited read like on any page (relais.audit.reads)."""

import datetime as dt
from dataclasses import dataclass

from django.shortcuts import get_object_or_404, render
from django.utils import formats, timezone

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.audit import reads
from relais.releases.housing import housing_for

from .enums import OPEN_ITEM_STATES, ItemKind, ItemState
from .models import ExitItem, ExitPlan


def when(moment: dt.datetime) -> str:
    """ "lundi 12 janvier à 10 h 30", "mardi 3 février à 9 h" (local time)."""
    local = timezone.localtime(moment)
    hour = f"{local.hour} h {local.minute:02d}" if local.minute else f"{local.hour} h"
    return f"{formats.date_format(local, 'l j F')} à {hour}"


def day(value: dt.date | None) -> str:
    """ "lundi 12 janvier 2027"."""
    return formats.date_format(value, "l j F Y") if value else ""


@dataclass(frozen=True)
class Appointment:
    when: str
    service: str
    address: str
    phone: str


@dataclass(frozen=True)
class Night:
    """Where to sleep the night of release."""

    secured: bool
    # Known to the printer (the SIAO, the SPIP): the structure, its address, whom to call.
    structure: str = ""
    address: str = ""
    hours: str = ""
    contact: str = ""
    phone: str = ""
    note_lines: tuple[str, ...] = ()

    @property
    def told(self) -> bool:
        """The SIAO told something of the first night."""
        return bool(self.hours or self.contact or self.phone or self.note_lines)


def night_of(plan: ExitPlan, *, release: dt.date | None, sees_address: bool) -> Night:
    housing = housing_for(plan.detention)
    secured = housing.secured_by(release)
    first_night = {
        "hours": plan.arrival_hours,
        "contact": plan.arrival_contact,
        "note_lines": tuple(
            line.strip() for line in plan.arrival_note.splitlines() if line.strip()
        ),
    }
    if not secured or not sees_address or housing.orientation is None:
        return Night(secured=secured, phone=plan.arrival_phone, **first_night)
    structure = housing.orientation.structure
    return Night(
        secured=True,
        structure=structure.name,
        address=structure.address,
        phone=plan.arrival_phone or structure.manager.phone,
        **first_night,
    )


def appointments_of(items: list[ExitItem]) -> list[Appointment]:
    """The appointments booked (a date given) or done, the earliest first."""
    booked = [
        item
        for item in items
        if item.spec.appointment
        and item.state != ItemState.NOT_NEEDED
        and (item.appointment_at or item.state == ItemState.DONE)
    ]
    now = timezone.now()
    booked.sort(key=lambda i: (i.appointment_at is None, i.appointment_at or now, i.pk))
    return [
        Appointment(
            when=when(item.appointment_at) if item.appointment_at else "",
            service=item.place or item.get_kind_display(),
            address=item.address,
            phone=item.phone,
        )
        for item in booked
    ]


def paper(request, pk: int):
    user = request.user
    plan = get_object_or_404(
        ExitPlan.objects.visible_to(user).select_related(
            "person", "territory", "detention__spip", "detention__cpip", "site__siae"
        ),
        pk=pk,
    )
    reads.note_read(request, plan)
    today = timezone.localdate()
    release = plan.release_on(today)
    items = plan.items_for(user)
    # Who sees the housing's structure on the plan page sees its address here.
    sees_address = plan.read_whole_by(user)
    job = next(
        (i for i in items if i.kind == ItemKind.JOB_OR_TRAINING and i.state == ItemState.DONE),
        None,
    )
    emergency = (
        Organisation.objects.filter(
            territory_id=plan.territory_id, kind=OrganisationKind.EMERGENCY_LINE
        )
        .exclude(phone="")
        .order_by("pk")
        .first()
    )
    detention = plan.detention
    return render(
        request,
        "exitplan/paper.html",
        {
            "plan": plan,
            "person": plan.person,
            "release": day(release),
            # An LSC date is only the day the person may leave, if the release is granted.
            "release_if_granted": not detention.released_on
            and release is not None
            and release != detention.end_date,
            "end_date": day(detention.end_date),
            "partial": not plan.read_whole_by(user),
            "night": night_of(plan, release=release, sees_address=sees_address),
            "appointments": appointments_of(items),
            "held": [
                i.spec.document for i in items if i.spec.document and i.state == ItemState.DONE
            ],
            "to_get": [
                {"document": i.spec.document, "helper": i.owner_label}
                for i in items
                if i.spec.document and i.state in OPEN_ITEM_STATES
            ],
            "job": job,
            "job_lines": [line.strip() for line in job.remarks.splitlines() if line.strip()]
            if job
            else [],
            "emergency": emergency,
            "spip": detention.spip,
            "cpip": detention.cpip,
            "siae": plan.site.siae if plan.site_id else None,
            "today": today,
        },
    )
