"""Households and their requests, taken through the Request transitions along a past timeline.

Transitions stamp their event with the current time; the builder then moves each event (and
the request's own dates) back to the moment the story says it happened, so that timelines,
`status_at` and the indicators read as if the SIAO had been working for six months.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import F
from django.utils import timezone
from faker import Faker

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.core.transitions import TransitionNotAllowed
from relais.orientations.enums import EndDestination, EndReason, RefusalReason
from relais.orientations.models import NoVacancy, Orientation
from relais.persons.enums import Relationship, Sex
from relais.persons.models import Household, HouseholdMember, Person
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity, Structure
from relais.requests.enums import (
    Channel,
    EventKind,
    OrientationProposal,
    RequestReason,
    RequestStatus,
)
from relais.requests.models import Request, RequestEvent, SocialEvaluation, create_request

from . import data
from .evaluations import PROPOSAL_BY_STRUCTURE_TYPE, EvaluationWriter, Situation
from .people import Member, PersonMaker, weighted
from .territory import Cast

HOUSEHOLDS = 130
DIRECT_ADMISSIONS = 8
WINDOW_DAYS = 182  # about six months of activity
WINTER_MONTHS = (11, 12, 1, 2, 3)

EMERGENCY, INSERTION, HOUSING = Channel.EMERGENCY, Channel.INSERTION, Channel.HOUSING
St = RequestStatus
FINISHED = {RequestStatus.ENDED, RequestStatus.CLOSED}
ORIENTATION_STEPS = {"preposition", "orient", "admit", "end"}
END_DESTINATIONS = {
    Channel.EMERGENCY: [
        (EndDestination.OTHER_SHELTER, 4),
        (EndDestination.FAMILY, 3),
        (EndDestination.STREET, 2),
        (EndDestination.UNKNOWN, 2),
    ],
    Channel.INSERTION: [
        (EndDestination.SOCIAL_HOUSING, 5),
        (EndDestination.ADAPTED_HOUSING, 3),
        (EndDestination.PRIVATE_HOUSING, 1),
        (EndDestination.FAMILY, 1),
    ],
    Channel.HOUSING: [(EndDestination.SOCIAL_HOUSING, 4), (EndDestination.PRIVATE_HOUSING, 2)],
}
END_REASONS = {
    EndDestination.SOCIAL_HOUSING: EndReason.HOUSING_ACCESS,
    EndDestination.PRIVATE_HOUSING: EndReason.HOUSING_ACCESS,
    EndDestination.ADAPTED_HOUSING: EndReason.HOUSING_ACCESS,
    EndDestination.OTHER_SHELTER: EndReason.REORIENTATION,
    EndDestination.FAMILY: EndReason.VOLUNTARY,
    EndDestination.STREET: EndReason.VOLUNTARY,
    EndDestination.UNKNOWN: EndReason.PLANNED_END,
}
REFUSALS = [
    (RefusalReason.HOUSEHOLD_COMPOSITION, "", 2),
    (RefusalReason.COLLECTIVE_LIFE, "Difficultés en collectif lors du précédent séjour.", 2),
    (RefusalReason.HEALTH_NEEDS, "Soins infirmiers quotidiens que l'équipe ne peut assurer.", 1),
    (RefusalReason.DID_NOT_COME, "", 1),
]
R = RequestReason

CHANNEL_WEIGHTS = [(EMERGENCY, 45), (INSERTION, 35), (HOUSING, 20)]
STATUS_WEIGHTS = [
    (St.NEW, 14),
    (St.EVALUATED, 9),
    (St.WAITING, 11),
    (St.ORIENTED, 9),
    (St.ADMITTED, 30),
    (St.ENDED, 14),
    (St.CLOSED, 13),
]

# Referring organisations per channel (keys of data.ORGANISATIONS).
SOURCES = {
    EMERGENCY: [
        ("115", 55),
        ("maraude", 10),
        ("accueil-jour", 12),
        ("hopital", 5),
        ("ccas-mulhouse", 10),
        ("ccas-colmar", 8),
    ],
    INSERTION: [
        ("ccas-mulhouse", 30),
        ("spip", 18),
        ("ccas-colmar", 12),
        ("hopital", 7),
        ("secteur-guebwiller", 8),
        ("accueil-jour", 8),
        ("le-toit", 6),
        ("phare", 5),
        ("equinoxe", 4),
    ],
    HOUSING: [
        ("ccas-mulhouse", 22),
        ("ccas-colmar", 14),
        ("secteur-guebwiller", 8),
        ("le-toit", 14),
        ("equinoxe", 10),
        ("hia", 8),
        ("phare", 10),
        ("spip", 4),
    ],
}
ASSOCIATIONS = ["le-toit", "equinoxe", "thur-doller", "hia", "phare"]

REASONS = {
    EMERGENCY: [
        (R.NO_HOUSING, 35),
        (R.FAMILY_BREAKDOWN, 15),
        (R.FAMILY_VIOLENCE, 8),
        (R.EVICTION, 8),
        (R.ARRIVAL_IN_FRANCE, 18),
        (R.NO_RESOURCES, 8),
        (R.PRISON_RELEASE, 4),
    ],
    INSERTION: [
        (R.FAMILY_BREAKDOWN, 18),
        (R.EVICTION, 10),
        (R.NO_HOUSING, 18),
        (R.END_OF_ASE, 7),
        (R.FAMILY_VIOLENCE, 9),
        (R.NO_RESOURCES, 7),
        (R.ARRIVAL_IN_FRANCE, 10),
        (R.TAKEN_BACK, 3),
    ],
    HOUSING: [
        (R.UNFIT_HOUSING, 12),
        (R.TAKEN_BACK, 10),
        (R.EVICTION, 10),
        (R.FAMILY_BREAKDOWN, 12),
        (R.CLOSER_TO_WORK, 7),
        (R.DISABILITY, 7),
        (R.FAMILY_REUNIFICATION, 4),
        (R.NO_HOUSING, 8),
    ],
}
COMPOSITIONS = {
    EMERGENCY: [("single", 62), ("couple", 8), ("single_parent", 18), ("family", 12)],
    INSERTION: [("single", 58), ("couple", 8), ("single_parent", 22), ("family", 12)],
    HOUSING: [("single", 42), ("couple", 15), ("single_parent", 26), ("family", 17)],
}
ALONE_REASONS = [R.PRISON_RELEASE, R.HOSPITAL_DISCHARGE, R.END_OF_ASE, R.DISABILITY, R.NO_RESOURCES]

PLACE_TYPES = {
    EMERGENCY: [PlaceType.EMERGENCY],
    INSERTION: [PlaceType.STABILISATION, PlaceType.INSERTION],
    HOUSING: [PlaceType.HOUSING],
}
DIRECT_ADMISSION_TYPES = [
    StructureType.CHU,
    StructureType.EMERGENCY_IN_CHRS,
    StructureType.EMERGENCY_OTHER,
]
DEFAULT_PROPOSALS = {
    INSERTION: [
        (OrientationProposal.INSERTION_CHRS, 5),
        (OrientationProposal.STABILISATION, 2),
        (OrientationProposal.INSERTION_OTHER, 2),
        (OrientationProposal.ALT, 1),
    ],
    HOUSING: [
        (OrientationProposal.SOCIAL_RESIDENCE, 3),
        (OrientationProposal.IML, 3),
        (OrientationProposal.MAISON_RELAIS, 2),
        (OrientationProposal.ORDINARY_HOUSING, 2),
    ],
}

# Days between one step and the next, per channel group (urgence / other).
GAPS = {
    "evaluate": {EMERGENCY: (0, 1), INSERTION: (4, 25), HOUSING: (7, 35)},
    "preposition": {EMERGENCY: (0, 2), INSERTION: (2, 20), HOUSING: (5, 40)},
    "orient": {EMERGENCY: (0, 0), INSERTION: (3, 25), HOUSING: (7, 45)},
    "admit": {EMERGENCY: (0, 0), INSERTION: (2, 12), HOUSING: (7, 30)},
    "end": {EMERGENCY: (2, 45), INSERTION: (30, 120), HOUSING: (45, 120)},
    "close": {EMERGENCY: (3, 12), INSERTION: (10, 45), HOUSING: (15, 60)},
}
# Working hours of each step; the 115 answers late.
HOURS = {
    "create": {EMERGENCY: (8, 23), INSERTION: (9, 17), HOUSING: (9, 17)},
    "direct": {EMERGENCY: (19, 23)},
    "evaluate": {EMERGENCY: (9, 22), INSERTION: (9, 17), HOUSING: (9, 17)},
    "preposition": {EMERGENCY: (10, 22), INSERTION: (10, 17), HOUSING: (10, 17)},
    "orient": {EMERGENCY: (10, 22), INSERTION: (10, 17), HOUSING: (10, 17)},
    "admit": {EMERGENCY: (18, 22), INSERTION: (9, 16), HOUSING: (9, 16)},
    "end": {EMERGENCY: (8, 12), INSERTION: (9, 12), HOUSING: (9, 12)},
    "close": {EMERGENCY: (9, 17), INSERTION: (9, 17), HOUSING: (9, 17)},
}
# How far back, at most, a request in a given state started (beyond the steps it went through):
# requests still waiting are recent, stories that ended may be six months old.
SLACK_DAYS = {
    St.EVALUATED: 30,
    St.WAITING: 25,
    St.ORIENTED: 20,
    St.ADMITTED: 150,
}
NEW_SINCE_DAYS = {EMERGENCY: 3, INSERTION: 21, HOUSING: 30}

COMMUNES_BY_SOURCE = {
    "ccas-colmar": [("colmar", 8), ("wintzenheim", 1), ("ribeauville", 1)],
    "equinoxe": [("colmar", 1)],
    "secteur-guebwiller": [("guebwiller", 6), ("thann", 2), ("cernay", 2)],
    "thur-doller": [("thann", 1), ("cernay", 1)],
}
MULHOUSE_AREA = [
    ("mulhouse", 12),
    ("illzach", 2),
    ("wittenheim", 2),
    ("kingersheim", 1),
    ("riedisheim", 1),
    ("rixheim", 1),
    ("pfastatt", 1),
]
TERRITORY_WIDE = [
    ("mulhouse", 50),
    ("colmar", 25),
    ("saint-louis", 6),
    ("guebwiller", 5),
    ("thann", 4),
    ("altkirch", 4),
    ("sainte-marie", 2),
    ("munster", 2),
]
STREETS = [
    "rue de Bâle", "rue du Sauvage", "avenue de Colmar", "rue de la République",
    "rue du Général de Gaulle", "rue de la Gare", "rue des Vosges", "rue Pasteur",
    "rue Victor Hugo", "rue des Jardins", "rue de Verdun", "rue du Runtz", "rue des Merles",
    "allée des Tilleuls", "rue Jean Jaurès", "rue de l'Ill",
]  # fmt: skip


@dataclass
class Plan:
    channel: str
    status: str
    direct: bool = False
    source: str = ""
    reason: str = ""
    composition: str = ""
    steps: list[str] = field(default_factory=list)


@dataclass
class Story:
    """One household's path: who, where, when, through whom."""

    plan: Plan
    members: list[Member]
    commune: data.Commune
    times: list[dt.datetime]  # when it started, then when each step of the plan happened
    referrer: User | None
    siao: User
    structure: Structure | None = None
    prison: str = ""
    release_on: dt.date | None = None
    requests: list[Request] = field(default_factory=list)
    orientation: Orientation | None = None


