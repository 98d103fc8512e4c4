"""Orientation: a request placed, or waiting, in a structure's capacity; then the stay.

Every transition locks what it reads, checks the allowed source states, writes an
OrientationEvent and drives the matching Request transition (a RequestEvent naming the
structure and the orientation) in the same transaction.
"""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from relais.accounts.enums import Role
from relais.accounts.models import Territory
from relais.core.text import count_of
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    transition,
)
from relais.justice.models import Detention, JudicialArea, area_refusal
from relais.places.enums import PlaceReservation, PlaceType
from relais.places.models import PlaceCapacity, Structure
from relais.places.signals import places_freed
from relais.requests import sensitivity
from relais.requests.enums import Channel, EventKind, RequestStatus
from relais.requests.models import Request

from . import notifications, offer
from .enums import EndDestination, EndReason, OrientationState, RefusalReason
from .enums import OrientationEventKind as Kind

State = OrientationState

MANAGER_ONLY = "Seule la structure décide de l'admission et enregistre le séjour."
SIAO_ONLY = "Seul le SIAO du territoire oriente une demande et modifie une orientation."
# Who may ask for an orientation step: the structure's manager, or the territory's SIAO.
BY_MANAGER = {"may": lambda o, user: user.manages(o.structure), "denied": MANAGER_ONLY}
BY_SIAO = {"may": lambda o, user: user.is_siao_of(o.request.territory_id), "denied": SIAO_ONLY}

# The request transition each orientation step drives (None: the request's status stays).
REQUEST_STEP = {
    Kind.ATTRIBUTED: EventKind.ORIENTED,
    Kind.PREPOSITIONED: EventKind.PREPOSITIONED,
    Kind.DIRECT_ADMISSION: EventKind.DIRECT_ADMISSION,
    Kind.CONFIRMED: EventKind.ORIENTED,
    Kind.RESERVED: EventKind.ORIENTED,
    Kind.ADMITTED: EventKind.ADMITTED,
    Kind.REFUSED: EventKind.ORIENTATION_REFUSED,
    Kind.CANCELLED: EventKind.ORIENTATION_CANCELLED,
    Kind.STAY_STARTED: None,
    Kind.STAY_ENDED: EventKind.STAY_ENDED,
    # JUS-03: a new request is admitted at once; an evaluated one is oriented then admitted
    # (Orientation._move_placed_request).
    Kind.PE_PLACEMENT: EventKind.DIRECT_ADMISSION,
}

URGENT_FREE, URGENT_FREE_PLURAL = "place d'urgence libre", "places d'urgence libres"


# The order of a waiting list (SIAO-12): the request's date, then its creation.
SENIORITY = ("request__requested_on", "request__created_at", "request_id")

# JUS-06: the default window of a reservation, around the detention's expected release date.
WINDOW_BEFORE = dt.timedelta(days=7)
WINDOW_AFTER = dt.timedelta(days=14)
# The day on which every reservation counts, whatever its window (see Orientation.reserve).
EVERY_RESERVATION = dt.date.max
# What a structure learns of a judicial constraint (JUS-01): that one exists, never which.
GEOGRAPHIC_CONSTRAINT = (
    "Contrainte géographique : une mesure judiciaire de la personne exclut cette structure. "
    "Le SIAO vous indiquera une autre solution."
)


class NoVacancy(TransitionNotAllowed):
    """The capacity has no free place left for this household."""


