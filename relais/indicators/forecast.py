"""The SPIP's yearly forecast of place needs, per establishment (JUS-09; seed 000, article 2:
« communiquer … par an au SIAO les besoins prévisionnels en place d'hébergement et/ou en
logement accompagné des personnes prises en charge au sein du ou des établissements »).

The method, for the twelve months from a first day D (the page says it in these words):

1. **Sorties prévues**: the people in detention now whose earliest possible release
   (`Detention.due_on`: the expected end of sentence, or the LSC date when it comes first)
   falls in [D, D + 12 months). People awaiting trial have no date: counted apart, not in
   the needs.
2. **Part des sorties sans solution**: over the twelve months before D, the people who left
   the establishment (see `relais.indicators.justice`: a release recorded, or a dry exit) and,
   among them, those who left with no secured solution (a dry exit). An establishment with no
   exit over that year takes the rate of all the establishments shown.
3. **Besoin estimé** = sorties prévues × part sans solution, rounded to the nearest whole
   place (half up).
4. **Par type de place**: the need is split as the housing requests of people leaving that
   establishment were over the same past year, by the dispositif they asked for (urgence,
   insertion / stabilisation, logement); without any, as those of all the establishments
   shown. The parts are rounded so that they add up to the need (largest remainders).

Who sees which establishments (`scope_for`): the CPIP those of their SPIP (the detentions it
follows); the SIAO and the State service those of their territory. Only counts are shown,
never a person.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied

from relais.accounts.enums import Role
from relais.accounts.models import Organisation, Territory
from relais.justice.dates import add_months
from relais.justice.enums import DetentionEventKind, DetentionState, LegalStatus
from relais.justice.models import Detention, DetentionEvent
from relais.releases.models import DryExit
from relais.requests.enums import Channel
from relais.requests.models import Request

CHANNEL_PLACES = {
    Channel.EMERGENCY: "Places d'urgence",
    Channel.INSERTION: "Places d'insertion ou de stabilisation",
    Channel.HOUSING: "Places de logement (logement adapté ou accompagné)",
}
CHANNELS = list(Channel.values)

METHOD = [
    "Sorties prévues : les personnes aujourd'hui détenues dont la date de sortie possible au "
    "plus tôt (fin de peine prévue, ou date de libération sous contrainte si elle vient "
    "avant) tombe dans les douze mois de la prévision. Les personnes prévenues, sans date, "
    "sont comptées à part et n'entrent pas dans les besoins.",
    "Part des sorties sans solution : sur les douze mois qui précèdent, parmi les personnes "
    "sorties de l'établissement (libération enregistrée ou sortie sèche), celles qui sont "
    "sorties sans solution d'hébergement acquise (sortie sèche). Un établissement sans aucune "
    "sortie sur cette année prend la part de l'ensemble des établissements affichés.",
    "Besoin estimé = sorties prévues × part des sorties sans solution, arrondi à la place la "
    "plus proche.",
    "Par type de place : le besoin est réparti comme les demandes d'hébergement des personnes "
    "sortant de cet établissement l'an passé, selon le dispositif demandé (urgence, insertion "
    "ou stabilisation, logement) ; à défaut, comme celles de l'ensemble des établissements "
    "affichés. Les parts sont arrondies pour que leur somme fasse le besoin.",
]


@dataclass(frozen=True)
class Scope:
    territory: Territory
    spip: Organisation | None = None  # the CPIP's SPIP; None: the whole territory

    @property
    def label(self) -> str:
        return str(self.spip) if self.spip else f"territoire {self.territory}"

    def detentions(self):
        found = Detention.objects.filter(territory=self.territory)
        return found.filter(spip=self.spip) if self.spip else found


def scope_for(user, territory: Territory | None = None) -> Scope:
    """What the user's forecast covers; PermissionDenied for the roles that have none."""
    if not user.is_authenticated:
        raise PermissionDenied
    if user.is_superuser:
        if territory is None:
            raise PermissionDenied
        return Scope(territory)
    if not user.organisation_id:
        raise PermissionDenied
    organisation = user.organisation
    if user.role == Role.CPIP:
        return Scope(organisation.territory, spip=organisation)
    if user.role in (Role.SIAO_OPERATOR, Role.STATE_SERVICE):
        return Scope(organisation.territory)
    raise PermissionDenied(
        "La prévision des besoins est réservée au SPIP, au SIAO et aux services de l'État."
    )


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` shared in proportion to `weights`, whole numbers adding up to `total` (largest
    remainders, ties in the order of the dispositifs)."""
    whole = sum(weights.values())
    if not whole:
        return {}
    exact = {key: Decimal(total * weights.get(key, 0)) / whole for key in CHANNELS}
    parts = {key: int(value) for key, value in exact.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(CHANNELS, key=lambda k: (-(exact[k] - parts[k]), CHANNELS.index(k)))
    for key in by_remainder[:left]:
        parts[key] += 1
    return parts


@dataclass
class Line:
    establishment: Organisation
    expected: int = 0
    undated: int = 0
    past_exits: int = 0
    past_dry: int = 0
    requested: Counter = field(default_factory=Counter)
    rate: Decimal | None = None  # share without solution, 0..1
    rate_from_all: bool = False
    mix_from_all: bool = False
    need: int | None = None
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def rate_percent(self) -> Decimal | None:
        if self.rate is None:
            return None
        return (100 * self.rate).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def need_of(self, channel: str) -> int | None:
        return self.by_type.get(channel) if self.by_type else None

    @property
    def type_values(self) -> list[int | None]:
        """The need per dispositif, in the order of CHANNELS (None: not split)."""
        return [self.need_of(channel) for channel in CHANNELS]

    @property
    def difference(self) -> int | None:
        """This year's need against last year's dry exits (year over year)."""
        return None if self.need is None else self.need - self.past_dry


@dataclass
class Forecast:
    scope: Scope
    first_day: dt.date
    lines: list[Line]
    total: Line

    @property
    def last_day(self) -> dt.date:
        return add_months(self.first_day, 12) - dt.timedelta(days=1)

    @property
    def past_first_day(self) -> dt.date:
        return add_months(self.first_day, -12)

    @property
    def channels(self) -> list[tuple[str, str]]:
        return [(c, CHANNEL_PLACES[c]) for c in CHANNELS]


def _exits(detentions, start: dt.date, end: dt.date) -> dict[int, bool]:
    """{detention id: left without solution} for the detentions whose first exit day (a
    recorded release or a dry exit) falls in [start, end)."""
    days: dict[int, list[tuple[dt.date, bool]]] = defaultdict(list)
    for pk, on in DetentionEvent.objects.filter(
        detention__in=detentions, kind=DetentionEventKind.RELEASED
    ).values_list("detention_id", "data__on"):
        if on:
            days[pk].append((dt.date.fromisoformat(on), False))
    for pk, on in DryExit.objects.filter(detention__in=detentions).values_list(
        "detention_id", "on"
    ):
        days[pk].append((on, True))
    result = {}
    for pk, facts in days.items():
        first = min(on for on, _ in facts)
        if start <= first < end:
            result[pk] = any(dry for _, dry in facts)
    return result


def compute(scope: Scope, first_day: dt.date) -> Forecast:
    end = add_months(first_day, 12)
    past = add_months(first_day, -12)
    detentions = scope.detentions()
    lines: dict[int, Line] = {}

    def line(establishment_id: int) -> Line:
        if establishment_id not in lines:
            lines[establishment_id] = Line(establishment=establishments[establishment_id])
        return lines[establishment_id]

    shown = Organisation.objects.filter(pk__in=detentions.values("establishment_id"))
    if scope.spip:
        shown = Organisation.objects.filter(
            pk__in=detentions.values("establishment_id")
        ) | Organisation.objects.filter(spip=scope.spip)
    establishments = {o.pk: o for o in shown.order_by("name")}
    for pk in establishments:
        line(pk)

    in_detention = detentions.filter(state=DetentionState.IN_DETENTION)
    for establishment_id, due_on, status in in_detention.values_list(
        "establishment_id", "due_on", "legal_status"
    ):
        if due_on is None or status == LegalStatus.REMAND:
            line(establishment_id).undated += 1
            continue
        if first_day <= due_on < end:
            line(establishment_id).expected += 1

    exits = _exits(detentions, past, first_day)
    establishment_of = dict(
        detentions.filter(pk__in=list(exits)).values_list("pk", "establishment_id")
    )
    for pk, dry in exits.items():
        found = line(establishment_of[pk])
        found.past_exits += 1
        found.past_dry += dry

    for establishment_id, channel in Request.objects.filter(
        detention__in=detentions, requested_on__gte=past, requested_on__lt=first_day
    ).values_list("detention__establishment_id", "channel"):
        line(establishment_id).requested[channel] += 1

    ordered = sorted(lines.values(), key=lambda x: x.establishment.name)
    total = Line(establishment=None)
    for found in ordered:
        total.expected += found.expected
        total.undated += found.undated
        total.past_exits += found.past_exits
        total.past_dry += found.past_dry
        total.requested.update(found.requested)
    total.rate = Decimal(total.past_dry) / total.past_exits if total.past_exits else None
    for found in ordered:
        if found.past_exits:
            found.rate = Decimal(found.past_dry) / found.past_exits
        else:
            found.rate, found.rate_from_all = total.rate, True
        if found.rate is not None:
            found.need = _round(found.expected * found.rate)
        weights = found.requested
        if not sum(weights.values()):
            weights, found.mix_from_all = total.requested, True
        if found.need is not None:
            found.by_type = split(found.need, weights)
    total.need = (
        sum(f.need for f in ordered if f.need is not None)
        if any(f.need is not None for f in ordered)
        else None
    )
    by_type: Counter = Counter()
    for found in ordered:
        by_type.update(found.by_type)
    total.by_type = {c: by_type[c] for c in CHANNELS} if by_type else {}
    return Forecast(scope, first_day, ordered, total)


def frozen(built: Forecast) -> list[dict]:
    """The forecast's lines as sent to the SIAO (JSON): what the page showed, kept as is."""

    def row(line: Line, label: str) -> dict:
        return {
            "label": label,
            "expected": line.expected,
            "undated": line.undated,
            "past_exits": line.past_exits,
            "past_dry": line.past_dry,
            "rate": float(line.rate_percent) if line.rate_percent is not None else None,
            "need": line.need,
            "by_type": line.type_values,
            "total": line.establishment is None,
        }

    return [row(line, line.establishment.name) for line in built.lines] + [
        row(built.total, "Total")
    ]


def send(built: Forecast, *, by):
    """Record the forecast as sent to the SIAO by the user's SPIP (a frozen, dated copy)."""
    from .models import ForecastSnapshot

    if built.scope.spip is None:
        raise PermissionDenied("Seul un SPIP envoie sa prévision au SIAO.")
    return ForecastSnapshot.objects.create(
        territory=built.scope.territory,
        spip=built.scope.spip,
        first_day=built.first_day,
        last_day=built.last_day,
        sent_by=by,
        lines=frozen(built),
        method=list(METHOD),
    )
