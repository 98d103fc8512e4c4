"""The justice part of the demo (issue 10): persons in detention at Mulhouse-Lutterbach and
Ensisheim, followed by the SPIP's CPIPs, their housing requests in every state, the daily job
of the releases run for the load's today.

Each case is written out in CASES, so that the release pipeline shows what a SIAO meets: dates
spread over twelve months, end dates that moved (with their history), LSC dates, exclusion
areas, reservations, refusals, alerts at every step and one dry exit. Everything goes through
the real transitions; their events are then dated as the story says.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from faker import Faker

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.justice import dates
from relais.justice.enums import (
    AdjustmentEventKind,
    AdjustmentKind,
    AdjustmentRefusalReason,
    AreaKind,
    AreaLevel,
    EndDateReason,
    LegalStatus,
)
from relais.justice.models import (
    AdjustmentEvent,
    Detention,
    DetentionEvent,
    JudicialArea,
    SentenceAdjustment,
    area_refusal,
)
from relais.notifications.models import Notification
from relais.orientations.enums import RefusalReason
from relais.orientations.models import EVERY_RESERVATION, NoVacancy, Orientation, OrientationEvent
from relais.persons.enums import Sex
from relais.persons.models import Person
from relais.places.enums import PlaceType
from relais.places.models import PlaceCapacity
from relais.releases import escalations
from relais.releases.enums import FollowUpOutcome
from relais.releases.models import FollowUpCheck
from relais.requests.enums import Channel, OrientationProposal, RequestReason
from relais.requests.models import Request, RequestEvent, SocialEvaluation, create_request

from .evaluations import EvaluationWriter, Situation
from .people import PersonMaker
from .territory import Cast

# The housing solution each case is taken to (see relais.releases.housing.Solution).
NONE, TO_EVALUATE, EVALUATED, WAITING, ATTRIBUTED = "none", "new", "evaluated", "waiting", "attr"
RESERVED, PRE_ADMITTED, ADMITTED, REFUSED = "reserved", "pre_admitted", "admitted", "refused"
LUTTERBACH, ENSISHEIM = "cp-lutterbach", "mc-ensisheim"

MULHOUSE_EXCLUDED = (AreaKind.EXCLUSION, AreaLevel.COMMUNE, "68224", "Mulhouse")
COLMAR_RESIDENCE = (AreaKind.RESIDENCE, AreaLevel.COMMUNE, "68066", "Colmar")
BAS_RHIN_EXCLUDED = (AreaKind.EXCLUSION, AreaLevel.DEPARTEMENT, "67", "Bas-Rhin")
ILLZACH_AVOIDED = (AreaKind.AVOID, AreaLevel.COMMUNE, "68154", "Illzach")

SHORT = [(0, 8, 0), (0, 10, 15), (1, 0, 0), (1, 6, 0), (2, 0, 0)]  # both LSC dates
MEDIUM = [(3, 0, 0), (4, 0, 0), (2, 6, 0), (5, 0, 0)]  # LSC examination only
LONG = [(6, 6, 0), (8, 0, 0), (12, 0, 0), (15, 0, 0)]  # no LSC


@dataclass
class Case:
    """One person in detention: where, how long, when out, which housing solution."""

    prison: str
    due_in: int | None  # days from today to the earliest possible release (due_on)
    solution: str
    sentences: list = field(default_factory=lambda: SHORT + MEDIUM)
    # (days before the load, days the end date moves by, reason): the end date as first
    # recorded was moved by these, in order.
    moves: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    adjustment: tuple = ()  # (kind, steps...) through SentenceAdjustment.take
    remand: bool = False
    released_ago: int | None = None  # released that many days before the load
    measure_months: int = 6  # after release, how long the SPIP follows (JUS-13)
    answered: int = 0  # follow-up checks already answered by the SIAO


R = AdjustmentEventKind
CASES = [
    # The release day: no secured solution, the one dry exit of the demo.
    Case(LUTTERBACH, 0, EVALUATED, sentences=SHORT),
    # 7-day step.
    Case(LUTTERBACH, 3, TO_EVALUATE),
    Case(LUTTERBACH, 6, NONE, sentences=SHORT),
    # 30-day step.
    Case(LUTTERBACH, 12, EVALUATED, areas=[MULHOUSE_EXCLUDED]),
    Case(LUTTERBACH, 20, WAITING, areas=[COLMAR_RESIDENCE]),
    Case(
        LUTTERBACH,
        27,
        REFUSED,
        adjustment=(AdjustmentKind.SL, R.REQUESTED, R.REFUSED),
    ),
    # A reservation made for the first date; a reduction brought the release before its window.
    Case(
        ENSISHEIM,
        25,
        RESERVED,
        sentences=LONG,
        moves=[(10, -45, EndDateReason.REDUCTION)],
        areas=[BAS_RHIN_EXCLUDED],
    ),
    # 60-day step.
    Case(LUTTERBACH, 35, NONE),
    Case(LUTTERBACH, 48, TO_EVALUATE, adjustment=(AdjustmentKind.PSE,)),
    Case(LUTTERBACH, 55, ATTRIBUTED),
    Case(LUTTERBACH, 58, EVALUATED, moves=[(40, 62, EndDateReason.NEW_SENTENCE)]),
    # 90-day step.
    Case(LUTTERBACH, 65, TO_EVALUATE),
    Case(
        LUTTERBACH,
        75,
        EVALUATED,
        areas=[COLMAR_RESIDENCE],
        moves=[(25, -30, EndDateReason.REDUCTION)],
    ),
    Case(ENSISHEIM, 84, WAITING, sentences=LONG),
    Case(LUTTERBACH, 88, NONE),
    # Secured: no alert.
    Case(LUTTERBACH, 4, ADMITTED, sentences=SHORT),
    Case(LUTTERBACH, 10, PRE_ADMITTED, adjustment=(AdjustmentKind.LSC, R.REQUESTED, R.GRANTED)),
    Case(LUTTERBACH, 18, RESERVED, areas=[MULHOUSE_EXCLUDED]),
    Case(LUTTERBACH, 40, RESERVED),
    Case(
        ENSISHEIM,
        52,
        PRE_ADMITTED,
        sentences=LONG,
        areas=[BAS_RHIN_EXCLUDED, ILLZACH_AVOIDED],
    ),
    Case(LUTTERBACH, 70, RESERVED, moves=[(6, 4, EndDateReason.PRISON_RECORD)]),
    Case(LUTTERBACH, 86, PRE_ADMITTED),
    # Further out: the pipeline's coming months.
    Case(LUTTERBACH, 100, TO_EVALUATE),
    Case(LUTTERBACH, 120, NONE),
    Case(
        LUTTERBACH,
        140,
        EVALUATED,
        moves=[(60, 90, EndDateReason.NEW_SENTENCE)],
        areas=[BAS_RHIN_EXCLUDED, MULHOUSE_EXCLUDED],
    ),
    Case(ENSISHEIM, 160, NONE, sentences=LONG, moves=[(30, 12, EndDateReason.TRANSFER)]),
    Case(LUTTERBACH, 185, TO_EVALUATE),
    Case(
        LUTTERBACH,
        210,
        NONE,
        moves=[(120, 60, EndDateReason.NEW_SENTENCE), (15, -20, EndDateReason.REDUCTION)],
    ),
    Case(LUTTERBACH, 240, EVALUATED, sentences=MEDIUM),
    Case(ENSISHEIM, 270, NONE, sentences=LONG),
    Case(LUTTERBACH, 300, NONE, sentences=MEDIUM),
    Case(LUTTERBACH, 330, TO_EVALUATE, sentences=MEDIUM),
    Case(ENSISHEIM, 355, NONE, sentences=LONG),
    # The LSC examination date passed: still in detention, the hearing is to come.
    Case(
        LUTTERBACH,
        -20,
        EVALUATED,
        sentences=MEDIUM,
        adjustment=(AdjustmentKind.LSC, R.REQUESTED, R.HEARING_SET),
    ),
    Case(LUTTERBACH, -45, TO_EVALUATE, sentences=SHORT, adjustment=(AdjustmentKind.LC,)),
    # Awaiting trial: no sentence, no date.
    Case(LUTTERBACH, None, TO_EVALUATE, remand=True),
    # Released, hosted since, followed up after release.
    Case(LUTTERBACH, None, ADMITTED, released_ago=16),
    Case(LUTTERBACH, None, ADMITTED, released_ago=40),
    Case(ENSISHEIM, None, ADMITTED, released_ago=75, sentences=LONG, answered=1),
    Case(LUTTERBACH, None, ADMITTED, released_ago=118, measure_months=2, answered=2),
]
del R

STRUCTURE_PLACES = [PlaceType.INSERTION, PlaceType.STABILISATION]
PROPOSALS = {PlaceType.INSERTION: OrientationProposal.INSERTION_CHRS}


class DetentionBuilder:
    def __init__(self, *, cast: Cast, rng: random.Random, fake: Faker, now: dt.datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.people = PersonMaker(rng=rng, fake=fake, today=self.today)
        self.writer = EvaluationWriter(rng=rng)
        self.spip = cast.organisations["spip"]
        self.cpips = cast.staff("spip", Role.CPIP)
        self.siao = cast.staff("siao", Role.SIAO_OPERATOR)[0]
        self.numbers: set[str] = set()
        # Dates moved back once every transition has run: {event pk: moment}.
        self.request_times: dict[int, dt.datetime] = {}
        self.detention_times: dict[int, dt.datetime] = {}
        self.adjustment_times: dict[int, dt.datetime] = {}
        self.orientations: list[int] = []

    # -- building ----------------------------------------------------------------------

    def build(self) -> None:
        self._name_referents()
        for case in CASES:
            self._case(case)
        self._settle_dates()
        # The daily job, as it ran this morning: alerts, the dry exit, follow-up checks.
        escalations.run(self.today)
        self._answer_follow_ups()

    def _name_referents(self) -> None:
        """JUS-08: the SIAO's référent justice is the demo operator; the SPIP's référent
        hébergement-logement is the CPIP's colleague. Both receive the alerts."""
        siao = self.cast.organisations["siao"]
        siao.referent = self.siao
        siao.save(update_fields=["referent"])
        self.spip.referent = self.cpips[-1]
        self.spip.save(update_fields=["referent"])

    def _cpip(self) -> User:
        return self.cpips[0] if self.rng.random() < 0.7 else self.rng.choice(self.cpips)

    def _moment(self, day: dt.date, low: int = 9, high: int = 17) -> dt.datetime:
        if day.weekday() >= 5:  # offices are closed at the weekend
            day -= dt.timedelta(days=day.weekday() - 4)
        moment = timezone.make_aware(
            dt.datetime.combine(
                day, dt.time(self.rng.randint(low, high), self.rng.choice([0, 15, 30, 45]))
            )
        )
        return min(moment, self.now - dt.timedelta(minutes=30))

    def _number(self) -> str:
        while True:
            number = f"{self.rng.randint(10000, 99999)}"
            if number not in self.numbers:
                self.numbers.add(number)
                return number

    def _case(self, case: Case) -> None:
        rng = self.rng
        prison = self.cast.organisations[case.prison]
        person = self.people.household(
            composition="single",
            principal_sex=Sex.MALE if rng.random() < 0.93 else Sex.FEMALE,
            principal_age=rng.randint(20, 58),
            origin=self.people.origin(french_share=0.72),
        )[0].person
        number = self._number()
        person.address = f"{prison.name} (écrou n° {number})"
        Person.objects.bulk_create([person])
        cpip = self._cpip()
        detention = self._record(case, person=person, prison=prison, number=number, cpip=cpip)
        for kind, level, code, name in case.areas:
            JudicialArea.objects.create(
                detention=detention, kind=kind, level=level, insee_code=code, name=name
            )
        if case.solution == RESERVED and case.moves:
            # Reserved for the date then expected: the moves below take the release out of it.
            self._housing(case, detention, cpip)
            self._move(case, detention, cpip)
        else:
            self._move(case, detention, cpip)
            self._housing(case, detention, cpip)
        self._adjust(case, detention, cpip)
        if case.released_ago is not None:
            released_on = self.today - dt.timedelta(days=case.released_ago)
            event = detention.release(
                on=released_on,
                by=cpip,
                measure_ends_on=dates.add_months(released_on, case.measure_months),
            )[1]
            self.detention_times[event.pk] = self._moment(released_on, 8, 10)

    # -- the detention and its dates ---------------------------------------------------

    def _record(self, case: Case, *, person, prison, number, cpip) -> Detention:
        rng = self.rng
        values = {
            "person": person,
            "establishment": prison,
            "prison_number": number,
            "spip": self.spip,
            "cpip": cpip,
        }
        if case.remand:
            values.update(
                legal_status=LegalStatus.REMAND,
                incarcerated_on=self.today - dt.timedelta(days=rng.randint(60, 200)),
            )
        else:
            # A released person's "due" day is their release day.
            due_in = case.due_in if case.released_ago is None else -case.released_ago
            due_on = self.today + dt.timedelta(days=due_in)
            sentences = list(case.sentences)
            rng.shuffle(sentences)
            for quantum in sentences:  # one that started at least two months before the load
                incarcerated_on, end_date = self._dates(quantum, due_on)
                if incarcerated_on <= min(self.today, due_on) - dt.timedelta(days=60):
                    break
            for _ago, days, _reason in case.moves:
                end_date -= dt.timedelta(days=days)  # the end date first recorded
            values.update(
                incarcerated_on=incarcerated_on,
                end_date=max(end_date, incarcerated_on + dt.timedelta(days=30)),
                sentence_years=quantum[0],
                sentence_months=quantum[1],
                sentence_days=quantum[2],
            )
        detention = Detention.record(by=cpip, **values)
        # Entered by the SPIP after the incarceration, before any later fact of the case.
        # A released person's request came at least two months before the release.
        released = case.released_ago + 60 if case.released_ago is not None else 0
        first_fact = max([ago for ago, _days, _reason in case.moves] + [released])
        recorded = max(
            values["incarcerated_on"] + dt.timedelta(days=rng.randint(5, 20)),
            self.today - dt.timedelta(days=rng.randint(150, 190)),
        )
        recorded = min(recorded, self.today - dt.timedelta(days=first_fact + 5))
        moment = self._moment(recorded)
        Detention.objects.filter(pk=detention.pk).update(created_at=moment)
        detention.created_at = moment
        for pk in detention.events.values_list("pk", flat=True):
            self.detention_times[pk] = moment
        Person.objects.filter(pk=person.pk).update(created_at=moment)
        return detention

    def _dates(self, quantum, due_on: dt.date) -> tuple[dt.date, dt.date]:
        """(incarceration, end date) giving that earliest possible release for that quantum,
        a few days of sentence reduction taken off the end."""
        reduction = dt.timedelta(days=self.rng.choice([0, 7, 14, 21, 30]))
        probe = Detention(
            legal_status=LegalStatus.CONVICTED,
            sentence_years=quantum[0],
            sentence_months=quantum[1],
            sentence_days=quantum[2],
        )

        def due(start: dt.date) -> dt.date:
            probe.incarcerated_on = start
            probe.end_date = dates.sentence_end(start, *quantum) - reduction
            probe.compute_dates()
            return probe.due_on

        start = due_on - (dates.sentence_end(due_on, *quantum) - due_on)
        for _ in range(10):
            gap = (due_on - due(start)).days
            if not gap:
                break
            start += dt.timedelta(days=gap)
        for shift in (0, 1, -1, 2, -2, 3, -3):  # months of unequal length: search around
            if due(start + dt.timedelta(days=shift)) == due_on:
                start += dt.timedelta(days=shift)
                break
        due(start)
        return start, probe.end_date

    def _move(self, case: Case, detention: Detention, cpip) -> None:
        for ago, days, reason in case.moves:
            detention.refresh_from_db()
            at = self._moment(self.today - dt.timedelta(days=ago))
            note = {
                EndDateReason.REDUCTION: "Réduction supplémentaire de peine accordée par le JAP.",
                EndDateReason.NEW_SENTENCE: "Peine ramenée à exécution, mise à jour du greffe.",
                EndDateReason.TRANSFER: "Transfert depuis le centre de détention d'Oermingen.",
                EndDateReason.PRISON_RECORD: "Date recalculée par le greffe de l'établissement.",
            }[reason]
            new_date = detention.end_date + dt.timedelta(days=days)
            event = detention.move_end_date(new_date, reason=reason, by=cpip, note=note, at=at)[1]
            self.detention_times[event.pk] = at
        detention.refresh_from_db()

    def _adjust(self, case: Case, detention: Detention, cpip) -> None:
        if not case.adjustment:
            return
        kind, *steps = case.adjustment
        adjustment = SentenceAdjustment.plan(detention, kind=kind, by=cpip)
        day = self.today - dt.timedelta(days=len(steps) * 12 + 20)
        moments = [self._moment(day)]
        for step in steps:
            day += dt.timedelta(days=12)
            extra = {}
            if step == AdjustmentEventKind.HEARING_SET:
                extra["hearing_on"] = self.today + dt.timedelta(days=9)
            if step == AdjustmentEventKind.REFUSED:
                extra["refusal_reason"] = AdjustmentRefusalReason.NO_HOUSING
            adjustment.take(step, by=cpip, **extra)
            moments.append(self._moment(day))
        events = adjustment.events.order_by("pk").values_list("pk", flat=True)
        for pk, moment in zip(events, moments, strict=True):
            self.adjustment_times[pk] = moment

    # -- the housing request -----------------------------------------------------------

    def _housing(self, case: Case, detention: Detention, cpip) -> None:
        if case.solution == NONE:
            return
        rng = self.rng
        release = detention.due_on or (self.today + dt.timedelta(days=120))
        if case.released_ago is not None:
            release = detention.due_on  # the release day
        # Requested a few weeks before the release (at the latest today), evaluated after.
        steps_back = {TO_EVALUATE: 0, EVALUATED: 1}.get(case.solution, 3)
        created_on = min(
            self.today - dt.timedelta(days=5 + 10 * steps_back + rng.randint(0, 10)),
            release - dt.timedelta(days=40 + rng.randint(0, 20)),
        )
        recorded_on = timezone.localdate(detention.created_at)
        created_on = max(
            created_on, self.today - dt.timedelta(days=170), recorded_on + dt.timedelta(days=2)
        )
        created = self._moment(created_on)
        request = create_request(
            person=detention.person,
            channel=Channel.INSERTION,
            referrer_organisation=self.spip,
            by=cpip,
            occurred_at=created,
            detention=detention,
            requested_on=created_on,
            notes=(
                f"Sans logement à compter du {release:%d/%m/%Y}. Composition : 1 adulte(s)."
                if detention.due_on
                else "Date de sortie à préciser. Composition : 1 adulte(s)."
            ),
        )
        Request.objects.filter(pk=request.pk).update(created_at=created)
        self.request_times[request.events.get().pk] = created
        complete = case.solution != TO_EVALUATE
        if complete or rng.random() < 0.5:
            self._evaluate(detention, request, cpip, created, complete=complete)
        if case.solution == TO_EVALUATE:
            return
        evaluated = min(
            created + dt.timedelta(days=rng.randint(6, 14)), self.now - dt.timedelta(days=4)
        )
        event = request.evaluate(by=cpip)
        self.request_times[event.pk] = evaluated
        if case.solution == EVALUATED:
            return
        at = evaluated + dt.timedelta(days=rng.randint(1, 3), hours=2)
        self._place(case, detention, request, at=at)

    def _evaluate(self, detention, request, cpip, created, *, complete: bool) -> None:
        proposal = self.rng.choice(
            [OrientationProposal.INSERTION_CHRS, OrientationProposal.STABILISATION]
        )
        situation = Situation(
            channel=Channel.INSERTION,
            reason=RequestReason.PRISON_RELEASE,
            composition="single",
            principal=detention.person,
            spouse=None,
            children=[],
            commune=self.rng.choice(["Mulhouse", "Mulhouse", "Colmar", "Wittenheim"]),
            referrer_organisation=self.spip,
            referrer=cpip,
            interview_on=timezone.localdate(created),
            proposal=proposal,
            prison=detention.establishment.name,
            release_on=detention.due_on or self.today + dt.timedelta(days=120),
        )
        evaluation = self.writer.write(situation, request, complete=complete)
        SocialEvaluation.objects.filter(pk=evaluation.pk).update(updated_at=created)

    def _capacities(self, detention: Detention, *, on) -> list[PlaceCapacity]:
        """Places the person (alone) may take, free on `on`, where his judicial areas allow (JUS-04:
        the one rule, `area_refusal`), the least busy first."""
        areas = list(detention.areas.all())
        free = [
            capacity
            for capacity in PlaceCapacity.objects.with_vacancies(on=on)
            .filter(
                place_type__in=STRUCTURE_PLACES,
                is_winter_only=False,
                vacant__gt=0,
                **{"accepts_men" if detention.person.sex == Sex.MALE else "accepts_women": True},
            )
            .select_related("structure")
            .order_by("pk")
            if not area_refusal(areas, capacity.structure.commune_insee_code)
        ]
        self.rng.shuffle(free)
        return free

    def _manager(self, capacity: PlaceCapacity) -> User:
        key = self.cast.specs[capacity.structure_id].manager
        return self.cast.staff(key, Role.STRUCTURE_MANAGER)[0]

    def _place(self, case: Case, detention: Detention, request: Request, *, at) -> None:
        solution = case.solution
        window = solution in (RESERVED, PRE_ADMITTED)
        on = EVERY_RESERVATION if window else None
        for capacity in self._capacities(detention, on=on):
            try:
                orientation = self._open(solution, detention, request, capacity, at=at)
            except NoVacancy:
                continue
            break
        else:
            raise RuntimeError(f"Aucune place pour la détention {detention.pk}.")
        self.orientations.append(orientation.pk)
        manager = self._manager(capacity)
        decided = min(
            at + dt.timedelta(days=self.rng.randint(1, 3)), self.now - dt.timedelta(hours=3)
        )
        if solution in (PRE_ADMITTED, ADMITTED):
            orientation.admit(by=manager, at=decided)
        if solution == REFUSED:
            orientation.refuse(
                by=manager,
                reason=RefusalReason.COLLECTIVE_LIFE,
                comment="Le projet ne correspond pas au collectif actuel de la structure.",
                at=decided,
            )
        if case.released_ago is not None:
            arrival = self._moment(detention.due_on, 11, 15)
            orientation.start_stay(by=manager, at=arrival)

    def _open(self, solution, detention, request, capacity, *, at) -> Orientation:
        if solution == WAITING:
            return Orientation.preposition(
                request=request,
                capacity=capacity,
                by=self.siao,
                note="Prépositionnement : entrée à la libération d'une place.",
                at=at,
            )
        if solution in (RESERVED, PRE_ADMITTED):
            starts_on, ends_on = Orientation.default_window(detention, today=self.today)
            return Orientation.reserve(
                request=request,
                capacity=capacity,
                by=self.siao,
                starts_on=starts_on,
                ends_on=ends_on,
                note="Réservation validée en commission justice.",
                at=at,
            )
        return Orientation.attribute(
            request=request,
            capacity=capacity,
            by=self.siao,
            note=f"Orientation validée en commission SIAO du {timezone.localdate(at):%d/%m/%Y}.",
            at=at,
        )

    # -- dates and the follow-up ------------------------------------------------------

    def _settle_dates(self) -> None:
        """Every fact dated as it happened, recorded then; notices older than three days read."""
        for model, times in (
            (RequestEvent, self.request_times),
            (DetentionEvent, self.detention_times),
            (AdjustmentEvent, self.adjustment_times),
        ):
            model.objects.bulk_update(
                [model(pk=pk, occurred_at=at, recorded_at=at) for pk, at in times.items()],
                ["occurred_at", "recorded_at"],
                batch_size=500,
            )
        RequestEvent.objects.filter(data__orientation__in=self.orientations).update(
            recorded_at=F("occurred_at")
        )
        OrientationEvent.objects.filter(orientation__in=self.orientations).update(
            recorded_at=F("occurred_at")
        )
        last_event = (
            OrientationEvent.objects.filter(orientation=OuterRef("orientation"))
            .order_by("-occurred_at", "-id")
            .values("occurred_at")[:1]
        )
        mine = Notification.objects.filter(orientation__in=self.orientations)
        mine.update(created_at=Subquery(last_event))
        mine.filter(created_at__lt=self.now - dt.timedelta(days=3)).update(
            read_at=F("created_at") + dt.timedelta(hours=2)
        )
        latest = (
            RequestEvent.objects.filter(request=OuterRef("pk"))
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        )
        Request.objects.filter(detention__isnull=False).update(updated_at=Subquery(latest))

    def _answer_follow_ups(self) -> None:
        """The SIAO already answered the oldest checks of the persons released longest ago."""
        for case, detention in zip(
            [c for c in CASES if c.released_ago is not None],
            Detention.objects.filter(released_on__isnull=False).order_by("pk"),
            strict=True,
        ):
            checks = FollowUpCheck.objects.filter(detention=detention).order_by("months")
            for check in checks[: case.answered]:
                check.answer(
                    outcome=FollowUpOutcome.STILL_HOUSED,
                    note="Toujours hébergé, accompagnement en cours.",
                    by=self.siao,
                )
