"""The exit plan (EXIT-01): one plan per detention, from detention until the person's situation
is stabilised after release, where the three partners each hold their part of the same exit —
the SIAO the roof, the SIAE the job, the SPIP the sentence and the rights.

The rules, each in one place:
- who reads a plan: `ExitPlan.objects.visible_to(user)` — the SIAO of the territory, the SPIP
  while it follows the person (JUS-13), the SIAE while the person's consent to share with it
  runs (IAE-04, IAE-06);
- which items a reader sees: `ExitPlan.items_for(user)` — an item revealing health or justice
  information (the AAH reveals a disability, the SPIP appointment a measure) is shown only to
  who reads that category (`categories_for`), and hidden whole otherwise;
- who changes an item: its owner, named at opening from the site's who-leads-what matrix
  (IAE-03), the SPIP by default (`ExitItem.may_change`);
- when an item is due: its lead time before the plan's release date, computed on each read,
  so a release date that moves re-times every due date (EXIT-02).
"""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Territory
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    noon_of,
    transition,
)
from relais.iae.enums import OPEN_STATES as OPEN_PARCOURS
from relais.iae.enums import Lead
from relais.iae.models import SIAE_ROLES, Parcours, Site
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.persons.models import Person
from relais.releases.escalations import release_date
from relais.requests.sensitivity import HEALTH, JUSTICE

from .enums import (
    DEFAULT_KINDS,
    ITEMS,
    OPEN_ITEM_STATES,
    SETTLED,
    Domain,
    ItemEventKind,
    ItemKind,
    ItemSpec,
    ItemState,
    Owner,
    PlanEventKind,
    PlanState,
)

DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)
_LEAD_OWNER = {Lead.CPIP: Owner.SPIP, Lead.SIAE: Owner.SIAE, Lead.SHARED: Owner.SHARED}


# -- who is who on a plan ---------------------------------------------------------------------


def is_spip(user, plan: "ExitPlan") -> bool:
    """A CPIP of the SPIP following the detention, while it follows it (JUS-13)."""
    return (
        user.role == Role.CPIP
        and user.organisation_id == plan.detention.spip_id
        and plan.detention.measure_runs()
    )


def is_siae(user, plan: "ExitPlan") -> bool:
    """The staff of the plan's SIAE, while the person's consent to share with it runs."""
    if user.role not in SIAE_ROLES or plan.site_id is None:
        return False
    if user.organisation_id != plan.site.siae_id:
        return False
    # Asked for every item and step of a page: read once per plan and reader.
    known = plan.__dict__.setdefault("_siae_readers", {})
    if user.pk not in known:
        known[user.pk] = (
            Parcours.objects.visible_to(user).filter(detention_id=plan.detention_id).exists()
        )
    return known[user.pk]


def is_siao(user, plan: "ExitPlan") -> bool:
    return user.role == Role.SIAO_OPERATOR and user.is_siao_of(plan.territory_id)


def categories_for(user, plan: "ExitPlan") -> set[str]:
    """The sensitive categories `user` reads on `plan`: the SIAO and the SPIP read both (they
    know the person's health and sentence); the SIAE neither (it sees the dates of the
    detention, never its judicial details; health is not its business)."""
    if user.is_superuser or is_siao(user, plan) or is_spip(user, plan):
        return {HEALTH, JUSTICE}
    return set()


# -- the plan ---------------------------------------------------------------------------------


