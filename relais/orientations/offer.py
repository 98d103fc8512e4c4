"""May this capacity be offered to this request? The one rule (JUS-03, JUS-12), used by the
suggestions, the attribution, the pre-positioning, the reservation, the direct admission and
the SPIP's placement à l'extérieur.

- Ordinary places go to anyone (the other criteria are the orientation's).
- Places reserved for people leaving detention (a contingent, seed 001) go to a request
  linked to a detention: still in detention, or released within the last
  RECENT_RELEASE_MONTHS months (the post-release follow-up of `relais.releases`: its last
  check is at 6 months).
- Flying places, kept for dry exits (the SAS flat of seed 001), go only to a release without
  solution — the dry-exit path of the release pipeline: a dry exit recorded for the request's
  detention in the last DRY_EXIT_DAYS days (`releases.DryExit`, written by the daily
  `escalate_releases`), or a person due out within the territory's last escalation step
  (7 days by default), or released today, with no housing secured (admitted, in stay, or a
  place reserved for a window: `relais.releases.housing` reads it the same way).
- Placement à l'extérieur places are never offered by the SIAO's flow: only the SPIP places
  a person there, under the agreement (`Orientation.place_outside`).

Read through the relations that point to detentions: orientations need not import releases
(which sits above them).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from relais.justice.dates import add_months
from relais.justice.enums import DetentionState
from relais.places.enums import PlaceReservation

R = PlaceReservation

RECENT_RELEASE_MONTHS = 6
DRY_EXIT_DAYS = 7
DEFAULT_SOON_DAYS = 7

PLACEMENT_REFUSAL = (
    "Ces places sont dédiées au placement à l'extérieur (convention entre l'administration "
    "pénitentiaire et la structure) : seul le SPIP y enregistre un placement. Choisissez une "
    "autre place."
)
DETENTION_REFUSAL = (
    "Ces places sont réservées aux personnes sortant de détention : la demande n'est liée à "
    f"aucune détention en cours ou terminée depuis moins de {RECENT_RELEASE_MONTHS} mois. "
    "Choisissez une autre place."
)
FLYING_REFUSAL = (
    "Cette place volante est gardée pour les sorties sèches : elle ne s'offre qu'à une "
    "personne qui sort de détention sans solution d'hébergement (sortie sèche enregistrée, "
    "sortie aujourd'hui ou toute proche). Choisissez une autre place."
)
ONLY_PLACEMENT = (
    "Un placement à l'extérieur s'enregistre sur les places dédiées par une convention de "
    "placement à l'extérieur."
)


def _detention(request):
    return request.detention if request.detention_id else None


def has_recent_detention(request, today: dt.date | None = None) -> bool:
    """In detention, or released within RECENT_RELEASE_MONTHS months."""
    today = today or timezone.localdate()
    detention = _detention(request)
    if detention is None:
        return False
    if detention.state == DetentionState.IN_DETENTION:
        return True
    released = detention.released_on
    return released is not None and add_months(today, -RECENT_RELEASE_MONTHS) <= released <= today


def soon_days(territory) -> int:
    """Due out "soon": within the territory's last escalation step before release."""
    steps = territory.escalation_days
    return min(steps) if steps else DEFAULT_SOON_DAYS


def housing_secured(detention) -> bool:
    """A place admitted, in stay, or reserved for a window, for a request of the detention."""
    from .enums import OrientationState as S
    from .models import Orientation

    return (
        Orientation.objects.filter(request__detention_id=detention.pk)
        .filter(
            Q(state__in=[S.ADMITTED, S.IN_STAY])
            | Q(state=S.PROPOSED, window_starts_on__isnull=False)
        )
        .exists()
    )


def on_dry_exit_path(request, today: dt.date | None = None) -> bool:
    """JUS-12: a release without solution (see the module docstring)."""
    today = today or timezone.localdate()
    detention = _detention(request)
    if detention is None or housing_secured(detention):
        return False
    recorded = detention.dry_exits.filter(
        on__gte=today - dt.timedelta(days=DRY_EXIT_DAYS), on__lte=today
    )
    if recorded.exists():
        return True
    if detention.state == DetentionState.IN_DETENTION:
        day = detention.due_on
        return day is not None and day <= today + dt.timedelta(days=soon_days(detention.territory))
    return detention.released_on == today


def reservations_open_to(request, today: dt.date | None = None) -> set[str]:
    """The kinds of reserved places the SIAO's flow may offer this request."""
    kinds = {R.ORDINARY}
    if has_recent_detention(request, today):
        kinds.add(R.DETENTION)
    if on_dry_exit_path(request, today):
        kinds.add(R.FLYING)
    return kinds


def offer_refusal(capacity, request, *, placement: bool = False, today=None) -> str:
    """Why `capacity` may not be offered to `request` (French), or "". `placement`: the
    SPIP's placement à l'extérieur, which takes placement places only."""
    reservation = capacity.reservation
    if placement:
        return "" if reservation == R.PLACEMENT else ONLY_PLACEMENT
    if reservation == R.ORDINARY:
        return ""
    if reservation == R.PLACEMENT:
        return PLACEMENT_REFUSAL
    if reservation in reservations_open_to(request, today):
        return ""
    return DETENTION_REFUSAL if reservation == R.DETENTION else FLYING_REFUSAL
