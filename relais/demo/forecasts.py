"""The past year of releases for the SPIP's forecast and the justice indicators (JUS-09,
issue 13 points 5 and 6): people who left Mulhouse-Lutterbach and Ensisheim over the twelve
months before the load, most with a housing solution, some without (dry exits, the 115
alerted that day), and libérations sous contrainte refused for lack of housing; and the
forecast the SPIP sent the SIAO a fortnight ago.

The forecast reads from them the share of releases without a solution per establishment;
the dashboard shows them month by month. Everything goes through the real transitions; the
events are then dated as the story says (recorded when they happened)."""

import datetime as dt
import random

from django.utils import timezone
from faker import Faker

from relais.accounts.enums import Role
from relais.indicators import forecast
from relais.indicators.models import ForecastSnapshot
from relais.justice import dates
from relais.justice.enums import AdjustmentEventKind, AdjustmentKind, AdjustmentRefusalReason
from relais.justice.models import AdjustmentEvent, Detention, DetentionEvent, SentenceAdjustment
from relais.persons.enums import Sex
from relais.persons.models import Person
from relais.releases import escalations
from relais.releases.housing import Solution
from relais.releases.models import DryExit

from .detentions import ENSISHEIM, LUTTERBACH
from .people import PersonMaker
from .territory import Cast

# (establishment, released that many days before the load, left without a solution,
#  LSC refused for lack of housing before the release)
PAST_RELEASES = [
    (LUTTERBACH, 25, False, False),
    (LUTTERBACH, 48, True, True),
    (LUTTERBACH, 70, False, False),
    (LUTTERBACH, 96, False, False),
    (LUTTERBACH, 130, True, False),
    (LUTTERBACH, 165, False, True),
    (LUTTERBACH, 200, False, False),
    (LUTTERBACH, 240, True, False),
    (LUTTERBACH, 290, False, False),
    (LUTTERBACH, 330, False, False),
    (ENSISHEIM, 60, False, False),
    (ENSISHEIM, 150, True, False),
    (ENSISHEIM, 260, False, False),
]
SENTENCE = (1, 6, 0)


class ForecastBuilder:
    def __init__(self, *, cast: Cast, seed: int, now: dt.datetime) -> None:
        self.cast = cast
        self.rng = rng = random.Random(seed)
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.now = now
        self.today = timezone.localdate(now)
        self.people = PersonMaker(rng=rng, fake=fake, today=self.today)
        self.spip = cast.organisations["spip"]
        self.cpip = cast.staff("spip", Role.CPIP)[0]
        self.times: dict[type, dict[int, dt.datetime]] = {
            DetentionEvent: {},
            AdjustmentEvent: {},
        }

    def _moment(self, day: dt.date, hour: int = 10) -> dt.datetime:
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
        return min(moment, self.now - dt.timedelta(minutes=30))

    def build(self) -> None:
        for n, (prison, ago, dry, lsc_refused) in enumerate(PAST_RELEASES):
            number = f"{900000 + n}"  # six digits: never one of the other cases' numbers
            self._release(prison, number, ago=ago, dry=dry, lsc_refused=lsc_refused)
        for model, times in self.times.items():
            model.objects.bulk_update(
                [model(pk=pk, occurred_at=at, recorded_at=at) for pk, at in times.items()],
                ["occurred_at", "recorded_at"],
            )
        # The daily job again, as it ran this morning: the follow-up checks of these releases.
        escalations.run(self.today)
        # The SPIP sent this year's forecast to the SIAO a fortnight ago.
        sent = forecast.send(
            forecast.compute(forecast.scope_for(self.cpip), self.today), by=self.cpip
        )
        ForecastSnapshot.objects.filter(pk=sent.pk).update(sent_at=self.now - dt.timedelta(days=14))

    def _release(self, prison: str, number: str, *, ago: int, dry: bool, lsc_refused: bool):
        person = self.people.household(
            composition="single",
            principal_sex=Sex.MALE if self.rng.random() < 0.9 else Sex.FEMALE,
            principal_age=self.rng.randint(21, 55),
            origin=self.people.origin(french_share=0.75),
        )[0].person
        Person.objects.bulk_create([person])
        released_on = self.today - dt.timedelta(days=ago)
        years, months, days = SENTENCE
        incarcerated_on = dates.add_months(released_on, -(12 * years + months)) - dt.timedelta(
            days=days
        )
        detention = Detention.record(
            by=self.cpip,
            person=person,
            establishment=self.cast.organisations[prison],
            prison_number=number,
            spip=self.spip,
            cpip=self.cpip,
            incarcerated_on=incarcerated_on,
            sentence_years=years,
            sentence_months=months,
            sentence_days=days,
            end_date=released_on,
        )
        recorded = self._moment(incarcerated_on + dt.timedelta(days=10))
        Detention.objects.filter(pk=detention.pk).update(created_at=recorded)
        Person.objects.filter(pk=person.pk).update(created_at=recorded)
        for pk in detention.events.values_list("pk", flat=True):
            self.times[DetentionEvent][pk] = recorded
        if lsc_refused:
            self._lsc_refused(detention, released_on)
        if dry:
            DryExit.objects.create(
                detention=detention,
                person=person,
                on=released_on,
                solution=Solution.EVALUATED,
                recorded_at=self._moment(released_on, 7),
            )
        _, event = detention.release(on=released_on, by=self.cpip)
        self.times[DetentionEvent][event.pk] = self._moment(released_on, 9)

    def _lsc_refused(self, detention: Detention, released_on: dt.date) -> None:
        adjustment = SentenceAdjustment.plan(detention, kind=AdjustmentKind.LSC, by=self.cpip)
        adjustment.take(AdjustmentEventKind.REQUESTED, by=self.cpip)
        adjustment.take(
            AdjustmentEventKind.REFUSED,
            by=self.cpip,
            refusal_reason=AdjustmentRefusalReason.NO_HOUSING,
        )
        days = [40, 30, 20]
        for pk, before in zip(
            adjustment.events.order_by("pk").values_list("pk", flat=True), days, strict=True
        ):
            self.times[AdjustmentEvent][pk] = self._moment(released_on - dt.timedelta(days=before))
