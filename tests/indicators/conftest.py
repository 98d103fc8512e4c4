"""The golden territory: a hand-built fortnight around the spring clock change of 2026.

Clocks go from 02:00 CET to 03:00 CEST on Sunday 29 March 2026, so the day of the 29th
lasts 23 hours and Friday 17:00 is 16:00 UTC on the 27th but 15:00 UTC on 3 April.

Everything is recorded when it happens, except two late entries:
- the direct admission of D1 (Sunday 29, 20:00) is recorded on Monday 30 at 09:00;
- the end of stay of the U1 household (Tuesday 31, 08:00) is recorded on Friday 3 April.

    urgence (CHU Le Phare, 10 urgence places)
      Sat 28 10:00  U1, a mother and two children, call the 115: 3 requests, 1 household
      Sat 28 21:00  U2, a man alone, calls the 115
      Sat 28 22:00  U1 attributed to the CHU; 23:30 admitted; 23:45 arrive
      Sun 29 01:30  U2 attributed (CET); 03:30 admitted (CEST); 03:35 arrives
      Sun 29 20:00  D1 turns up at the CHU: direct admission (recorded Mon 30 09:00)
      Mon 30 00:30  U4 calls the 115 (CEST: 22:30 UTC on Sunday 29)
      Mon 30 10:00  U2 leaves
      Tue 31 08:00  U1 leaves (recorded Fri 3 April)
    insertion (CHRS Les Tilleuls, 20 places) and housing (Maison relais Les Vignes, 5 places)
      Wed 25 10:00  I1, a couple: 2 insertion requests; Thu 26 14:00 attributed to the CHRS
      Fri 27 16:30  L1 asks for housing (before the 17:00 cut-off)
      Fri 27 17:30  L2 asks for housing (after it)
      Mon 30 09:00  I1 admitted by the CHRS
      Tue 31 10:00  L1 attributed to the maison relais; Wed 1 April 11:00 admitted
      Fri 3  16:30  L3 asks for housing (CEST: 14:30 UTC, before the cut-off)
      Fri 3  17:30  L4 asks for housing (CEST: 15:30 UTC, after it)
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db.models import F

from relais.indicators.calendar import PARIS
from relais.orientations.enums import EndDestination, EndReason
from relais.orientations.models import Orientation
from relais.persons.enums import Relationship
from relais.persons.models import HouseholdMember
from relais.places.enums import PlaceType, StructureType
from relais.places.models import CapacityChange, PlaceCapacity, Structure
from relais.requests.enums import Channel, EventKind
from relais.requests.models import Request, RequestEvent
from tests.factories import PersonFactory, StructureFactory, make_evaluation, make_request


def paris(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=PARIS)


@dataclass
class Golden:
    chu: Structure
    chrs: Structure
    maison_relais: Structure
    u1: list[Request]
    u2: Request
    u4: Request
    d1: Request
    i1: list[Request]
    l1: Request
    l2: Request
    l3: Request
    l4: Request


def _household(principal_person, channel, referrer, *others, at):
    principal = make_request(
        person=principal_person, channel=channel, referrer=referrer, occurred_at=at
    )
    requests = [principal]
    for person, relationship in others:
        HouseholdMember.objects.create(
            household=principal.household, person=person, relationship=relationship
        )
        requests.append(
            make_request(
                person=person,
                channel=channel,
                referrer=referrer,
                household=principal.household,
                occurred_at=at,
            )
        )
    return requests


@pytest.fixture
def golden(
    territory, siao_operator, emergency_line_user, social_worker, structure_manager, structure
):
    manager = structure_manager.organisation
    chu = StructureFactory(
        manager=manager, name="CHU Le Phare", structure_type=StructureType.CHU, places=10
    )
    maison_relais = StructureFactory(
        manager=manager,
        name="Maison relais Les Vignes",
        structure_type=StructureType.MAISON_RELAIS,
        places=5,
    )
    chu_places = chu.capacities.get()
    chrs_places = structure.capacities.get()
    mr_places = maison_relais.capacities.get()
    assert (chu_places.place_type, mr_places.place_type) == (PlaceType.EMERGENCY, PlaceType.HOUSING)

    line = emergency_line_user
    # -- urgence
    u1 = _household(
        PersonFactory(),
        Channel.EMERGENCY,
        line,
        (PersonFactory(), Relationship.CHILD),
        (PersonFactory(), Relationship.CHILD),
        at=paris(3, 28, 10),
    )
    u2 = make_request(channel=Channel.EMERGENCY, referrer=line, occurred_at=paris(3, 28, 21))
    o1 = Orientation.attribute(
        request=u1[0], capacity=chu_places, by=siao_operator, at=paris(3, 28, 22)
    )
    o1.admit(by=structure_manager, at=paris(3, 28, 23, 30))
    o1.start_stay(by=structure_manager, at=paris(3, 28, 23, 45))
    o2 = Orientation.attribute(
        request=u2, capacity=chu_places, by=siao_operator, at=paris(3, 29, 1, 30)
    )
    o2.admit(by=structure_manager, at=paris(3, 29, 3, 30))
    o2.start_stay(by=structure_manager, at=paris(3, 29, 3, 35))
    d1 = make_request(
        channel=Channel.EMERGENCY, referrer=structure_manager, occurred_at=paris(3, 29, 20)
    )
    Orientation.admit_directly(request=d1, structure=chu, by=structure_manager, at=paris(3, 29, 20))
    u4 = make_request(channel=Channel.EMERGENCY, referrer=line, occurred_at=paris(3, 30, 0, 30))
    o2.end_stay(
        by=structure_manager,
        at=paris(3, 30, 10),
        destination=EndDestination.FAMILY,
        reason=EndReason.VOLUNTARY,
    )
    o1.end_stay(
        by=structure_manager,
        at=paris(3, 31, 8),
        destination=EndDestination.OTHER_SHELTER,
        reason=EndReason.REORIENTATION,
    )

    # -- insertion and housing
    i1 = _household(
        PersonFactory(),
        Channel.INSERTION,
        social_worker,
        (PersonFactory(), Relationship.SPOUSE),
        at=paris(3, 25, 10),
    )
    make_evaluation(i1[0])
    i1[0].evaluate(by=siao_operator)
    oi = Orientation.attribute(
        request=i1[0], capacity=chrs_places, by=siao_operator, at=paris(3, 26, 14)
    )
    oi.admit(by=structure_manager, at=paris(3, 30, 9))
    housing = {}
    for name, when in [
        ("l1", paris(3, 27, 16, 30)),
        ("l2", paris(3, 27, 17, 30)),
        ("l3", paris(4, 3, 16, 30)),
        ("l4", paris(4, 3, 17, 30)),
    ]:
        housing[name] = make_request(
            channel=Channel.HOUSING, referrer=social_worker, occurred_at=when
        )
    make_evaluation(housing["l1"])
    housing["l1"].evaluate(by=siao_operator)
    ol = Orientation.attribute(
        request=housing["l1"], capacity=mr_places, by=siao_operator, at=paris(3, 31, 10)
    )
    ol.admit(by=structure_manager, at=paris(4, 1, 11))

    # Evaluations were validated "now": put them back in March, right after each request.
    for request in [*i1, housing["l1"]]:
        created = request.events.get(kind=EventKind.CREATED).occurred_at
        request.events.filter(kind=EventKind.EVALUATED).update(
            occurred_at=created + dt.timedelta(hours=1)
        )
    # Recorded as it happened, except the two late entries.
    RequestEvent.objects.update(recorded_at=F("occurred_at"))
    d1.events.update(recorded_at=paris(3, 30, 9))
    RequestEvent.objects.filter(request__in=u1, kind=EventKind.STAY_ENDED).update(
        recorded_at=paris(4, 3, 12)
    )
    # The places were open before the fortnight: their capacity history starts on 1 March.
    CapacityChange.objects.update(occurred_at=paris(3, 1, 0), recorded_at=paris(3, 1, 0))
    assert PlaceCapacity.objects.count() == CapacityChange.objects.count() == 3
    return Golden(
        chu=chu,
        chrs=structure,
        maison_relais=maison_relais,
        u1=u1,
        u2=u2,
        u4=u4,
        d1=d1,
        i1=i1,
        **housing,
    )