class OrientationQuerySet(StatefulQuerySet):
    def active(self) -> "OrientationQuerySet":
        return self.filter(state__in=State.active())

    def holding_places(self, on: dt.date | None = None) -> "OrientationQuerySet":
        """Attributed (the structure is deciding), admitted and in stay, on `on` (default
        today). A pre-positioned request (waiting) holds none: it waits for one (SIAO-12). A
        place reserved for a window (JUS-06) is held only from the window's start: before, it
        stays usable; a person who arrived holds it whatever the window."""
        on = on or timezone.localdate()
        return self.filter(state__in=State.holding_a_place()).filter(
            Q(state=State.IN_STAY) | Q(window_starts_on__isnull=True) | Q(window_starts_on__lte=on)
        )

    def reservations(self) -> "OrientationQuerySet":
        """Places reserved for a window and not yet taken up: attributed or pre-admitted."""
        return self.filter(
            state__in=[State.PROPOSED, State.ADMITTED], window_starts_on__isnull=False
        )

    def windows_passed(self, today: dt.date) -> "OrientationQuerySet":
        """Reservations whose window ended before `today` with no arrival (JUS-06)."""
        return self.reservations().filter(window_ends_on__lt=today)

    def waiting_list(self) -> "OrientationQuerySet":
        """Pre-positioned orientations in the order they are served: by seniority, the date of
        the request first (SI-SIAO's main priority criterion), then when it was made (SIAO-12)."""
        return self.filter(state=State.WAITING).order_by(*SENIORITY)

    def overdue(self, today: dt.date | None = None) -> "OrientationQuerySet":
        """Orientations waiting for a step beyond their territory's delay on `today`: attributed
        with no decision from the structure, or accepted with no arrival recorded."""
        today = today or timezone.localdate()
        late = Q(pk__in=[])
        for territory_id, days in Territory.objects.values_list("pk", "decision_delay_days"):
            limit = timezone.make_aware(
                dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min)
            )
            late |= Q(structure__territory_id=territory_id) & (
                Q(state=State.PROPOSED, proposed_at__lt=limit)
                | Q(state=State.ADMITTED, decided_at__lt=limit, window_ends_on__isnull=True)
            )
        return self.filter(late)

    def hosted(self) -> "OrientationQuerySet":
        """People admitted or in stay: the list the SIAO always has (SIAO-16)."""
        return self.filter(state__in=[State.ADMITTED, State.IN_STAY])

    def visible_to(self, user) -> "OrientationQuerySet":
        """A structure manager sees the orientations to its own structures (SIAO-21); the
        others see the orientations of the requests they may see."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.STRUCTURE_MANAGER:
            if not user.organisation_id:
                return self.none()
            return self.filter(structure__manager_id=user.organisation_id)
        return self.filter(request__in=Request.objects.visible_to(user))


class Orientation(Stateful):
    request = models.ForeignKey(
        Request, verbose_name="demande", on_delete=models.PROTECT, related_name="orientations"
    )
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="orientations"
    )
    capacity = models.ForeignKey(
        PlaceCapacity,
        verbose_name="places",
        on_delete=models.PROTECT,
        related_name="orientations",
    )
    places = models.PositiveSmallIntegerField("places occupées", default=1)
    state = models.CharField("état", max_length=10, choices=State.choices, editable=False)
    is_direct_admission = models.BooleanField("admission directe", default=False, editable=False)
    note = models.TextField("commentaire du SIAO", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    prepositioned_at = models.DateTimeField("prépositionnée le", null=True, blank=True)
    proposed_at = models.DateTimeField("attribuée le", null=True, blank=True)
    decided_at = models.DateTimeField("décision de la structure le", null=True, blank=True)
    stay_started_at = models.DateTimeField("arrivée le", null=True, blank=True)
    ended_at = models.DateTimeField("sortie le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)
    refusal_reason = models.CharField(
        "motif du refus", max_length=20, choices=RefusalReason.choices, blank=True
    )
    refusal_comment = models.TextField("précisions sur le refus", blank=True)
    end_destination = models.CharField(
        "destination à la sortie", max_length=20, choices=EndDestination.choices, blank=True
    )
    end_reason = models.CharField(
        "motif de la sortie", max_length=20, choices=EndReason.choices, blank=True
    )
    cancel_reason = models.TextField("motif de l'annulation", blank=True)
    # A place held for a date window around a release date (JUS-06, the Dordogne practice):
    # the places count as held only from the window's start.
    window_starts_on = models.DateField("place réservée à partir du", null=True, blank=True)
    window_ends_on = models.DateField("jusqu'au", null=True, blank=True)

    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["capacity", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="orientation_places_positive"),
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(state__in=State.active()),
                name="orientation_one_active_per_request",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.WAITING) | Q(prepositioned_at__isnull=False),
                name="orientation_waiting_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.PROPOSED) | Q(proposed_at__isnull=False),
                name="orientation_proposed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.ADMITTED)
                | Q(proposed_at__isnull=False, decided_at__isnull=False),
                name="orientation_admitted_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.IN_STAY)
                | Q(decided_at__isnull=False, stay_started_at__isnull=False),
                name="orientation_in_stay_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.ENDED)
                | (
                    Q(stay_started_at__isnull=False, ended_at__isnull=False)
                    & ~Q(end_destination="")
                ),
                name="orientation_ended_has_date_and_destination",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.REFUSED)
                | (Q(decided_at__isnull=False) & ~Q(refusal_reason="")),
                name="orientation_refused_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.CANCELLED) | Q(cancelled_at__isnull=False),
                name="orientation_cancelled_has_date",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(stay_started_at__isnull=True)
                | Q(ended_at__gte=F("stay_started_at")),
                name="orientation_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} — {self.structure} — demande n° {self.request_id}"

    # -- reading ----------------------------------------------------------------------

    def refusal_for(self, user) -> str:
        """Why the structure refused, for who may read it (SIAO-20); empty for the others,
        who see only that the admission was refused."""
        if not self.refusal_reason or not sensitivity.reads_orientation_decisions(user, self):
            return ""
        text = self.get_refusal_reason_display()
        return f"{text} — {self.refusal_comment}" if self.refusal_comment else text

    def end_destination_for(self, user) -> str:
        """Where the stay led, in a category that reveals nothing judicial or medical to who
        may not read it (SIAO-20)."""
        if not self.end_destination:
            return ""
        full = sensitivity.reads_orientation_decisions(user, self)
        if sensitivity.discloses_destination(self.end_destination, full=full):
            return self.get_end_destination_display()
        return sensitivity.UNDISCLOSED_DESTINATION

    def end_of_stay_for(self, user) -> str:
        """The end of stay's reason and destination as `user` may read them."""
        if not self.end_destination:
            return ""
        return f"{self.get_end_reason_display()} — {self.end_destination_for(user)}"

    def note_for(self, user, event) -> str:
        """An event's note, as `user` may read it: the free notes of a refusal or an end of
        stay are kept to who reads the decision (SIAO-20)."""
        if sensitivity.reads_orientation_decisions(user, self):
            return event.note
        if event.kind == Kind.REFUSED:
            return ""
        if event.kind == Kind.STAY_ENDED:
            return self.end_of_stay_for(user)
        return event.note

    @property
    def can_be_refused(self) -> bool:
        """SIAO-13: in urgence the structure cannot refuse, unless it is (or has status of) a
        CHRS."""
        return self.request.channel != Channel.EMERGENCY or self.structure.is_chrs

    @property
    def is_active(self) -> bool:
        return self.state in State.active()

    # -- a place held for a date window (JUS-06) and judicial areas (JUS-04) ------------

    @property
    def is_reservation(self) -> bool:
        return self.window_starts_on is not None

    @staticmethod
    def default_window(detention: Detention, *, today: dt.date | None = None):
        """(start, end) around the detention's expected release date: from 7 days before to
        14 days after, not starting before today. None when no release date is known."""
        day = detention.released_on or detention.due_on
        if day is None:
            return None
        today = today or timezone.localdate()
        start = max(day - WINDOW_BEFORE, today)
        return start, max(day + WINDOW_AFTER, start)

    def release_outside_window(self) -> dt.date | None:
        """The detention's release date (actual, else expected) when it lies outside the
        window of a reservation still waiting for the person; None when it fits."""
        if self.state not in (State.PROPOSED, State.ADMITTED) or not self.is_reservation:
            return None
        detention = self.request.detention if self.request.detention_id else None
        day = detention and (detention.released_on or detention.due_on)
        if day is None or self.window_starts_on <= day <= self.window_ends_on:
            return None
        return day

    def window_flag_for(self, user) -> str:
        """The flag of a reservation whose release date left the window, as `user` may read
        it: the date itself only for who reads the detention (JUS-01)."""
        day = self.release_outside_window()
        if day is None:
            return ""
        flag = "Date de sortie hors période"
        if Detention.objects.visible_to(user).filter(pk=self.request.detention_id).exists():
            flag += f" : sortie prévue le {day:%d/%m/%Y}"
        return (
            f"{flag} (place réservée du {self.window_starts_on:%d/%m/%Y} au "
            f"{self.window_ends_on:%d/%m/%Y}). Le SIAO confirme une nouvelle période ou libère "
            "la place."
        )

    def judicial_areas(self) -> list[JudicialArea]:
        """The areas of the request's detention while its judicial measure runs."""
        return judicial_areas_of(self.request)

    def judicial_area_refusal(self) -> str:
        """JUS-04, the one check of every path that puts a request in a structure: why the
        structure's commune breaks the judicial constraints of the request's detention
        (named), or ""."""
        if self.structure_id is None or self.request_id is None:
            return ""
        why = area_refusal(self.judicial_areas(), self.structure.commune_insee_code)
        if not why:
            return ""
        return (
            f"« {self.structure} » ne peut pas accueillir cette personne — {why.rstrip('.')}. "
            "Choisissez une place qui respecte ses contraintes judiciaires."
        )

    def reservation_rule(self) -> str:
        if self.request_id is not None and not self.request.detention_id:
            return (
                "Une place se réserve sur une période pour une personne en détention : "
                "liez d'abord la demande à sa détention."
            )
        return self.judicial_area_refusal() or self.offer_refusal()

    def offer_refusal(self, *, placement: bool = False) -> str:
        """JUS-03, JUS-12: why these places may not be offered to this request (reserved for
        people leaving detention, flying, placement à l'extérieur), or "" — the one rule of
        `relais.orientations.offer`. `placement`: the SPIP's placement à l'extérieur."""
        if self.capacity_id is None or self.request_id is None:
            return ""
        return offer.offer_refusal(self.capacity, self.request, placement=placement)

    @property
    def is_placement_outside(self) -> bool:
        """On placement à l'extérieur places (JUS-03): recorded by the SPIP."""
        return self.capacity.reservation == PlaceReservation.PLACEMENT

    def placement_rule(self) -> str:
        """JUS-03: on placement places, under an agreement in force on the arrival date, for
        a person whose detention is followed by the SPIP that signed it."""
        if refusal := self.offer_refusal(placement=True):
            return refusal
        agreement = self.capacity.pe_agreement
        if agreement is None:
            return offer.ONLY_PLACEMENT
        day = timezone.localdate(self.stay_started_at) if self.stay_started_at else None
        if day is not None and not agreement.in_force(day):
            return (
                f"La convention n'est pas en vigueur le {day:%d/%m/%Y} (valable du "
                f"{agreement.starts_on:%d/%m/%Y} au {agreement.ends_on:%d/%m/%Y})."
            )
        detention = self.request.detention if self.request.detention_id else None
        if detention is None or detention.spip_id != agreement.spip_id:
            return (
                "Un placement à l'extérieur concerne une personne dont la détention est suivie "
                "par le SPIP signataire de la convention : liez la demande à cette détention."
            )
        return self.judicial_area_refusal()

    def placement_may(self, user) -> bool:
        """JUS-03: the CPIPs of the SPIP that signed the agreement record its placements."""
        agreement = self.capacity.pe_agreement if self.capacity_id else None
        return self.may_place_under(agreement, user)

    @staticmethod
    def may_place_under(agreement, user) -> bool:
        """Only a CPIP of the signing SPIP (not even the superuser: a SPIP's act)."""
        return (
            user.role == Role.CPIP
            and agreement is not None
            and user.organisation_id == agreement.spip_id
        )

    def window_change_rule(self) -> str:
        if not self.is_reservation:
            return "Seule une place réservée sur une période a une période à changer."
        return self.judicial_area_refusal()

    @classmethod
    def openings_for(cls, request: Request, user) -> set[str]:
        """The ways `user` may open an orientation for `request` now (attribute, pre-position,
        reserve over a window for a request linked to a detention):
        the orientation's step must be theirs, and the request's matching transition allowed
        in its current status. Empty for a request no longer orientable (SIAO-11)."""
        draft = cls(request=request)
        kinds = (Kind.ATTRIBUTED, Kind.PREPOSITIONED, Kind.RESERVED)
        opening = [draft.workflow[kind] for kind in kinds]
        return {
            step.name
            for step in opening
            if not step.refusal(draft)
            and step.may(draft, user)
            and request.can(REQUEST_STEP[step.name])
        }

    @staticmethod
    def places_needed(request: Request) -> int:
        """The whole household goes together: one place per member."""
        return max(request.household.members.count(), 1)

    @property
    def waiting_since(self) -> dt.datetime | None:
        """Since when the orientation waits for the structure: its decision, or the arrival."""
        if self.state == State.PROPOSED:
            return self.proposed_at
        if self.state == State.ADMITTED:
            return self.decided_at
        return None

    # -- the waiting list (SIAO-12) -----------------------------------------------------

    @classmethod
    def waiting_ranks(cls, capacity_ids) -> dict[int, int]:
        """The rank (1: served next) of every pre-positioned orientation on these places."""
        ranks: dict[int, int] = {}
        seen: dict[int, int] = {}
        queue = cls.objects.filter(capacity_id__in=set(capacity_ids)).waiting_list()
        for pk, capacity_id in queue.values_list("pk", "capacity_id"):
            seen[capacity_id] = ranks[pk] = seen.get(capacity_id, 0) + 1
        return ranks

    def _seniority(self) -> tuple:
        return (self.request.requested_on, self.request.created_at, self.request_id)

    def waiting_ahead(self) -> list["Orientation"]:
        """The pre-positioned orientations on the same places whose request is older: they
        are served before this one."""
        mine = self._seniority()
        queue = (
            Orientation.objects.filter(capacity_id=self.capacity_id)
            .exclude(pk=self.pk)
            .waiting_list()
            .select_related("request")
        )
        return [other for other in queue if other._seniority() < mine]

    def seniority_rule(self) -> str:
        """SIAO-12: a freed place goes to the oldest waiting request it fits.

        Serve the older pre-positionings first, in order, each that the free places fit (a
        family of four waiting does not keep a single place empty); refused when they would
        leave too few places for this one. "" when it may be served now, or when no places
        are chosen yet (an opening offered on the request page)."""
        if self.capacity_id is None:
            return ""
        left = self.capacity.vacant_places()
        for other in self.waiting_ahead():
            if other.places > left:
                continue
            left -= other.places
            if left < self.places:
                return (
                    f"La demande n° {other.request_id} (du "
                    f"{other.request.requested_on:%d/%m/%Y}), prépositionnée sur ces places, "
                    "est plus ancienne : la place libérée lui revient d'abord (rang 1 de la "
                    "liste d'attente). Attribuez-la, ou annulez son prépositionnement."
                )
        return ""

    # -- dates as they happened ---------------------------------------------------------

    def arrival_refusal(self, at: dt.datetime) -> str:
        """Why an arrival at `at` cannot be recorded, or "": not in the future, not before the
        orientation was opened (attribution or pre-positioning). The decision and the SIAO's
        confirmation are often clicked after the person came: they do not bound it."""
        if at > timezone.now():
            return "L'arrivée ne peut pas être enregistrée dans le futur."
        opened = self.created_at.replace(second=0, microsecond=0)
        if at < opened:
            return (
                "L'arrivée ne peut pas précéder l'orientation vers la structure "
                f"({timezone.localtime(self.created_at):%d/%m/%Y à %H:%M})."
            )
        return ""

    def departure_refusal(self, at: dt.datetime) -> str:
        """Why an end of stay at `at` cannot be recorded, or "": not in the future, not before
        the arrival, nor before the admission (the request's history must stay in order)."""
        if at > timezone.now():
            return "Une fin de séjour s'enregistre une fois la sortie faite : pas de date future."
        if self.stay_started_at and at < self.stay_started_at:
            return (
                "La date de sortie précède l'arrivée dans la structure "
                f"({timezone.localtime(self.stay_started_at):%d/%m/%Y à %H:%M})."
            )
        if self.decided_at and at < self.decided_at:
            return (
                "La date de sortie précède l'admission enregistrée dans Relais "
                f"({timezone.localtime(self.decided_at):%d/%m/%Y à %H:%M})."
            )
        return ""

    # -- creation: attribute, pre-position, direct admission ----------------------------

    @classmethod
    def attribute(
        cls,
        *,
        request: Request,
        capacity: PlaceCapacity,
        by,
        note: str = "",
        at: dt.datetime | None = None,
    ) -> "Orientation":
        """Attribution (SIAO-11, 14): hold a free place for the household; the structure
        then decides. Refused, with a message for the operator, when no place is free."""
        at = at or timezone.now()
        with transaction.atomic():
            # The capacity row is the lock every attribution to it queues on (SEC-05): the
            # vacancy count below then sees every attribution committed before ours.
            capacity = _lock_capacity(capacity)
            _check_territory(request, capacity)
            waiting = _previous_active(request, allow_waiting=True)
            if waiting and waiting.capacity_id == capacity.pk:
                return waiting.confirm_place(by=by, note=note, at=at)
            places = cls.places_needed(request)
            _check_vacancy(capacity, places)
            if waiting:
                waiting.cancel(
                    by=by, reason="Remplacé par une attribution.", at=at, keep_requests=True
                )
            orientation = cls._open(
                Kind.ATTRIBUTED,
                request=request,
                capacity=capacity,
                places=places,
                by=by,
                at=at,
                note=note,
                proposed_at=at,
            )
            orientation._move_requests(Kind.ATTRIBUTED, by=by, at=at, note=note, first=True)
            notifications.attributed(orientation)
        return orientation

    @classmethod
    def preposition(
        cls,
        *,
        request: Request,
        capacity: PlaceCapacity,
        by,
        note: str = "",
        at: dt.datetime | None = None,
    ) -> "Orientation":
        """SIAO-12: attribute a place whatever the vacancies; the request waits for it. The
        only way past a full capacity, and it holds no place until confirmed."""
        at = at or timezone.now()
        with transaction.atomic():
            _check_territory(request, capacity)
            _previous_active(request, allow_waiting=False)
            orientation = cls._open(
                Kind.PREPOSITIONED,
                request=request,
                capacity=capacity,
                places=cls.places_needed(request),
                by=by,
                at=at,
                note=note,
                prepositioned_at=at,
            )
            orientation._move_requests(Kind.PREPOSITIONED, by=by, at=at, note=note, first=True)
            notifications.prepositioned(orientation)
        return orientation

    @classmethod
    def reserve(
        cls,
        *,
        request: Request,
        capacity: PlaceCapacity,
        by,
        starts_on: dt.date,
        ends_on: dt.date,
        note: str = "",
        at: dt.datetime | None = None,
    ) -> "Orientation":
        """JUS-06, the Dordogne practice: hold a place over a window around the release of
        a person in detention; the structure pre-admits (admit / refuse, as an attribution).

        The places count as held from the window's start only, so that they stay usable
        before (`holding_places`). Reservations among themselves are checked as if each had
        started: a reservation never counts on a place another one holds for a later window.
        Under the capacity lock every attribution queues on (SEC-05)."""
        at = at or timezone.now()
        if refusal := _window_refusal(starts_on, ends_on):
            raise TransitionNotAllowed(refusal)
        with transaction.atomic():
            capacity = _lock_capacity(capacity)
            _check_territory(request, capacity)
            waiting = _previous_active(request, allow_waiting=True)
            places = cls.places_needed(request)
            _check_vacancy(capacity, places, on=EVERY_RESERVATION)
            text = f"Place réservée du {starts_on:%d/%m/%Y} au {ends_on:%d/%m/%Y}."
            text = f"{text} {note}".strip()
            if waiting:  # a reservation takes the place of a pre-positioning
                waiting.cancel(
                    by=by, reason="Remplacé par une réservation.", at=at, keep_requests=True
                )
            orientation = cls._open(
                Kind.RESERVED,
                request=request,
                capacity=capacity,
                places=places,
                by=by,
                at=at,
                note=note,
                event_note=text,
                proposed_at=at,
                window_starts_on=starts_on,
                window_ends_on=ends_on,
            )
            orientation._move_requests(Kind.RESERVED, by=by, at=at, note=text, first=True)
            notifications.reserved(orientation)
        return orientation

    @classmethod
    def admit_directly(
        cls, *, request: Request, by, at: dt.datetime, structure: Structure | None = None
    ) -> "Orientation":
        """SIAO-04: the person turned up and was admitted in urgence; the structure records
        the stay afterwards. Like an attribution it takes a free urgence place, under the
        same lock, never beyond the capacity; the whole household is admitted together."""
        structure = structure or request.host_structure
        if at > timezone.now():
            raise TransitionNotAllowed(
                "Une admission directe s'enregistre après coup : la date ne peut pas être future."
            )
        if request.channel != Channel.EMERGENCY:
            raise TransitionNotAllowed("Une admission directe concerne une demande d'urgence.")
        with transaction.atomic():
            # Reserved places only for who they are kept for (JUS-12); never PE places.
            capacities = [
                _lock_capacity(capacity)
                for capacity in structure.capacities.filter(place_type=PlaceType.EMERGENCY)
                .offered_as(offer.reservations_open_to(request))
                .order_by("is_winter_only", "pk")
            ]
            kept = structure.capacities.filter(place_type=PlaceType.EMERGENCY).exclude(
                reservation=PlaceReservation.ORDINARY
            )
            if not capacities and kept.exists():
                raise TransitionNotAllowed(
                    f"Les places d'urgence de « {structure} » sont gardées (places réservées aux "
                    "sortants de détention, places volantes ou placement à l'extérieur) : elles "
                    "ne servent pas à cette admission directe. Appelez le SIAO pour l'orienter."
                )
            if not capacities:
                raise TransitionNotAllowed(
                    f"« {structure} » n'a pas de places d'urgence inscrites au registre : une "
                    "admission directe doit occuper une place. Demandez au SIAO d'inscrire ces "
                    "places au registre, puis enregistrez l'admission."
                )
            _check_territory(request, capacities[0])
            _previous_active(request, allow_waiting=False)
            places = cls.places_needed(request)
            capacity = next((c for c in capacities if c.vacant_places() >= places), None)
            if capacity is None:
                vacant = sum(max(c.vacant_places(), 0) for c in capacities)
                raise NoVacancy(
                    f"« {structure} » n'a {count_of(vacant, URGENT_FREE, URGENT_FREE_PLURAL)} "
                    f"pour ce ménage de {count_of(places, 'personne')}. Si la personne est bien hébergée en plus des "
                    "places prévues, déclarez d'abord la place supplémentaire (page de la "
                    "structure, « Places » : rendez une place indisponible de nouveau "
                    "disponible, ou demandez au SIAO d'augmenter la capacité), puis "
                    "enregistrez l'admission."
                )
            orientation = cls._open(
                Kind.DIRECT_ADMISSION,
                request=request,
                capacity=capacity,
                places=places,
                by=by,
                at=at,
                is_direct_admission=True,
                proposed_at=at,
                decided_at=at,
                stay_started_at=at,
            )
            orientation._move_requests(Kind.DIRECT_ADMISSION, by=by, at=at, first=True)
        return orientation

    @classmethod
    def place_outside(
        cls,
        *,
        request: Request,
        capacity: PlaceCapacity,
        by,
        at: dt.datetime | None = None,
        note: str = "",
    ) -> "Orientation":
        """JUS-03: the SPIP records a placement à l'extérieur on the places its agreement
        dedicates: the stay starts at once (no SIAO attribution, no decision of the
        structure, which signed the agreement). The places are held like any stay's, under
        the capacity lock every attribution queues on (SEC-05); the request follows
        (`_move_placed_request`), so that the timeline, the stays and the vacancies read it
        like any other."""
        at = at or timezone.now()
        if at > timezone.now():
            raise TransitionNotAllowed(
                "Un placement à l'extérieur s'enregistre une fois la personne arrivée : pas "
                "de date future."
            )
        with transaction.atomic():
            capacity = _lock_capacity(capacity)
            draft = cls(request=request, structure=capacity.structure, capacity=capacity)
            step = cls.workflow[Kind.PE_PLACEMENT]
            if not step.may(draft, by):
                raise TransitionNotAllowed(step.denied)
            _check_territory(request, capacity)
            _previous_active(request, allow_waiting=False)
            places = cls.places_needed(request)
            _check_vacancy(capacity, places)
            text = f"Placement à l'extérieur — convention « {capacity.pe_agreement} »."
            text = f"{text} {note}".strip()
            orientation = cls._open(
                Kind.PE_PLACEMENT,
                request=request,
                capacity=capacity,
                places=places,
                by=by,
                at=at,
                note=note,
                event_note=text,
                proposed_at=at,
                decided_at=at,
                stay_started_at=at,
            )
            orientation._move_placed_request(by=by, at=at, note=text)
        return orientation

    def _move_placed_request(self, *, by, at: dt.datetime, note: str) -> None:
        """The request of a placement à l'extérieur: a new one is admitted at once; one
        already evaluated (or waiting) is oriented, then admitted, here."""
        request = Request.objects.get(pk=self.request_id)
        if request.status == RequestStatus.NEW:
            request._follow(EventKind.DIRECT_ADMISSION, orientation=self, by=by, at=at, note=note)
            return
        request._follow(EventKind.ORIENTED, orientation=self, by=by, at=at, note=note)
        request = Request.objects.get(pk=self.request_id)
        request._follow(EventKind.ADMITTED, orientation=self, by=by, at=at, note=note)

    @classmethod
    def _open(
        cls,
        name: str,
        *,
        request: Request,
        capacity: PlaceCapacity,
        by,
        at,
        note="",
        event_note: str | None = None,
        **f,
    ):
        orientation, _ = cls._create(
            name,
            by=by,
            at=at,
            note=note if event_note is None else event_note,
            values={
                "request": request,
                "structure": capacity.structure,
                "capacity": capacity,
                "created_by": by,
                "created_at": at,
                "note": note,
                **f,
            },
        )
        return orientation

    # -- transitions ------------------------------------------------------------------

    def confirm_place(self, *, by, note: str = "", at: dt.datetime | None = None) -> "Orientation":
        """A pre-positioned request gets its place: waiting → attributed, if a place is free."""
        at = at or timezone.now()
        with transaction.atomic():
            capacity = _lock_capacity(self.capacity)
            locked = self.lock()
            if locked.state == State.WAITING:
                _check_vacancy(capacity, locked.places)
            locked, _ = self._apply(
                Kind.CONFIRMED, by=by, at=at, note=note, locked=locked, proposed_at=at
            )
            locked._move_requests(Kind.CONFIRMED, by=by, at=at, note=note)
            notifications.attributed(locked)
        return self

    def change_window(
        self,
        *,
        by,
        starts_on: dt.date,
        ends_on: dt.date,
        note: str = "",
        at: dt.datetime | None = None,
    ) -> "Orientation":
        """JUS-06: the SIAO confirms a new window for a reservation (the release date moved),
        checked again against the places under the capacity lock; the structure is told.
        The reservation keeps its state: attributed, or pre-admitted."""
        at = at or timezone.now()
        if refusal := _window_refusal(starts_on, ends_on):
            raise TransitionNotAllowed(refusal)
        with transaction.atomic():
            capacity = _lock_capacity(self.capacity)
            locked = self.lock()
            if refusal := locked.workflow[Kind.WINDOW_CHANGED].refusal(locked):
                raise TransitionNotAllowed(refusal)
            _check_vacancy(capacity, locked.places, on=EVERY_RESERVATION, own=locked.places)
            text = (
                f"Période changée : du {starts_on:%d/%m/%Y} au {ends_on:%d/%m/%Y} (au lieu "
                f"du {locked.window_starts_on:%d/%m/%Y} au {locked.window_ends_on:%d/%m/%Y})."
            )
            text = f"{text} {note}".strip()
            locked, _ = self._apply(
                Kind.WINDOW_CHANGED,
                by=by,
                at=at,
                note=text,
                locked=locked,
                target=locked.state,
                data={"from": [str(locked.window_starts_on), str(locked.window_ends_on)]},
                window_starts_on=starts_on,
                window_ends_on=ends_on,
            )
            notifications.window_changed(locked)
        return self

    def admit(self, *, by, at: dt.datetime | None = None, note: str = "") -> "Orientation":
        """The structure accepts: affectation (SIAO-14). The referrer and the 115 are told."""
        at = at or timezone.now()
        with transaction.atomic():
            locked, _ = self._apply(Kind.ADMITTED, by=by, at=at, note=note, decided_at=at)
            locked._move_requests(Kind.ADMITTED, by=by, at=at, note=note)
            notifications.decided(locked)
        return self

    def refuse(
        self, *, by, reason: str, comment: str = "", at: dt.datetime | None = None
    ) -> "Orientation":
        """The structure refuses, with a reason from the list (SIAO-14)."""
        at = at or timezone.now()
        if reason not in RefusalReason.values:
            raise TransitionNotAllowed("Choisissez le motif du refus dans la liste.")
        if reason == RefusalReason.OTHER and not comment.strip():
            raise TransitionNotAllowed("Précisez le motif du refus.")
        note = f"{RefusalReason(reason).label}. {comment}".strip()
        with transaction.atomic():
            locked, _ = self._apply(
                Kind.REFUSED,
                by=by,
                at=at,
                note=note,
                decided_at=at,
                refusal_reason=reason,
                refusal_comment=comment,
            )
            locked._move_requests(Kind.REFUSED, by=by, at=at, note=note)
            notifications.decided(locked)
            locked._freed("admission refusée")
        return self

    def cancel(
        self,
        *,
        by,
        reason: str,
        at: dt.datetime | None = None,
        keep_requests: bool = False,
        request_closing: bool = False,
    ) -> "Orientation":
        """The SIAO withdraws an attribution or a pre-positioning, or the person never came.

        `keep_requests`: a new attribution replaces this one (the requests move on with it);
        `request_closing`: the principal request is being closed by its own transition.
        """
        at = at or timezone.now()
        if not reason.strip():
            raise TransitionNotAllowed("Indiquez le motif de l'annulation.")
        with transaction.atomic():
            locked, event = self._apply(
                Kind.CANCELLED, by=by, at=at, note=reason, cancelled_at=at, cancel_reason=reason
            )
            if not keep_requests:
                locked._move_requests(
                    Kind.CANCELLED, by=by, at=at, note=reason, skip_principal=request_closing
                )
            notifications.cancelled(locked)
            if event.from_state in State.holding_a_place():
                locked._freed("orientation annulée")
        return self

    def start_stay(self, *, by, at: dt.datetime | None = None) -> "Orientation":
        """The person arrives in the structure."""
        at = at or timezone.now()
        with transaction.atomic():
            locked = self.lock()
            if locked.state == State.ADMITTED and (refusal := locked.arrival_refusal(at)):
                raise TransitionNotAllowed(refusal)
            locked, _ = self._apply(
                Kind.STAY_STARTED, by=by, at=at, locked=locked, stay_started_at=at
            )
            for request in locked._requests(Kind.STAY_STARTED):
                request.record_event(
                    kind=EventKind.STAY_STARTED,
                    by=by,
                    at=at,
                    data={"orientation": locked.pk, "structure": locked.structure_id},
                )
        return self

    def end_stay(
        self,
        *,
        by,
        at: dt.datetime,
        destination: str,
        reason: str,
        note: str = "",
    ) -> "Orientation":
        """End of stay (SIAO-16): date, destination and reason; the place is free again."""
        if destination not in EndDestination.values:
            raise TransitionNotAllowed("Choisissez la destination à la sortie dans la liste.")
        if reason not in EndReason.values:
            raise TransitionNotAllowed("Choisissez le motif de la sortie dans la liste.")
        text = f"{EndReason(reason).label} — {EndDestination(destination).label}"
        if note:
            text += f". {note}"
        with transaction.atomic():
            locked = self.lock()
            if locked.state == State.IN_STAY and (refusal := locked.departure_refusal(at)):
                raise TransitionNotAllowed(refusal)
            locked, _ = self._apply(
                Kind.STAY_ENDED,
                by=by,
                at=at,
                note=text,
                locked=locked,
                ended_at=at,
                end_destination=destination,
                end_reason=reason,
            )
            locked._move_requests(Kind.STAY_ENDED, by=by, at=at, note=text)
            locked._freed("fin de séjour")
        return self

    # -- machinery --------------------------------------------------------------------

    def _freed(self, cause: str) -> None:
        """This orientation gave its places back: whoever waits for them is told."""
        places_freed.send(sender=Orientation, capacity=self.capacity, cause=cause)

    def lock(self) -> "Orientation":
        return (
            Orientation.objects.select_for_update(of=("self",))
            .select_related("request", "structure", "capacity")
            .get(pk=self.pk)
        )

    def state_phrase(self) -> str:
        return f"l'orientation est « {self.get_state_display()} »"

    def _requests(self, name: str, *, first: bool = False, skip_principal: bool = False):
        """The requests an orientation step moves: the oriented request, then the household's
        other requests of the same channel that follow it (SIAO-02: a household is placed
        together) — those the matching request transition allows now. `first`: the
        orientation is being opened, so the others are not yet placed here."""
        step = REQUEST_STEP[name]
        others = Request.objects.filter(
            household_id=self.request.household_id, channel=self.request.channel
        ).exclude(pk=self.request_id)
        if not first:
            others = others.filter(host_structure_id=self.structure_id)
        if step is None:  # the start of a stay changes no request's status
            others = others.filter(status=RequestStatus.ADMITTED)
        else:
            others = [r for r in others.order_by("pk") if not r.workflow[step].refusal(r)]
        # The oriented request itself always follows: its refusal is the user's message.
        principal = [] if skip_principal else [Request.objects.get(pk=self.request_id)]
        return principal + list(others)

    def _move_requests(
        self, name: str, *, by, at: dt.datetime, note: str = "", first=False, skip_principal=False
    ) -> None:
        for request in self._requests(name, first=first, skip_principal=skip_principal):
            request._follow(REQUEST_STEP[name], orientation=self, by=by, at=at, note=note)

    S = State
    workflow = Workflow(
        transition(
            Kind.ATTRIBUTED,
            "Attribuer la place",
            sources=[INITIAL],
            target=S.PROPOSED,
            **BY_SIAO,
            rule=lambda o: o.offer_refusal() or o.judicial_area_refusal() or o.seniority_rule(),
        ),
        transition(
            Kind.PREPOSITIONED,
            "Prépositionner",
            sources=[INITIAL],
            target=S.WAITING,
            **BY_SIAO,
            rule=lambda o: o.offer_refusal() or o.judicial_area_refusal(),
        ),
        transition(
            Kind.RESERVED,
            "Réserver une place sur une période",
            sources=[INITIAL],
            target=S.PROPOSED,
            **BY_SIAO,
            rule=lambda o: o.reservation_rule(),
        ),
        transition(
            Kind.DIRECT_ADMISSION,
            "Admission directe",
            sources=[INITIAL],
            target=S.IN_STAY,
            **BY_MANAGER,
            # The structure records it: it learns only that a constraint exists (JUS-01).
            rule=lambda o: (
                o.offer_refusal() or (GEOGRAPHIC_CONSTRAINT if o.judicial_area_refusal() else "")
            ),
        ),
        transition(
            Kind.PE_PLACEMENT,
            "Enregistrer un placement à l'extérieur",
            sources=[INITIAL],
            target=S.IN_STAY,
            may=lambda o, user: o.placement_may(user),
            denied="Seul le SPIP signataire de la convention enregistre un placement à "
            "l'extérieur sur ses places.",
            rule=lambda o: o.placement_rule(),
        ),
        transition(
            Kind.CONFIRMED,
            "Attribuer la place attendue",
            sources=[S.WAITING],
            target=S.PROPOSED,
            **BY_SIAO,
            rule=lambda o: o.offer_refusal() or o.judicial_area_refusal() or o.seniority_rule(),
        ),
        transition(
            Kind.WINDOW_CHANGED,
            "Changer la période",
            sources=[S.PROPOSED, S.ADMITTED],
            target=None,  # the reservation stays attributed, or pre-admitted
            **BY_SIAO,
            rule=lambda o: o.window_change_rule(),
        ),
        transition(
            Kind.ADMITTED,
            "Accepter l'admission",
            sources=[S.PROPOSED],
            target=S.ADMITTED,
            **BY_MANAGER,
        ),
        transition(
            Kind.REFUSED,
            "Refuser l'admission",
            sources=[S.PROPOSED],
            target=S.REFUSED,
            **BY_MANAGER,
            rule=lambda o: o.refusal_rule(),
        ),
        transition(
            Kind.CANCELLED,
            "Annuler l'orientation",
            sources=[S.WAITING, S.PROPOSED, S.ADMITTED],
            target=S.CANCELLED,
            **BY_SIAO,
        ),
        transition(
            Kind.STAY_STARTED,
            "Enregistrer l'arrivée",
            sources=[S.ADMITTED],
            target=S.IN_STAY,
            **BY_MANAGER,
        ),
        transition(
            Kind.STAY_ENDED,
            "Enregistrer la fin du séjour",
            sources=[S.IN_STAY],
            target=S.ENDED,
            **BY_MANAGER,
        ),
    )
    del S

    def refusal_rule(self) -> str:
        if self.can_be_refused:
            return ""
        return (
            "Orientation d'urgence : seule une structure CHRS (ou ayant le statut de "
            "CHRS) peut refuser l'admission."
        )


