"""The daily job of the releases (JUS-06 escalations and dry exits, JUS-05 follow-up), run by
the `escalate_releases` management command. Idempotent: a second run on the same day finds
everything already recorded and sends nothing.

The rules, in one place:

- A detention's *release date* on `today` is the earliest of its earliest possible release
  (`due_on`, an LSC date or the end date) and its end date that is on or after today: an LSC
  date that passed with the person still in detention leaves the end date to be ready for.
- Nothing is raised for a person whose housing solution is secured by that date
  (`Housing.secured_by`, the one reading of `relais.releases.housing`).
- The steps of the territory (`Territory.escalation_days`, e.g. 90, 60, 30, 7 days) are timed
  on the release date. The step raised is the *latest* one due: the smallest step whose day
  (release date − step) is today or past, while the release date is still to come. Steps that
  it overtakes (the job did not run, or the date moved closer) are not recorded at all: their
  alert would say less than the one sent.
- A step is raised once per release date (`Escalation`, unique on detention + step + date). A
  release date that moves re-times every step: the new date gives new pairs, so a step due
  for the new date is raised again, and a step already passed by it is not.
- On the release day itself, with no secured solution, a dry exit (`DryExit`) is recorded
  once and the 115 of the territory is alerted with what it needs to shelter the person
  that night.
- Follow-up after release: checks at 1, 3 and 6 months after `released_on` are planned for
  each release of the last seven months, and the SIAO's référent justice is reminded once
  when a check is due and not yet answered.

Everything is read in batches (a fixed number of queries per batch of detentions), and the
whole job is one transaction: recorded and notified together, or not at all (a second run
racing it fails on the unique constraints). The notices go through
`relais.notifications.notify_all`: one in-app notice per alert and per person alerted, and
one e-mail per address listing that day's alerts, naming nobody. Jobs of the apps above the
releases (the exit plan's, EXIT-02) join the run through `run(today, also=[...])`: same
transaction, same digest, their counts in the same report — the releases import none of them.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, Territory, User
from relais.core.text import count_of
from relais.justice.dates import add_months
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.notifications.sending import Notice, notify_all

from .enums import FOLLOW_UP_MONTHS
from .housing import Housing, housing_of
from .models import DryExit, Escalation, FollowUpCheck

BATCH = 2000
# Releases older than this are no longer followed (the last check is at 6 months).
FOLLOW_UP_MONTHS_BACK = 7


@dataclass
class Report:
    escalations: int = 0
    dry_exits: int = 0
    checks_planned: int = 0
    reminders: int = 0
    # The French counts of the jobs run alongside (`run(also=...)`).
    others: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            count_of(self.escalations, "alerte avant la sortie", "alertes avant la sortie"),
            count_of(self.dry_exits, "sortie sèche"),
            count_of(self.checks_planned, "point de suivi planifié", "points de suivi planifiés"),
            count_of(self.reminders, "rappel de suivi envoyé", "rappels de suivi envoyés"),
            *self.others,
        ]
        return ", ".join(parts) + "."


def release_date(detention: Detention, today: dt.date) -> dt.date | None:
    """The next day the person may leave, on or after `today` (see the module docstring)."""
    return _next_release(detention.due_on, detention.end_date, today)


def _next_release(due_on, end_date, today: dt.date) -> dt.date | None:
    for day in sorted(d for d in (due_on, end_date) if d):
        if day >= today:
            return day
    return None


def step_due(release: dt.date, steps: list[int], today: dt.date) -> int | None:
    """The latest escalation step due on `today` for a release on `release`, or None."""
    if release <= today:
        return None
    due = [step for step in steps if release - dt.timedelta(days=step) <= today]
    return min(due) if due else None


# A job run alongside (the exit plan's, EXIT-02): given the day, it does its work and returns
# its notices and the French counts of its report.
Also = Callable[[dt.date], tuple[list[Notice], list[str]]]


def run(today: dt.date, *, also: Iterable[Also] = ()) -> Report:
    """The whole daily job for `today`, with the jobs `also` run in the same transaction and
    told in the same digest (the releases import none of them: the command hands them in)."""
    report = Report()
    territories = {t.pk: t for t in Territory.objects.all()}
    contacts = _Contacts.load()
    notices: list[Notice] = []
    with transaction.atomic():
        _escalate(today, territories, contacts, report, notices)
        _plan_follow_up(today, report)
        _remind_follow_up(today, contacts, report, notices)
        for job in also:
            more, counts = job(today)
            notices += more
            report.others += counts
        notify_all(
            notices,
            subject=f"Sorties de détention : alertes du {today:%d/%m/%Y}",
            intro=(
                f"Relais a relevé le {today:%d/%m/%Y} les situations suivantes. Les noms des "
                "personnes figurent dans vos notifications Relais."
            ),
        )
    return report


# -- who is told ------------------------------------------------------------------------------


@dataclass
class _Contacts:
    """The territory-wide recipients, read once: the SIAO's référents justice and the 115."""

    siao_referents: dict[int, list[User]]
    emergency_users: dict[int, list[User]]
    emergency_emails: dict[int, list[str]]

    @classmethod
    def load(cls) -> "_Contacts":
        referents, users, emails = defaultdict(list), defaultdict(list), defaultdict(list)
        for siao in Organisation.objects.filter(
            kind=OrganisationKind.SIAO, referent__isnull=False
        ).select_related("referent"):
            referents[siao.territory_id].append(siao.referent)
        for user in User.objects.filter(
            role=Role.EMERGENCY_LINE,
            is_active=True,
            organisation__kind=OrganisationKind.EMERGENCY_LINE,
        ).select_related("organisation"):
            users[user.organisation.territory_id].append(user)
        for line in Organisation.objects.filter(kind=OrganisationKind.EMERGENCY_LINE).exclude(
            email=""
        ):
            emails[line.territory_id].append(line.email)
        return cls(referents, users, emails)


