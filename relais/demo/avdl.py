"""The demo's AVDL Justice (JUS-11, seed 001): a worker of the SIAO, account `avdl.justice`,
accompanying 18 people released from the CP de Mulhouse-Lutterbach since their entry into
housing — their caseload nearly full (18 of 20), one measure ending within the alert delay,
one renewed, one stopped early.

Built after the detentions, with its own random generator: the rest of the demo stays as it
was. The worker
account gets the demo password and second factor like the other demo accounts.
"""

import datetime as dt
import random
from base64 import b32decode

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from faker import Faker

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.accounts.security import AUTHENTICATOR_NAME, confirm_authenticator
from relais.avdl import alerts
from relais.avdl.enums import CloseReason
from relais.avdl.models import HousingSupportMeasure, Worker
from relais.justice import dates
from relais.justice.models import Detention
from relais.persons.enums import Sex
from relais.persons.models import Person
from relais.releases import escalations

from . import data
from .people import PersonMaker
from .second_factor import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET
from .territory import Cast

USERNAME = "avdl.justice"
SEED = 1111
# Days since the entry into housing of each active measure (all within the first 2 months):
# the first one ends within the alert delay, the second is renewed.
STARTED_AGO = [52, 50, 45, 41, 38, 35, 31, 28, 26, 23, 20, 17, 14, 12, 9, 7, 4, 2]
HOUSING = [
    "Logement social, Mulhouse (bail glissant)",
    "Résidence sociale, Colmar",
    "Logement privé, Mulhouse",
    "Pension de famille, Guebwiller",
    "Logement social, Saint-Louis",
    "Résidence sociale, Mulhouse",
]


def build(cast: Cast, *, now: dt.datetime) -> Worker:
    today = timezone.localdate(now)
    rng = random.Random(SEED)
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    people = PersonMaker(rng=rng, fake=fake, today=today)
    operator = cast.staff("siao", Role.SIAO_OPERATOR)[0]
    cpip = cast.staff("spip", Role.CPIP)[0]
    worker = Worker.objects.create(
        user=_account(cast), designated_on=today - dt.timedelta(days=400)
    )
    measures = []
    for index, started_ago in enumerate([*STARTED_AGO, 30]):
        detention = _released(
            cast, people=people, rng=rng, cpip=cpip, today=today, started_ago=started_ago
        )
        measures.append(
            HousingSupportMeasure.assign(
                worker=worker,
                detention=detention,
                housing=HOUSING[index % len(HOUSING)],
                starts_on=today - dt.timedelta(days=started_ago),
                by=operator,
                note="Accompagnement demandé lors de la commission du mois.",
            )
        )
    measures[1].renew(
        reason="Ouverture des droits en cours : deux mois de plus pour stabiliser le logement.",
        by=worker.user,
        on=today - dt.timedelta(days=3),
    )
    measures[-1].close(
        on=today - dt.timedelta(days=6),
        reason=CloseReason.RELAY,
        by=worker.user,
        note="Le CCAS de Mulhouse prend le relais.",
    )
    # The daily jobs, as they ran this morning: the follow-up checks after release (JUS-05)
    # of these people, the alert of the measure ending soon.
    escalations.run(today)
    alerts.run(today)
    return worker


def _account(cast: Cast) -> User:
    user = User.objects.create(
        username=USERNAME,
        first_name="Léa",
        last_name="Brunner",
        email="lea.brunner@siao68.example",
        role=Role.SOCIAL_WORKER,
        organisation=cast.organisations["siao"],
        password=make_password(data.PASSWORD),
    )
    device = TOTPDevice.objects.create(
        user=user, name=AUTHENTICATOR_NAME, key=b32decode(DEMO_TOTP_SECRET).hex()
    )
    confirm_authenticator(device, recovery_codes=DEMO_RECOVERY_CODES)
    return user


def _released(cast: Cast, *, people, rng, cpip, today: dt.date, started_ago: int) -> Detention:
    """A man released from the CP de Mulhouse-Lutterbach a few days before his entry into
    housing, his judicial measure running for months yet."""
    person = people.household(
        composition="single",
        principal_sex=Sex.MALE if rng.random() < 0.9 else Sex.FEMALE,
        principal_age=rng.randint(22, 60),
        origin=people.origin(french_share=0.75),
    )[0].person
    Person.objects.bulk_create([person])
    released_on = today - dt.timedelta(days=started_ago + rng.randint(3, 20))
    detention = Detention.record(
        by=cpip,
        person=person,
        establishment=cast.organisations["cp-lutterbach"],
        prison_number=f"A{rng.randint(10000, 99999)}",
        spip=cast.organisations["spip"],
        cpip=cpip,
        incarcerated_on=released_on - dt.timedelta(days=rng.randint(200, 700)),
        sentence_years=1,
        sentence_months=rng.randint(0, 11),
        end_date=released_on + dt.timedelta(days=rng.randint(0, 30)),
    )
    detention.release(on=released_on, by=cpip, measure_ends_on=dates.add_months(released_on, 12))
    return detention