class OrientationEvent(StateEvent):
    """One step of an orientation: which, who, when, why. Rows are only ever added."""

    orientation = models.ForeignKey(
        Orientation, verbose_name="orientation", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("étape", max_length=20, choices=Kind.choices)
    from_state = models.CharField(
        "état précédent", max_length=20, choices=State.choices, blank=True
    )
    to_state = models.CharField("nouvel état", max_length=20, choices=State.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "événement d'orientation"
        verbose_name_plural = "événements d'orientation"

    def __str__(self) -> str:
        return f"{self.get_to_state_display()} — {self.occurred_at:%d/%m/%Y %H:%M}"

    @property
    def recorded_later(self) -> bool:
        """Entered after the fact (an arrival or a departure dated back): the page says when."""
        return self.recorded_at - self.occurred_at > dt.timedelta(minutes=5)


class OverdueNotice(models.Model):
    """That an orientation waiting beyond its territory's delay was signalled: once per step
    (no decision; no arrival), however often the daily command runs."""

    orientation = models.ForeignKey(
        Orientation,
        verbose_name="orientation",
        on_delete=models.CASCADE,
        related_name="overdue_notices",
    )
    state = models.CharField("étape en attente", max_length=10, choices=State.choices)
    sent_on = models.DateField("signalée le")

    class Meta:
        verbose_name = "alerte d'orientation sans suite"
        verbose_name_plural = "alertes d'orientations sans suite"
        constraints = [
            models.UniqueConstraint(
                fields=["orientation", "state"], name="overduenotice_once_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} — signalée le {self.sent_on:%d/%m/%Y}"


# -- helpers shared by the transitions --------------------------------------------------------


def _lock_capacity(capacity: PlaceCapacity) -> PlaceCapacity:
    return (
        PlaceCapacity.objects.select_for_update(of=("self",))
        .select_related("structure")
        .get(pk=capacity.pk)
    )


def _check_territory(request: Request, capacity: PlaceCapacity) -> None:
    if capacity.structure.territory_id != request.territory_id:
        raise TransitionNotAllowed("Cette structure n'est pas sur le territoire de la demande.")


def _check_vacancy(
    capacity: PlaceCapacity, places: int, *, on: dt.date | None = None, own: int = 0
) -> None:
    """Refuse when `places` are not free on `on` (default today). `own`: places the
    orientation being checked already holds there (a reservation changing its window)."""
    vacant = capacity.vacant_places(on=on) + own
    if places > vacant:
        free = "plus aucune place libre" if vacant <= 0 else count_of(vacant, "place libre")
        if on == EVERY_RESERVATION:
            raise NoVacancy(
                f"« {capacity.structure} » n'a {free} à réserver pour ce ménage de "
                f"{count_of(places, 'personne')} : ses places sont occupées ou déjà réservées "
                "pour une autre période. Choisissez une autre place."
            )
        raise NoVacancy(
            f"« {capacity.structure} » n'a {free} pour ce ménage de {count_of(places, 'personne')} : "
            "une autre attribution vient peut-être de prendre la dernière place. "
            "Choisissez une autre place, ou prépositionnez la demande pour qu'elle attende "
            "celle-ci."
        )


def _previous_active(request: Request, *, allow_waiting: bool) -> Orientation | None:
    current = (
        request.orientations.active()
        .select_for_update(of=("self",))
        .select_related("structure")
        .first()
    )
    if current is None:
        return None
    if allow_waiting and current.state == State.WAITING:
        return current
    raise TransitionNotAllowed(
        f"La demande a déjà une orientation en cours vers « {current.structure} » "
        f"({current.get_state_display().lower()}) : annulez-la d'abord."
    )


def judicial_areas_of(request: Request) -> list[JudicialArea]:
    """The areas (JUS-04) of the request's detention while its judicial measure runs: what
    suggestions and transitions give to `relais.justice.models.area_refusal`."""
    if not request.detention_id:
        return []
    return list(
        JudicialArea.objects.filter(
            detention_id=request.detention_id,
            detention__in=Detention.objects.measure_running(),
        )
    )


def _window_refusal(starts_on: dt.date | None, ends_on: dt.date | None) -> str:
    if starts_on is None or ends_on is None:
        return "Indiquez le début et la fin de la période de réservation."
    if ends_on < starts_on:
        return "La fin de la période précède son début."
    if ends_on < timezone.localdate():
        return "Cette période est déjà passée : choisissez des dates à venir."
    return ""