def _alerted(detention: Detention, territory: Territory, contacts: _Contacts) -> list[User]:
    """Who an escalation goes to, per the territory's settings (JUS-02)."""
    users = []
    if territory.alerts_cpip and detention.cpip:
        users.append(detention.cpip)
    if territory.alerts_spip_referent and detention.spip.referent:
        users.append(detention.spip.referent)
    if territory.alerts_siao_referent:
        users += contacts.siao_referents.get(territory.pk, [])
    return users


# -- escalations and dry exits ----------------------------------------------------------------


def _escalate(today, territories, contacts, report: Report, notices: list) -> None:
    steps = {pk: t.escalation_days for pk, t in territories.items()}
    horizon = max((max(s, default=0) for s in steps.values()), default=0)
    window = (today, today + dt.timedelta(days=horizon))
    rows = list(
        Detention.objects.filter(state=DetentionState.IN_DETENTION)
        .filter(Q(due_on__range=window) | Q(end_date__range=window))
        .order_by("pk")
        .values_list("pk", "territory_id", "due_on", "end_date")
    )
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        _escalate_batch(batch, today, steps, territories, contacts, report, notices)


def _escalate_batch(rows, today, steps, territories, contacts, report, notices) -> None:
    """Decide from the dates and what is already recorded; read the housing solution and the
    people only for the detentions where something is due (few on an ordinary day)."""
    ids = [row[0] for row in rows]
    raised = set(
        Escalation.objects.filter(detention_id__in=ids).values_list(
            "detention_id", "step", "due_on"
        )
    )
    exited = set(
        DryExit.objects.filter(detention_id__in=ids, on=today).values_list(
            "detention_id", flat=True
        )
    )
    due: dict[int, tuple[dt.date, int | None]] = {}  # pk: (release date, step or dry exit)
    for pk, territory_id, due_on, end_date in rows:
        release = _next_release(due_on, end_date, today)
        if release == today:
            if pk not in exited:
                due[pk] = (release, None)
        elif release is not None:
            step = step_due(release, steps[territory_id], today)
            if step is not None and (pk, step, release) not in raised:
                due[pk] = (release, step)
    if not due:
        return
    housing = housing_of(due)
    unsecured = [pk for pk, (release, _) in due.items() if not housing[pk].secured_by(release)]
    escalations, dry_exits = [], []
    for detention in Detention.objects.filter(pk__in=unsecured).select_related(
        "person", "establishment", "spip", "spip__referent", "cpip"
    ):
        release, step = due[detention.pk]
        solution = housing[detention.pk]
        if step is None:
            dry_exits.append((detention, solution))
        else:
            escalations.append((detention, step, release, solution))
    Escalation.objects.bulk_create(
        Escalation(detention=d, step=step, due_on=release, solution=solution.solution)
        for d, step, release, solution in escalations
    )
    DryExit.objects.bulk_create(
        DryExit(detention=d, person_id=d.person_id, on=today, solution=solution.solution)
        for d, solution in dry_exits
    )
    for detention, _step, release, solution in escalations:
        territory = territories[detention.territory_id]
        recipients = _alerted(detention, territory, contacts)
        if recipients:
            notices.append(_escalation_notice(detention, release, solution, today, recipients))
    for detention, solution in dry_exits:
        territory = territories[detention.territory_id]
        notices.append(_dry_exit_notice(detention, solution, today, territory, contacts))
    report.escalations += len(escalations)
    report.dry_exits += len(dry_exits)


def _days(count: int) -> str:
    return f"{count} jour{'s' if count > 1 else ''}"


def _link(solution: Housing) -> tuple[str, str]:
    if solution.request is not None:
        return reverse("requests:detail", args=[solution.request.pk]), "Voir la demande"
    return reverse("notifications:list"), "Voir vos notifications"