class ExitPlanQuerySet(StatefulQuerySet):
    def visible_to(self, user) -> "ExitPlanQuerySet":
        """The one rule of who reads a plan (see the module docstring)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        match user.role:
            case Role.SIAO_OPERATOR:
                return self.filter(territory_id=user.organisation.territory_id)
            case Role.CPIP:
                return self.filter(detention__in=Detention.objects.visible_to(user))
            case Role.SIAE_COACH | Role.SIAE_SUPERVISOR:
                shared = Parcours.objects.visible_to(user).filter(
                    detention_id=OuterRef("detention_id")
                )
                return self.filter(Exists(shared), site__siae_id=user.organisation_id)
            case _:
                return self.none()


def may_open(user, detention: Detention) -> bool:
    """Who opens a plan: the SIAO of the territory and the SPIP following the detention, while
    the person is in detention or followed after release."""
    if user.is_superuser:
        return True
    if user.role == Role.SIAO_OPERATOR:
        return user.is_siao_of(detention.territory_id)
    return (
        user.role == Role.CPIP
        and user.organisation_id == detention.spip_id
        and detention.measure_runs()
    )


def _may_close(plan, user) -> bool:
    return user.is_superuser or is_spip(user, plan) or is_siao(user, plan)


def _may_first_night(plan, user) -> bool:
    return user.is_superuser or is_siao(user, plan)


def _released(plan) -> str:
    if plan.detention.state != DetentionState.RELEASED:
        return "Le plan se clôt une fois la personne libérée et sa situation stabilisée."
    return ""


class ExitPlan(Stateful):
    detention = models.OneToOneField(
        Detention, verbose_name="détention", on_delete=models.CASCADE, related_name="exit_plan"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="exit_plans"
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    # The site whose who-leads-what matrix named the owners, and whose SIAE takes part.
    site = models.ForeignKey(
        Site,
        verbose_name="site d'insertion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exit_plans",
    )
    state = models.CharField(
        "état", max_length=12, choices=PlanState.choices, default=PlanState.OPEN, editable=False
    )
    opened_at = models.DateTimeField("ouvert le", default=timezone.now, editable=False)
    stabilised_on = models.DateField("situation stabilisée le", null=True, blank=True)
    # The first night (EXIT-03), told by the SIAO.
    arrival_hours = models.CharField(
        "heures d'arrivée", max_length=120, blank=True, help_text="Par exemple : de 14 h à 18 h."
    )
    arrival_contact = models.CharField(
        "personne à demander",
        max_length=120,
        blank=True,
        help_text="Le nom de la personne qui accueille, si on le connaît.",
    )
    arrival_phone = models.CharField(
        "téléphone de l'accueil",
        max_length=30,
        blank=True,
        help_text="Sinon, celui du gestionnaire de la structure.",
    )
    arrival_note = models.TextField(
        "à savoir pour le premier soir",
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text="Une idée par ligne, en mots simples : ce qu'il faut apporter, le trajet…",
    )

    objects = ExitPlanQuerySet.as_manager()

    workflow = Workflow(
        transition(
            PlanEventKind.OPENED, "Ouvrir le plan", sources=[INITIAL], target=PlanState.OPEN
        ),
        transition(
            PlanEventKind.FIRST_NIGHT,
            "Renseigner l'accueil du premier soir",
            sources=[PlanState.OPEN],
            target=PlanState.OPEN,
            may=_may_first_night,
            denied="Le SIAO renseigne l'accueil du premier soir.",
        ),
        transition(
            PlanEventKind.STABILISED,
            "Clore : situation stabilisée",
            sources=[PlanState.OPEN],
            target=PlanState.STABILISED,
            may=_may_close,
            rule=_released,
            denied="Le SPIP ou le SIAO clôt le plan.",
        ),
        transition(
            PlanEventKind.REOPENED,
            "Rouvrir le plan",
            sources=[PlanState.STABILISED],
            target=PlanState.OPEN,
            may=_may_close,
            denied="Le SPIP ou le SIAO rouvre le plan.",
        ),
    )

    class Meta:
        verbose_name = "plan de sortie"
        verbose_name_plural = "plans de sortie"
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"Plan de sortie — {self.person}"

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def open_for(cls, detention: Detention, *, by, at: dt.datetime | None = None) -> "ExitPlan":
        """The detention's plan, opened now with its default items if it has none yet. The
        owners come from the matrix of the site where the person has a parcours."""
        existing = cls.objects.filter(detention=detention).first()
        if existing is not None:
            return existing
        site = site_of(detention)
        owners = owners_from(site)
        try:
            with transaction.atomic():
                plan, _ = cls._create(
                    PlanEventKind.OPENED,
                    by=by,
                    at=at,
                    values={
                        "detention": detention,
                        "person_id": detention.person_id,
                        "territory_id": detention.territory_id,
                        "site": site,
                    },
                )
                for kind in DEFAULT_KINDS:
                    ExitItem.plan_item(plan, kind=kind, owners=owners, by=by, at=at)
        except IntegrityError:  # opened meanwhile by another partner or the daily job
            return cls.objects.get(detention=detention)
        return plan

    def follow_site(self, *, by) -> bool:
        """A plan opened before the person's parcours joins its site: the SIAE takes part,
        and the items nobody has touched yet take the owners of the site's matrix. Returns
        whether the plan changed."""
        if self.site_id is not None:
            return False
        site = site_of(self.detention)
        if site is None:
            return False
        with transaction.atomic():
            self.site = site
            self.save(update_fields=["site"])
            owners = owners_from(site)
            for item in self.items.filter(state=ItemState.TODO):
                if item.events.count() > 1:  # taken in hand already: its owner stays
                    continue
                owner, other = item.owner_from(owners)
                if (owner, other) != (item.owner, item.owner_other):
                    item.take(ItemEventKind.DETAILS, by=by, owner=owner, owner_other=other)
        return True

    def may_add_items(self, user) -> bool:
        """The SPIP adds to an open plan the items that apply to this person only (it reads
        the health and justice items they may be)."""
        return self.state == PlanState.OPEN and (user.is_superuser or is_spip(user, self))

    def add_item(self, kind: str, *, by) -> "ExitItem":
        """An item that applies to this person only (the AAH), owned as the matrix says."""
        if kind in self.items.values_list("kind", flat=True):
            raise TransitionNotAllowed("Cet élément figure déjà dans le plan.")
        return ExitItem.plan_item(self, kind=kind, owners=owners_from(self.site), by=by)

    # -- reading ---------------------------------------------------------------------------

    def release_on(self, today: dt.date | None = None) -> dt.date | None:
        """The release date the plan is ready for (`plan_release`)."""
        return plan_release(self.detention, today or timezone.localdate())

    def items_for(self, user) -> list["ExitItem"]:
        """The items `user` may see, in the order of the catalogue."""
        readable = categories_for(user, self)
        order = list(ITEMS)
        items = [
            item
            for item in self.items.all()
            if item.spec.category is None or item.spec.category in readable
        ]
        return sorted(items, key=lambda item: order.index(item.kind))

    def read_whole_by(self, user) -> bool:
        """The SIAO and the SPIP read the plan whole: where the person will sleep (the
        structure, its address: a structure's kind may tell health or justice), the prison
        number, the health and justice items. The SIAE reads the part it shares: whether the
        housing is secured, the dates, its items."""
        return bool(categories_for(user, self))

    def set_first_night(self, *, by, **fields) -> None:
        self._apply(PlanEventKind.FIRST_NIGHT, by=by, data=dict(fields), **fields)

    def stabilise(self, *, on: dt.date, by, note: str = "") -> None:
        self._apply(
            PlanEventKind.STABILISED,
            by=by,
            note=note,
            data={"on": on.isoformat()},
            stabilised_on=on,
        )

    def reopen(self, *, by, note: str = "") -> None:
        self._apply(PlanEventKind.REOPENED, by=by, note=note, stabilised_on=None)

    def owner_label(self, owner: str, other: str = "") -> str:
        """ "SPIP de Lyon", "Tremplin (SIAE)", "Unité sanitaire (suivi par le SPIP)"."""
        spip = str(self.detention.spip)
        siae = str(self.site.siae) if self.site_id else "la SIAE"
        match owner:
            case Owner.SPIP:
                return spip
            case Owner.SIAE:
                return siae
            case Owner.SHARED:
                return f"{spip} et {siae}"
            case _:
                return f"{other or 'Autre acteur'} (suivi par {spip})"


class ReleaseDates(NamedTuple):
    """A detention's dates as `plan_release` reads them, from a values row (no detention
    loaded: many at once)."""

    released_on: dt.date | None
    due_on: dt.date | None
    end_date: dt.date | None


def plan_release(detention: "Detention | ReleaseDates", today: dt.date) -> dt.date | None:
    """The release date a detention's plan is ready for, from its dates only: the day of
    release once released; before, the next day the person may leave (an LSC date, or the end
    date once those passed); once every date passed with the person still inside, the latest
    of them. Every due date is counted back from it."""
    if detention.released_on:
        return detention.released_on
    return release_date(detention, today) or detention.end_date or detention.due_on


def site_of(detention: Detention) -> Site | None:
    """The site of the person's parcours for this detention: an open one first, the latest."""
    parcours = list(
        Parcours.objects.filter(detention=detention)
        .select_related("site")
        .order_by("-created_at", "-id")
    )
    parcours.sort(key=lambda p: p.state not in OPEN_PARCOURS)
    return parcours[0].site if parcours else None


