"""Builders of the AVDL Justice tests (JUS-11): a worker of the SIAO, a person with a
justice background, a stay that started, a measure."""

import datetime as dt

from django.utils import timezone

from relais.avdl.models import HousingSupportMeasure, Worker
from relais.orientations.models import Orientation
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
)


def make_worker(siao, **values) -> Worker:
    """A social worker of the SIAO designated as AVDL Justice worker."""
    user = UserFactory(social_worker=True, organisation=siao, **values)
    return Worker.objects.create(user=user)


def released(territory, *, cpip=None, days_ago: int = 20, measure_months: int = 6):
    """A detention of the territory, released `days_ago` days ago, its measure running."""
    detention = make_detention(cpip=cpip) if cpip else make_detention(territory=territory)
    today = timezone.localdate()
    detention.release(
        on=today - dt.timedelta(days=days_ago),
        by=detention.cpip,
        measure_ends_on=today + dt.timedelta(days=30 * measure_months),
    )
    return detention


def stay_for(detention, *, siao_operator, arrived_days_ago: int = 3) -> Orientation:
    """The person of `detention` in stay in a structure of its territory since
    `arrived_days_ago` days."""
    req = make_request(detention.person, referrer=detention.cpip)
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    manager = OrganisationFactory(structure_manager=True, territory=detention.territory)
    capacity = StructureFactory(manager=manager, places=5).capacities.get()
    now = timezone.now()
    arrival = now - dt.timedelta(days=arrived_days_ago)
    orientation = Orientation.attribute(
        request=req, capacity=capacity, by=siao_operator, at=arrival - dt.timedelta(hours=3)
    )
    orientation.admit(by=siao_operator, at=arrival - dt.timedelta(hours=2))
    orientation.start_stay(by=siao_operator, at=arrival)
    return orientation


def make_measure(
    worker: Worker,
    *,
    siao_operator,
    detention=None,
    starts_days_ago: int = 5,
    housing: str = "Logement social, Mulhouse",
) -> HousingSupportMeasure:
    """A measure of housing outside Relais, entered `starts_days_ago` days ago."""
    detention = detention or released(worker.territory)
    return HousingSupportMeasure.assign(
        worker=worker,
        detention=detention,
        housing=housing,
        starts_on=timezone.localdate() - dt.timedelta(days=starts_days_ago),
        by=siao_operator,
    )