def escalation_message(detention: Detention, release: dt.date, solution: Housing, today) -> str:
    """The in-app text of an escalation (read in Relais: it names the person)."""
    return (
        f"Sortie dans {_days((release - today).days)} sans hébergement acquis : "
        f"{detention.person}, détenu(e) à {detention.establishment} "
        f"(écrou n° {detention.prison_number}), libérable le {release:%d/%m/%Y}. "
        f"Solution d'hébergement : {solution.label.lower()}."
    )


def _escalation_notice(detention, release, solution: Housing, today, recipients) -> Notice:
    link, link_label = _link(solution)
    return Notice(
        recipients,
        message=escalation_message(detention, release, solution, today),
        mail=(
            f"Sortie dans {_days((release - today).days)} sans hébergement acquis : une "
            f"personne suivie par {detention.spip} et détenue à {detention.establishment}, "
            f"libérable le {release:%d/%m/%Y} ({solution.label.lower()})."
        ),
        link=link,
        link_label=link_label,
        about={"request": solution.request},
    )


def dry_exit_message(detention: Detention, solution: Housing, today: dt.date) -> str:
    """What the 115 needs to shelter the person tonight (in-app: it names the person)."""
    person, establishment, spip = detention.person, detention.establishment, detention.spip
    where = f"{establishment}" + (f", {establishment.address}" if establishment.address else "")
    spip_phone = f", tél. {spip.phone}" if spip.phone else ""
    cpip = ""
    if detention.cpip:
        cpip_phone = f", tél. {detention.cpip.phone}" if detention.cpip.phone else ""
        cpip = f" CPIP : {detention.cpip}{cpip_phone}."
    return (
        f"Sortie de détention sans hébergement aujourd'hui, le {today:%d/%m/%Y} : {person}, "
        f"libérable ce jour de {where} (écrou n° {detention.prison_number}). Heure de sortie : à confirmer auprès du "
        f"{spip}{spip_phone}. Téléphone de la personne : {person.phone or 'non renseigné'}."
        f"{cpip} Solution d'hébergement : {solution.label.lower()}."
    )


def _dry_exit_notice(detention, solution: Housing, today, territory, contacts) -> Notice:
    link, link_label = _link(solution)
    return Notice(
        [
            *contacts.emergency_users.get(territory.pk, []),
            *_alerted(detention, territory, contacts),
        ],
        message=dry_exit_message(detention, solution, today),
        mail=(
            f"Sortie aujourd'hui sans hébergement : une personne sort de "
            f"{detention.establishment}. Son nom, ses coordonnées et celles du SPIP sont dans "
            "vos notifications Relais."
        ),
        link=link,
        link_label=link_label,
        extra_emails=contacts.emergency_emails.get(territory.pk, []),
        about={"request": solution.request},
    )


# -- follow-up after release (JUS-05) ---------------------------------------------------------


def _plan_follow_up(today: dt.date, report: Report) -> None:
    released = (
        Detention.objects.filter(
            state=DetentionState.RELEASED,
            released_on__gte=add_months(today, -FOLLOW_UP_MONTHS_BACK),
            released_on__lte=today,
        )
        .filter(~Exists(FollowUpCheck.objects.filter(detention=OuterRef("pk"))))
        .values_list("pk", "released_on")
    )
    checks = [
        FollowUpCheck(detention_id=pk, months=months, due_on=add_months(released_on, months))
        for pk, released_on in released
        for months in FOLLOW_UP_MONTHS
    ]
    FollowUpCheck.objects.bulk_create(checks, batch_size=BATCH, ignore_conflicts=True)
    report.checks_planned += len(checks)


def _remind_follow_up(today: dt.date, contacts: _Contacts, report: Report, notices) -> None:
    due = FollowUpCheck.objects.filter(
        answered_at__isnull=True, reminded_at__isnull=True, due_on__lte=today
    ).select_related("detention", "detention__person")
    reminded = []
    for check in due:
        referents = contacts.siao_referents.get(check.detention.territory_id, [])
        if not referents:
            continue  # reminded once the territory names its référent justice
        released_on = check.detention.released_on
        notices.append(
            Notice(
                referents,
                message=(
                    f"Point de suivi à {check.months} mois de la sortie de détention de "
                    f"{check.detention.person} (libéré(e) le {released_on:%d/%m/%Y}) : "
                    "est-elle toujours hébergée ?"
                ),
                mail=(
                    f"Point de suivi à faire : une personne sortie de détention il y a "
                    f"{check.months} mois."
                ),
                link=reverse("releases:follow_up", args=[check.pk]),
                link_label="Renseigner le point de suivi",
            )
        )
        reminded.append(check.pk)
    for start in range(0, len(reminded), BATCH):
        FollowUpCheck.objects.filter(pk__in=reminded[start : start + BATCH]).update(
            reminded_at=timezone.now()
        )
    report.reminders += len(reminded)