class HouseholdBuilder:
    def __init__(self, *, cast: Cast, rng: random.Random, fake: Faker, now: dt.datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.people = PersonMaker(rng=rng, fake=fake, today=self.today)
        self.writer = EvaluationWriter(rng=rng)
        self.occupied: dict[tuple[int, str], int] = {}
        # Dates moved back once every transition has run.
        self.event_times: dict[int, tuple[dt.datetime, dt.datetime]] = {}
        self.request_updated: dict[int, dt.datetime] = {}
        self.request_closed: dict[int, dt.datetime] = {}
        self.request_created: dict[int, dt.datetime] = {}
        self.household_created: dict[int, dt.datetime] = {}
        self.evaluation_updated: dict[int, dt.datetime] = {}
        self.awaiting_arrival = 0
        self.refusals = 0

    # -- plans -------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        """Every channel in every state at least once, a few direct admissions, the rest drawn."""
        rng = self.rng
        plans = [
            Plan(channel, status) for channel in Channel.values for status in RequestStatus.values
        ]
        for _ in range(DIRECT_ADMISSIONS):
            plans.append(
                Plan(EMERGENCY, weighted(rng, [(St.ADMITTED, 1), (St.ENDED, 1)]), direct=True)
            )
        while len(plans) < HOUSEHOLDS:
            plans.append(Plan(weighted(rng, CHANNEL_WEIGHTS), weighted(rng, STATUS_WEIGHTS)))
        rng.shuffle(plans)
        for plan in plans:
            self._characterise(plan)
        return plans

    def _characterise(self, plan: Plan) -> None:
        rng = self.rng
        if plan.direct:
            plan.reason = R.NO_HOUSING
            plan.composition = weighted(rng, [("single", 6), ("single_parent", 1)])
            plan.steps = ["end"] if plan.status == St.ENDED else []
            return
        plan.source = weighted(rng, SOURCES[plan.channel])
        if plan.source == "spip":
            plan.reason = R.PRISON_RELEASE
        elif plan.source == "hopital":
            plan.reason = R.HOSPITAL_DISCHARGE
        elif plan.source in ASSOCIATIONS:
            plan.reason = R.NO_HOUSING
        else:
            plan.reason = weighted(rng, REASONS[plan.channel])
        if plan.reason in ALONE_REASONS:
            plan.composition = weighted(rng, [("single", 9), ("couple", 1)])
            if plan.reason == R.END_OF_ASE:
                plan.composition = "single"
        elif plan.reason == R.FAMILY_VIOLENCE:
            plan.composition = weighted(rng, [("single_parent", 3), ("single", 1)])
        elif plan.reason == R.FAMILY_REUNIFICATION:
            plan.composition = "family"
        else:
            plan.composition = weighted(rng, COMPOSITIONS[plan.channel])
        plan.steps = self._steps(plan)

    def _steps(self, plan: Plan) -> list[str]:
        rng = self.rng
        urgence = plan.channel == EMERGENCY

        def path_to(status: str) -> list[str]:
            match status:
                case St.NEW:
                    return []
                case St.EVALUATED:
                    return ["evaluate"]
                case St.WAITING:
                    evaluate = not urgence or rng.random() < 0.3
                    return (["evaluate"] if evaluate else []) + ["preposition"]
                case St.ORIENTED:
                    if urgence:
                        return ["orient"]
                    return (
                        ["evaluate"] + (["preposition"] if rng.random() < 0.4 else []) + ["orient"]
                    )
                case St.ADMITTED:
                    return path_to(St.ORIENTED) + ["admit"]
                case St.ENDED:
                    return path_to(St.ADMITTED) + ["end"]
                case _:
                    before = weighted(
                        rng, [(St.NEW, 4), (St.EVALUATED, 2), (St.WAITING, 2), (St.ORIENTED, 2)]
                    )
                    return path_to(before) + ["close"]

        return path_to(plan.status)

    # -- building ----------------------------------------------------------------------

    def build(self) -> None:
        # Finished stories first: each holds its place only while it runs, so today's
        # occupants (built next) find the places those stories have since freed.
        plans = sorted(self.plans(), key=lambda plan: plan.status not in FINISHED)
        for plan in plans:
            if plan.direct:
                self._direct_admission(plan)
            else:
                self._referred(plan)
        self._move_dates_back()

    def _members(self, plan: Plan) -> list[Member]:
        rng = self.rng
        if plan.reason == R.FAMILY_VIOLENCE:
            sex = Sex.FEMALE
        elif plan.composition == "single":
            sex = (
                Sex.MALE
                if rng.random() < (0.92 if plan.reason == R.PRISON_RELEASE else 0.72)
                else Sex.FEMALE
            )
        elif plan.composition == "single_parent":
            sex = Sex.FEMALE if rng.random() < 0.8 else Sex.MALE
        else:
            sex = Sex.MALE if rng.random() < 0.65 else Sex.FEMALE
        if plan.reason == R.END_OF_ASE:
            age = rng.randint(18, 21)
        elif plan.reason == R.PRISON_RELEASE:
            age = rng.randint(20, 55)
        elif plan.reason == R.DISABILITY:
            age = rng.randint(30, 62)
        elif plan.composition in ("single_parent", "family"):
            age = rng.randint(21, 46)
        else:
            low, high = weighted(
                rng, [((18, 25), 20), ((26, 40), 40), ((41, 55), 28), ((56, 72), 12)]
            )
            age = rng.randint(low, high)
        arrived = plan.reason == R.ARRIVAL_IN_FRANCE
        if arrived or plan.reason == R.FAMILY_REUNIFICATION:
            origin = self.people.origin(french_share=0, foreign_only=True)
        else:
            origin = self.people.origin(
                french_share=0.72 if plan.reason == R.PRISON_RELEASE else 0.62
            )
        return self.people.household(
            composition=plan.composition,
            principal_sex=sex,
            principal_age=age,
            origin=origin,
            arrived_recently=arrived,
        )

    def _commune(self, plan: Plan) -> data.Commune:
        if plan.source in COMMUNES_BY_SOURCE:
            key = weighted(self.rng, COMMUNES_BY_SOURCE[plan.source])
        elif plan.source in (
            "ccas-mulhouse",
            "accueil-jour",
            "maraude",
            "hopital",
            "spip",
            "le-toit",
            "hia",
        ):
            key = weighted(self.rng, MULHOUSE_AREA)
        else:
            key = weighted(self.rng, TERRITORY_WIDE)
        return data.COMMUNES[key]

    def _referrer(self, organisation: str) -> User | None:
        staff = self.cast.staff(organisation, Role.SOCIAL_WORKER, Role.CPIP, Role.EMERGENCY_LINE)
        if not staff:
            return None
        demo = {spec.username for spec in data.DEMO_ACCOUNTS}
        if staff[0].username in demo and self.rng.random() < 0.7:
            return staff[0]
        return self.rng.choice(staff)

    def _siao_operator(self) -> User:
        staff = self.cast.staff("siao", Role.SIAO_OPERATOR)
        return staff[0] if self.rng.random() < 0.65 else self.rng.choice(staff)

    def _line_operator(self) -> User:
        staff = self.cast.staff("115", Role.EMERGENCY_LINE)
        return staff[0] if self.rng.random() < 0.6 else self.rng.choice(staff)

    def _manager_of(self, structure: Structure) -> User:
        key = self.cast.specs[structure.pk].manager
        return self.cast.staff(key, Role.STRUCTURE_MANAGER)[0]

    # -- structures --------------------------------------------------------------------

    def _places(self, structure: Structure, channel: str, *, winter: bool) -> int:
        """Places for the channel; winter-only ones count only for a stay within the winter."""
        return sum(
            capacity.places
            for capacity in self.cast.specs[structure.pk].capacities
            if capacity.place_type in PLACE_TYPES[channel] and (winter or not capacity.winter)
        )

    def _within_winter(self, story_start: dt.datetime, story_end: dt.datetime) -> bool:
        """Winter-only places open from November to March (trêve hivernale)."""
        start, end = timezone.localdate(story_start), timezone.localdate(story_end)
        return (
            start.month in WINTER_MONTHS and end.month in WINTER_MONTHS and (end - start).days < 152
        )

    def _takes(self, structure: Structure, members: list[Member], composition: str) -> bool:
        sex = members[0].person.sex
        match self.cast.specs[structure.pk].public:
            case "singles":
                return composition == "single"
            case "men":
                return composition == "single" and sex == Sex.MALE
            case "women":
                return composition in ("single", "single_parent") and sex == Sex.FEMALE
            case _:
                return True

    def _structure(
        self,
        plan: Plan,
        members: list[Member],
        commune: data.Commune,
        *,
        occupy: bool,
        winter: bool,
        types: list[str] | None = None,
    ) -> Structure:
        """A structure fit for the household; one with room for it when the place is taken now."""
        size = len(members)
        candidates = []
        for structure in self.cast.structures:
            places = self._places(structure, plan.channel, winter=winter)
            if places < size or not self._takes(structure, members, plan.composition):
                continue
            if types is not None and structure.structure_type not in types:
                continue
            if occupy and self.occupied.get((structure.pk, plan.channel), 0) + size > places:
                continue
            spec = self.cast.specs[structure.pk]
            weight = 3 if spec.manager == "le-toit" else 1  # the demo manager's structures are busy
            if structure.commune == commune.name:
                weight *= 2
            if spec.public == "households" and plan.composition == "single":
                weight /= 3
            candidates.append((structure, weight))
        if not candidates:
            if occupy:
                return self._structure(
                    plan, members, commune, occupy=False, winter=winter, types=types
                )
            raise RuntimeError(
                f"Aucune structure pour un ménage {plan.composition} en {plan.channel}."
            )
        structure = weighted(self.rng, candidates)
        if occupy:
            key = (structure.pk, plan.channel)
            self.occupied[key] = self.occupied.get(key, 0) + size
        return structure

    def _sheltered_in(self, plan: Plan) -> Structure | None:
        """Where a person referred by an association's own staff is hosted: one step below."""
        if plan.source not in ASSOCIATIONS:
            return None
        below = {HOUSING: INSERTION, INSERTION: EMERGENCY}[plan.channel]
        own = [s for s in self.cast.structures if self.cast.specs[s.pk].manager == plan.source]
        return self.rng.choice([s for s in own if self._places(s, below, winter=False)] or own)

    def _shelter_days(self, plan: Plan) -> int:
        if plan.channel == HOUSING:
            return self.rng.randint(180, 720)  # months in a CHRS before housing
        return self.rng.randint(14, 70)  # weeks of emergency shelter before insertion

    # -- timelines ---------------------------------------------------------------------

    def _at(self, day: dt.date, step: str, channel: str, after: dt.datetime | None) -> dt.datetime:
        low, high = HOURS[step].get(channel) or HOURS[step][EMERGENCY]
        if channel != EMERGENCY and day.weekday() >= 5:  # offices are closed at the weekend
            day -= dt.timedelta(days=day.weekday() - 4)
        moment = timezone.make_aware(
            dt.datetime.combine(
                day,
                dt.time(
                    self.rng.randint(low, high), self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
                ),
            )
        )
        if after is not None and moment <= after:
            moment = after + dt.timedelta(minutes=self.rng.randint(15, 150))
        if moment >= self.now:
            moment = (after or self.now - dt.timedelta(hours=2)) + dt.timedelta(minutes=1)
        return moment

    def _timeline(self, plan: Plan, first_step: str = "create") -> list[dt.datetime]:
        """When the request started, then when each of its steps happened."""
        rng = self.rng
        gaps = [rng.randint(*GAPS[step][plan.channel]) for step in plan.steps]
        total = sum(gaps)
        if total > WINDOW_DAYS - 5:
            gaps = [gap * (WINDOW_DAYS - 5) // total for gap in gaps]
            total = sum(gaps)
        if plan.status == St.NEW:
            start = rng.randint(1, NEW_SINCE_DAYS[plan.channel])
        else:
            slack = SLACK_DAYS.get(plan.status, WINDOW_DAYS)
            if plan.status == St.ADMITTED and plan.channel == EMERGENCY:
                slack = 40
            start = rng.randint(total + 1, max(total + 1, min(WINDOW_DAYS, total + 1 + slack)))
        day = self.today - dt.timedelta(days=start)
        times = [self._at(day, first_step, plan.channel, None)]
        for gap, step in zip(gaps, plan.steps, strict=True):
            day += dt.timedelta(days=gap)
            times.append(self._at(day, step, plan.channel, times[-1]))
        return times

    # -- one household -----------------------------------------------------------------

    def _referred(self, plan: Plan) -> None:
        rng = self.rng
        members = self._members(plan)
        commune = self._commune(plan)
        story = Story(
            plan=plan,
            members=members,
            commune=commune,
            times=self._timeline(plan),
            referrer=self._referrer(plan.source),
            siao=self._siao_operator(),
        )
        placed = [i for i, step in enumerate(plan.steps) if step in ("preposition", "orient")]
        if placed:
            occupy = plan.status in (St.ORIENTED, St.ADMITTED)
            until = story.times[-1] if plan.status in (St.ENDED, St.CLOSED) else self.now
            winter = self._within_winter(story.times[placed[0] + 1], until)
            story.structure = self._structure(plan, members, commune, occupy=occupy, winter=winter)
        if plan.reason == R.PRISON_RELEASE:
            self._detention(story)
        self._save_members(story)

        fields = {
            "created_at": story.times[0],
            "requested_on": timezone.localdate(story.times[0]),
            "notes": self._notes(story),
        }
        if plan.channel == EMERGENCY:
            towns = {"Mulhouse": "mulhouse", "Colmar": "colmar"}
            fields["current_location"] = rng.choice(
                data.STREET_LOCATIONS[towns.get(commune.name, "other")]
            )
            fields["needs_tonight"] = rng.random() < 0.85
        organisation = self.cast.organisations[plan.source]
        first = create_request(
            person=members[0].person,
            channel=plan.channel,
            referrer_organisation=organisation,
            by=story.referrer,
            occurred_at=story.times[0],
            **fields,
        )
        self.household_created[first.household_id] = story.times[0]
        self._attach_members(first.household, members)
        story.requests = [first] + [
            create_request(
                person=m.person,
                channel=plan.channel,
                referrer_organisation=organisation,
                by=story.referrer,
                household=first.household,
                occurred_at=story.times[0],
                **fields,
            )
            for m in members[1:]
        ]
        evaluated = "evaluate" in plan.steps
        if plan.channel != EMERGENCY and (evaluated or rng.random() < 0.5):
            self._evaluate_household(story, complete=evaluated)
        self._run_steps(story)
        self._refused_once(story)
        for request in story.requests:
            self.request_updated[request.pk] = story.times[-1]
            if plan.status == St.CLOSED:
                self.request_closed[request.pk] = story.times[-1]

    def _direct_admission(self, plan: Plan) -> None:
        """SIAO-04: turned up at night, admitted on the spot, recorded the next morning."""
        rng = self.rng
        members = self._members(plan)
        commune = data.COMMUNES[weighted(rng, TERRITORY_WIDE)]
        times = self._timeline(plan, first_step="direct")
        structure = self._structure(
            plan,
            members,
            commune,
            occupy=plan.status == St.ADMITTED,
            winter=self._within_winter(times[0], times[-1] if plan.steps else self.now),
            types=DIRECT_ADMISSION_TYPES,
        )
        manager = self._manager_of(structure)
        story = Story(
            plan=plan,
            members=members,
            commune=commune,
            times=times,
            referrer=manager,
            siao=self._siao_operator(),
            structure=structure,
        )
        admitted_at = story.times[0]
        self._save_members(story)
        note = "Arrivée à la porte de la structure dans la nuit, admission sur place."
        first = create_request(
            person=members[0].person,
            channel=Channel.EMERGENCY,
            referrer_organisation=structure.manager,
            by=manager,
            occurred_at=admitted_at,
            requested_on=timezone.localdate(admitted_at),
            notes=note,
        )
        self._attach_members(first.household, members)
        story.requests = [first] + [
            create_request(
                person=m.person,
                channel=Channel.EMERGENCY,
                referrer_organisation=structure.manager,
                by=manager,
                household=first.household,
                occurred_at=admitted_at,
                requested_on=timezone.localdate(admitted_at),
            )
            for m in members[1:]
        ]
        recorded = min(
            admitted_at + dt.timedelta(hours=rng.randint(9, 14)), self.now - dt.timedelta(minutes=5)
        )
        story.orientation = Orientation.admit_directly(
            request=first, structure=structure, by=manager, at=admitted_at
        )
        RequestEvent.objects.filter(request__in=story.requests).update(recorded_at=recorded)
        self.household_created[first.household_id] = recorded
        for request in story.requests:
            self.request_created[request.pk] = recorded
            self.request_updated[request.pk] = max(recorded, story.times[-1])
        self._run_steps(story)

    def _detention(self, story: Story) -> None:
        """Where the principal is held and when they get out."""
        rng = self.rng
        plan = story.plan
        story.prison = self.cast.organisations[weighted(rng, data.PRISONS)].name
        if "admit" in plan.steps:  # admitted on the day of release
            story.release_on = timezone.localdate(story.times[plan.steps.index("admit") + 1])
        elif plan.status == St.CLOSED:
            story.release_on = timezone.localdate(story.times[-1]) + dt.timedelta(
                days=rng.randint(5, 60)
            )
        else:
            story.release_on = self.today + dt.timedelta(days=rng.randint(20, 150))

    def _save_members(self, story: Story) -> None:
        rng = self.rng
        commune = story.commune
        organisations = self.cast.organisations
        in_detention = story.plan.reason == R.PRISON_RELEASE and story.plan.channel != EMERGENCY
        for member in story.members:
            person = member.person
            person.created_at = story.times[0]
            if in_detention and member.relationship == Relationship.PRINCIPAL:
                person.address = f"{story.prison} (écrou n° {rng.randint(10000, 99999)})"
                continue  # no phone in detention
            if story.plan.channel == EMERGENCY or story.plan.reason in (
                R.NO_HOUSING,
                R.ARRIVAL_IN_FRANCE,
            ):
                ccas = organisations["ccas-colmar" if commune.name == "Colmar" else "ccas-mulhouse"]
                person.address = f"Domiciliation : {ccas.name}, {ccas.address}"
            else:
                street = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
                person.address = f"{street}, {commune.postcode} {commune.name}"
            if member.is_adult and rng.random() < 0.85:
                person.phone = self.people.phone()
        Person.objects.bulk_create([member.person for member in story.members])

    @staticmethod
    def _attach_members(household: Household, members: list[Member]) -> None:
        """The principal's membership comes with the household; the others join it."""
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(
                    household=household,
                    person=m.person,
                    relationship=m.relationship,
                    child_situation=m.child_situation,
                )
                for m in members[1:]
            ]
        )

    def _run_steps(self, story: Story) -> None:
        """Take every request of the household through the same transitions, together."""
        for step, when in zip(story.plan.steps, story.times[1:], strict=True):
            actor = self._actor(step, story)
            note = self._step_note(step, when, story.plan)
            if step in ORIENTATION_STEPS:  # the household moves together, with its place
                self._orientation_step(story, step, when=when, actor=actor, note=note)
                continue
            for request in story.requests:
                event = self._apply(
                    request, step, when=when, actor=actor, note=note, structure=story.structure
                )
                self.event_times[event.pk] = (when, when)

    def _actor(self, step: str, story: Story) -> User:
        urgence = story.plan.channel == EMERGENCY
        match step:
            case "evaluate":
                return story.referrer if not urgence and story.referrer else self._line_operator()
            case "admit" | "end":
                return self._manager_of(story.structure)
            case "close" if urgence:
                return self._line_operator()
            case "close":
                return story.referrer or story.siao
            case _:
                return story.siao

    def _step_note(self, step: str, when: dt.datetime, plan: Plan) -> str:
        urgence = plan.channel == EMERGENCY
        match step:
            case "preposition":
                return "Prépositionnement : entrée à la libération d'une place."
            case "orient" if urgence:
                return "Place attribuée par le 115 pour ce soir."
            case "orient":
                return f"Orientation validée en commission SIAO du {timezone.localdate(when):%d/%m/%Y}."
            case "end":
                return self.rng.choice(data.END_NOTES[plan.channel])
            case "close":
                return "|".join(
                    self.rng.choice(data.CLOSE_REASONS["emergency" if urgence else "other"])
                )
            case _:
                return ""

    @staticmethod
    def _apply(
        request: Request,
        step: str,
        *,
        when: dt.datetime,
        actor: User,
        note: str,
        structure: Structure | None,
    ) -> RequestEvent:
        match step:
            case "evaluate":
                request.refresh_from_db()
                if request.status != RequestStatus.NEW:  # validated with its household
                    return request.events.filter(kind=EventKind.EVALUATED).latest("id")
                return request.evaluate(by=actor)
            case "close":
                reason, words = note.split("|")
                return request.close(by=actor, reason=reason, note=words, at=when)
        raise ValueError(step)

    # -- orientations ------------------------------------------------------------------

    def _orientation_step(
        self, story: Story, step: str, *, when: dt.datetime, actor: User, note: str
    ) -> None:
        first = story.requests[0]
        match step:
            case "preposition":
                story.orientation = Orientation.preposition(
                    request=first, capacity=self._capacity(story), by=actor, note=note, at=when
                )
            case "orient":
                waiting = story.orientation
                try:
                    if waiting is None:
                        raise NoVacancy("")
                    waiting.confirm_place(by=actor, note=note, at=when)
                except NoVacancy:
                    story.orientation = self._attribute(story, by=actor, note=note, at=when)
            case "admit":
                story.orientation.admit(by=actor, at=when)
                expected = story.plan.status == St.ADMITTED and (
                    not self.awaiting_arrival or self.rng.random() < 0.2
                )
                if expected:  # accepted, the person has not arrived yet
                    self.awaiting_arrival += 1
                else:
                    story.orientation.start_stay(by=actor, at=when)
            case "end":
                destination = weighted(self.rng, END_DESTINATIONS[story.plan.channel])
                story.orientation.end_stay(
                    by=actor,
                    at=when,
                    destination=destination,
                    reason=END_REASONS[destination],
                    note=note,
                )

    def _capacities(self, story: Story) -> list[PlaceCapacity]:
        """The structure's capacities for the channel, the most free places now first."""
        capacities = [
            capacity
            for capacity in PlaceCapacity.objects.with_vacancies().filter(
                structure=story.structure, place_type__in=PLACE_TYPES[story.plan.channel]
            )
        ] or list(PlaceCapacity.objects.with_vacancies().filter(structure=story.structure))
        return sorted(capacities, key=lambda c: (-c.vacant, c.is_winter_only, c.pk))

    def _capacity(self, story: Story) -> PlaceCapacity:
        """The structure's capacity for the channel with the most free places now."""
        return self._capacities(story)[0]

    def _attribute(self, story: Story, *, by: User, note: str, at: dt.datetime) -> Orientation:
        """Attribute a place of the story's structure: the first of its capacities where no
        older pre-positioned request comes first (SIAO-12), else of another structure that
        takes the household. Stories are built one after the other, not in the order they
        happened: a capacity may hold a waiting request older than this attribution."""
        plan, members = story.plan, story.members
        others = [
            structure
            for structure in self.cast.structures
            if structure != story.structure
            and self._places(structure, plan.channel, winter=False) >= len(members)
            and self._takes(structure, members, plan.composition)
        ]
        refusal = None
        for structure in [story.structure, *others]:
            story.structure = structure
            for capacity in self._capacities(story):
                try:
                    return Orientation.attribute(
                        request=story.requests[0], capacity=capacity, by=by, note=note, at=at
                    )
                except TransitionNotAllowed as refused:
                    refusal = refused
        raise refusal

    def _refused_once(self, story: Story) -> None:
        """SIAO-14: an evaluated request whose first attribution the structure refused."""
        rng = self.rng
        plan = story.plan
        if plan.channel == EMERGENCY or plan.status != St.EVALUATED:
            return
        if self.refusals and rng.random() > 0.35:
            return
        proposed_at = story.times[-1] + dt.timedelta(days=rng.randint(2, 9), hours=1)
        refused_at = proposed_at + dt.timedelta(days=rng.randint(1, 6))
        if refused_at > self.now - dt.timedelta(hours=2):
            return
        structure = self._structure(plan, story.members, story.commune, occupy=False, winter=False)
        story.structure = structure
        try:
            orientation = Orientation.attribute(
                request=story.requests[0],
                capacity=self._capacity(story),
                by=story.siao,
                note="Proposition de la commission SIAO.",
                at=proposed_at,
            )
        except NoVacancy:
            return
        reason, comment, _ = rng.choice(REFUSALS)
        orientation.refuse(
            by=self._manager_of(structure), reason=reason, comment=comment, at=refused_at
        )
        self.refusals += 1

    # -- evaluation --------------------------------------------------------------------

    def _evaluate_household(self, story: Story, *, complete: bool) -> None:
        rng = self.rng
        plan = story.plan
        created = timezone.localdate(story.times[0])
        if complete:
            written = story.times[plan.steps.index("evaluate") + 1]
            evaluated_on = timezone.localdate(written)
        else:
            written = story.times[0]
            evaluated_on = min(self.today, created + dt.timedelta(days=7))
        interview_on = created + dt.timedelta(
            days=rng.randint(0, max(0, (evaluated_on - created).days))
        )
        if story.structure is not None:
            proposal = PROPOSAL_BY_STRUCTURE_TYPE[story.structure.structure_type]
        else:
            proposal = weighted(rng, DEFAULT_PROPOSALS[plan.channel])
        if (
            plan.channel == HOUSING
            and plan.composition != "single"
            and proposal == OrientationProposal.MAISON_RELAIS
        ):
            proposal = OrientationProposal.IML
        members = story.members
        sheltered = self._sheltered_in(plan)
        situation = Situation(
            channel=plan.channel,
            reason=plan.reason,
            composition=plan.composition,
            principal=members[0].person,
            spouse=next((m.person for m in members if m.relationship == Relationship.SPOUSE), None),
            children=[m.person for m in members if m.relationship == Relationship.CHILD],
            commune=story.commune.name,
            referrer_organisation=self.cast.organisations[plan.source],
            referrer=story.referrer,
            interview_on=interview_on,
            proposal=proposal,
            prison=story.prison,
            release_on=story.release_on,
            sheltered_in=sheltered.name if sheltered else "",
            sheltered_since=created - dt.timedelta(days=self._shelter_days(plan))
            if sheltered
            else None,
        )
        evaluation = self.writer.write(situation, story.requests[0], complete=complete)
        self.evaluation_updated[evaluation.pk] = written
        if complete:
            for request in story.requests[1:]:
                attached = self.writer.write_attached(evaluation, request, reason=plan.reason)
                self.evaluation_updated[attached.pk] = written

    # -- texts -------------------------------------------------------------------------

    def _notes(self, story: Story) -> str:
        rng = self.rng
        plan, members, commune = story.plan, story.members, story.commune
        principal = members[0].person
        e = "e" if principal.sex == Sex.FEMALE else ""
        children = [m.person for m in members if m.relationship == Relationship.CHILD]
        adults = len(members) - len(children)
        composition = f"Composition : {adults} adulte(s)"
        if children:
            ages = ", ".join(str(c.age_on(self.today)) for c in children)
            composition += f", {len(children)} enfant(s) ({ages} ans)"
        if plan.reason == R.PRISON_RELEASE and plan.channel != EMERGENCY:
            return f"Sans logement à compter du {story.release_on:%d/%m/%Y}. {composition}."
        if plan.channel != EMERGENCY:
            return ""
        match plan.reason:
            case R.FAMILY_VIOLENCE:
                lead = "Violences conjugales : a quitté le domicile ce soir."
            case R.FAMILY_BREAKDOWN:
                lead = f"Mis{e} à la porte par son conjoint ou sa famille ce jour."
            case R.EVICTION:
                lead = "Expulsion locative exécutée ce matin, aucune solution chez des proches."
            case R.ARRIVAL_IN_FRANCE:
                lead = (
                    f"Arrivé{e} à {commune.name} il y a {rng.randint(1, 10)} jours ; appel passé avec "
                    "l'aide d'un compatriote (interprétariat téléphonique)."
                )
            case R.NO_RESOURCES:
                lead = "Plus de ressources, l'hébergement chez un tiers a pris fin."
            case R.PRISON_RELEASE:
                lead = "Sans solution d'hébergement à compter de ce soir."
            case R.HOSPITAL_DISCHARGE:
                lead = "Signalement d'un service social, sans solution ce soir."
            case _:
                lead = f"À la rue depuis {rng.randint(2, 40)} nuits, sans solution ce soir."
        return f"{lead} {composition}."

    # -- dates -------------------------------------------------------------------------

    def _move_dates_back(self) -> None:
        """Give every row the date its story says, in a handful of bulk updates."""
        RequestEvent.objects.filter(
            kind=EventKind.CREATED, request__is_direct_admission=False
        ).update(recorded_at=F("occurred_at"))
        RequestEvent.objects.bulk_update(
            [
                RequestEvent(pk=pk, occurred_at=occurred, recorded_at=recorded)
                for pk, (occurred, recorded) in self.event_times.items()
            ],
            ["occurred_at", "recorded_at"],
            batch_size=500,
        )
        Request.objects.bulk_update(
            [Request(pk=pk, updated_at=moment) for pk, moment in self.request_updated.items()],
            ["updated_at"],
            batch_size=500,
        )
        Request.objects.bulk_update(
            [Request(pk=pk, closed_at=moment) for pk, moment in self.request_closed.items()],
            ["closed_at"],
            batch_size=500,
        )
        Request.objects.bulk_update(
            [Request(pk=pk, created_at=moment) for pk, moment in self.request_created.items()],
            ["created_at"],
            batch_size=500,
        )
        Household.objects.bulk_update(
            [Household(pk=pk, created_at=moment) for pk, moment in self.household_created.items()],
            ["created_at"],
            batch_size=500,
        )
        SocialEvaluation.objects.bulk_update(
            [
                SocialEvaluation(pk=pk, updated_at=moment)
                for pk, moment in self.evaluation_updated.items()
            ],
            ["updated_at"],
            batch_size=500,
        )
