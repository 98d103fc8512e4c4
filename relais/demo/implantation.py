"""The demo's SIAE implantation (IAE-09): one project in progress at a second establishment of
the territory — steps 1 to 3 done, step 4 under way (and a few days late), the DUI signed and
sent to part of its recipients, the SIAE agreement half signed — and the establishment's
demo account, of role prison_staff, who runs it.

Called by the loader after the cast is built; everything is dated from `now`.
"""

import datetime as dt
from base64 import b32decode

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, Territory, User
from relais.accounts.security import AUTHENTICATOR_NAME, confirm_authenticator
from relais.implantation.enums import ActKind, Party, StepEventKind
from relais.implantation.models import SIAE_ROLES, ActParty, ImplantationProject

from . import data
from .second_factor import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET

ACCOUNT = data.AccountSpec(
    "personnel.penitentiaire", Role.PRISON_STAFF, "mc-ensisheim", "Nadia", "Lang"
)

# Days after the project's start: (step, started, done or None).
STEPS = [(1, 0, 80), (2, 80, 125), (3, 125, 150), (4, 150, None)]
STARTED_DAYS_AGO = 215
# (act, party, days after the start)
SIGNATURES = [
    (ActKind.DUI, Party.SIAE, 140),
    (ActKind.DUI, Party.DDETS, 145),
    (ActKind.DUI, Party.DISP, 145),
    (ActKind.AGREEMENT, Party.SIAE, 195),
    (ActKind.AGREEMENT, Party.DISP, 203),
    (ActKind.IMPLANTATION_CONTRACT, Party.SIAE, 205),
]
NOTES = {
    1: "Trois COPIL tenus ; chef de projet commun nommé.",
    2: "Deux SIAE rencontrées, visite de l'établissement ; Tremplin Doller retenue.",
    3: "Étude de faisabilité validée : atelier du bâtiment B, devis reçus.",
    4: "Deuxième COPIL de co-construction fait ; calendrier des comités techniques à fixer.",
}


def load(
    territory: Territory,
    *,
    establishment: Organisation,
    siae: Organisation,
    now: dt.datetime | None = None,
) -> ImplantationProject:
    """The project at `establishment` (a prison of `territory`) with `siae`; its account."""
    if establishment.territory_id != territory.pk or siae.territory_id != territory.pk:
        raise ValueError("The establishment and the SIAE must be of the demo territory.")
    if establishment.kind != OrganisationKind.PRISON or siae.kind != OrganisationKind.SIAE:
        raise ValueError("Expected a prison and an SIAE.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    staff = _prison_account(establishment)
    coach = User.objects.filter(organisation=siae, role__in=SIAE_ROLES).order_by("pk").first()
    start = today - dt.timedelta(days=STARTED_DAYS_AGO)

    def moment(days: int) -> dt.datetime:
        day = start + dt.timedelta(days=days)
        return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))

    project = ImplantationProject.open(
        by=staff,
        establishment=establishment,
        siae=siae,
        activity="Menuiserie : fabrication de mobilier de jardin en bois local",
        lead_name="Nadia Lang (établissement) et Karima Haddad (SPIP)",
        started_on=start,
        target_opening_on=start + dt.timedelta(days=330),
        notes="Projet suivi en COPIL mensuel avec la DISP et la DDETS.",
    )
    steps = {step.number: step for step in project.steps.all()}
    for number, started, done in STEPS:
        step = steps[number]
        step.take(
            StepEventKind.STARTED,
            by=staff,
            on=start + dt.timedelta(days=started),
            at=moment(started),
        )
        if done is not None:
            step.take(
                StepEventKind.FINISHED,
                by=staff,
                on=start + dt.timedelta(days=done),
                note=NOTES[number],
                at=moment(done),
            )
        else:
            step.notes = NOTES[number]
            step.save(update_fields=["notes"])
    for act, party, days in SIGNATURES:
        row = ActParty.objects.get(act__project=project, act__kind=act, party=party)
        by = coach if party == Party.SIAE and coach else staff
        row.record(start + dt.timedelta(days=days), by=by)
    return project


def _prison_account(establishment: Organisation) -> User:
    """The establishment's first prison_staff account, or a demo account made for it."""
    found = (
        User.objects.filter(organisation=establishment, role=Role.PRISON_STAFF)
        .order_by("pk")
        .first()
    )
    if found:
        return found
    user = User.objects.create(
        username=ACCOUNT.username,
        first_name=ACCOUNT.first_name,
        last_name=ACCOUNT.last_name,
        email="nadia.lang@mc-ensisheim-justice.example",
        role=ACCOUNT.role,
        organisation=establishment,
        password=make_password(data.PASSWORD),
    )
    # The demo's published authenticator and recovery codes, as every demo account has.
    device = TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=b32decode(DEMO_TOTP_SECRET).hex()
    )
    confirm_authenticator(device, recovery_codes=DEMO_RECOVERY_CODES)
    return user