def owners_from(site: Site | None) -> dict[str, tuple[str, str]]:
    """{row of the matrix: (owner, other actor)} read from the site's matrix (IAE-03)."""
    if site is None:
        return {}
    return {
        row.domain: (_LEAD_OWNER.get(row.lead, Owner.OTHER), row.other_actor)
        for row in site.responsibilities.all()
    }


class ExitPlanEvent(StateEvent):
    plan = models.ForeignKey(ExitPlan, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=PlanEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "événement de plan de sortie"


# -- the items --------------------------------------------------------------------------------


def _may_change(item, user) -> bool:
    return item.may_change(user)


_ALL = list(ItemState.values)
_DENIED = "Cet élément relève d'un autre partenaire : son responsable le met à jour."


class ExitItem(Stateful):
    plan = models.ForeignKey(
        ExitPlan, verbose_name="plan de sortie", on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField("élément", max_length=15, choices=ItemKind.choices)
    state = models.CharField(
        "état", max_length=12, choices=ItemState.choices, default=ItemState.TODO, editable=False
    )
    owner = models.CharField("responsable", max_length=8, choices=Owner.choices)
    owner_other = models.CharField("autre acteur", max_length=150, blank=True)
    done_on = models.DateField("fait le", null=True, blank=True, validators=DATES)
    remarks = models.TextField("précisions", blank=True, validators=[MaxLengthValidator(500)])
    # An appointment (EXIT-03): when and where.
    appointment_at = models.DateTimeField("date et heure du rendez-vous", null=True, blank=True)
    place = models.CharField("service", max_length=150, blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    objects = StatefulQuerySet.as_manager()

    S = ItemState
    workflow = Workflow(
        transition(ItemEventKind.PLANNED, "Prévoir", sources=[INITIAL], target=S.TODO),
        transition(
            ItemEventKind.STARTED,
            "Démarche commencée",
            sources=[S.TODO],
            target=S.IN_PROGRESS,
            may=_may_change,
            denied=_DENIED,
        ),
        transition(
            ItemEventKind.DONE,
            "Fait",
            sources=[S.TODO, S.IN_PROGRESS],
            target=S.DONE,
            may=_may_change,
            denied=_DENIED,
        ),
        transition(
            ItemEventKind.NOT_NEEDED,
            "Sans objet",
            sources=[S.TODO, S.IN_PROGRESS],
            target=S.NOT_NEEDED,
            may=_may_change,
            denied=_DENIED,
        ),
        transition(
            ItemEventKind.REOPENED,
            "Rouvrir",
            sources=[S.DONE, S.NOT_NEEDED],
            target=S.TODO,
            may=_may_change,
            denied=_DENIED,
        ),
        transition(
            ItemEventKind.DETAILS,
            "Enregistrer les précisions",
            sources=_ALL,
            target=None,  # the state stays
            may=_may_change,
            denied=_DENIED,
        ),
    )
    del S

    class Meta:
        verbose_name = "élément du plan de sortie"
        verbose_name_plural = "éléments du plan de sortie"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="exit_item_once_per_plan"),
            models.CheckConstraint(
                condition=~models.Q(owner=Owner.OTHER) | ~models.Q(owner_other=""),
                name="exit_item_other_owner_named",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    @classmethod
    def plan_item(cls, plan: ExitPlan, *, kind: str, owners: dict, by, at=None) -> "ExitItem":
        spec = ITEMS[kind]
        owner, other = (
            owners.get(spec.matrix_row, (Owner.SPIP, ""))
            if spec.matrix_row
            else (
                Owner.SPIP,
                "",
            )
        )
        if owner == Owner.OTHER and not other:
            owner = Owner.SPIP
        item, _ = cls._create(
            ItemEventKind.PLANNED,
            by=by,
            at=at,
            values={"plan": plan, "kind": kind, "owner": owner, "owner_other": other},
        )
        return item

    def owner_from(self, owners: dict) -> tuple[str, str]:
        """(owner, other actor) of this kind of item per the matrix read by `owners_from`;
        the SPIP when the item follows no row, or the row is missing or names nobody."""
        row = self.spec.matrix_row
        owner, other = owners.get(row, (Owner.SPIP, "")) if row else (Owner.SPIP, "")
        if owner == Owner.OTHER and not other:
            return Owner.SPIP, ""
        return owner, other

    @property
    def spec(self) -> ItemSpec:
        return ITEMS[self.kind]

    @property
    def domain(self) -> str:
        return self.spec.domain

    @property
    def settled(self) -> bool:
        return self.state in SETTLED

    def due_on(self, release: dt.date | None) -> dt.date | None:
        """Due `lead_days` before the release date (re-timed when that date moves)."""
        return None if release is None else release - dt.timedelta(days=self.spec.lead_days)

    def is_late(self, release: dt.date | None, today: dt.date) -> bool:
        due = self.due_on(release)
        return self.state in OPEN_ITEM_STATES and due is not None and due < today

    @property
    def owner_label(self) -> str:
        return self.plan.owner_label(self.owner, self.owner_other)

    def may_change(self, user) -> bool:
        """The item's owner changes it: the SPIP its own items and those of another actor it
        follows, the SIAE its own, either a shared one. The plan must be open."""
        plan = self.plan
        if plan.state != PlanState.OPEN:
            return False
        if user.is_superuser:
            return True
        if self.owner in (Owner.SPIP, Owner.OTHER):
            return is_spip(user, plan)
        if self.owner == Owner.SIAE:
            return is_siae(user, plan)
        return is_spip(user, plan) or is_siae(user, plan)

    # -- transitions -----------------------------------------------------------------------

    def take(self, step: str, *, by, on: dt.date | None = None, **details):
        """Move the item on (started, done, not needed, reopened), or record its details
        (`remarks`, and the appointment's `appointment_at`, `place`, `address`, `phone`).

        `on`: the day it was done (default today); it is when the event happened."""
        at = None
        changes = dict(details)
        if step == ItemEventKind.DONE:
            on = on or timezone.localdate()
            changes["done_on"] = on
            at = noon_of(on)
        elif step == ItemEventKind.REOPENED:
            changes["done_on"] = None
        data = {
            k: v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
            for k, v in changes.items()
        }
        target = self.state if step == ItemEventKind.DETAILS else None
        return self._apply(step, by=by, at=at, data=data, target=target, **changes)


class ExitItemEvent(StateEvent):
    item = models.ForeignKey(ExitItem, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=ItemEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "événement d'un élément du plan de sortie"


# -- readiness (EXIT-02) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    """How ready a person's exit is: housing secured, and the work and rights items settled
    out of those the reader sees."""

    opened: bool
    housing: bool
    work_done: int = 0
    work_total: int = 0
    rights_done: int = 0
    rights_total: int = 0
    late: int = 0

    @property
    def work(self) -> bool:
        return self.opened and self.work_done == self.work_total

    @property
    def rights(self) -> bool:
        return self.opened and self.rights_done == self.rights_total

    @property
    def complete(self) -> bool:
        return self.housing and self.work and self.rights

    @property
    def label(self) -> str:
        """ "Hébergement ✔ · Travail 1/2 · Droits 3/10 · 2 en retard" (screen readers read
        the words next to each sign)."""
        if not self.opened:
            return f"Hébergement {'✔' if self.housing else '✘'} · plan non ouvert"
        parts = [
            f"Hébergement {'✔' if self.housing else '✘'}",
            "Travail ✔" if self.work else f"Travail {self.work_done}/{self.work_total}",
            "Droits ✔" if self.rights else f"Droits {self.rights_done}/{self.rights_total}",
        ]
        if self.late:
            parts.append(f"{self.late} en retard")
        return " · ".join(parts)


def readiness(
    items,
    *,
    housing: bool,
    release: dt.date | None,
    today: dt.date,
    opened: bool = True,
    closed: bool = False,
) -> Readiness:
    """The readiness of a plan from its items as the reader sees them (`items_for`); a plan
    closed (the situation stabilised) has nothing late any more."""
    counts = {Domain.WORK: [0, 0], Domain.RIGHTS: [0, 0]}
    late = 0
    for item in items:
        count = counts[item.domain]
        count[1] += 1
        count[0] += item.settled
        late += not closed and item.is_late(release, today)
    return Readiness(
        opened=opened,
        housing=housing,
        work_done=counts[Domain.WORK][0],
        work_total=counts[Domain.WORK][1],
        rights_done=counts[Domain.RIGHTS][0],
        rights_total=counts[Domain.RIGHTS][1],
        late=late,
    )


# -- late items (EXIT-02) ---------------------------------------------------------------------


class LateItemAlert(models.Model):
    """A late item was told to its owner, once for its due date (relais.exitplan.jobs): a
    release date that moves gives a new due date, so a new alert if the item is late again."""

    item = models.ForeignKey(
        ExitItem, verbose_name="élément", on_delete=models.CASCADE, related_name="late_alerts"
    )
    due_on = models.DateField("dû le")
    raised_at = models.DateTimeField("signalé le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "retard signalé d'un élément du plan de sortie"
        verbose_name_plural = "retards signalés des éléments du plan de sortie"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "due_on"], name="late_item_alert_once_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} — dû le {self.due_on:%d/%m/%Y}"
