"""SIAO-13: in urgence the structure cannot refuse, unless it is a CHRS or has CHRS status.

The rule has two branches (`Structure.is_chrs`): the structure's type is a CHRS type, or the
structure holds the CHRS status whatever its type. Each branch is tested alone, with the other
one off, through the model, the structure's notice and the decision page.
"""

import html

import pytest
from django.urls import reverse

from relais.notifications.models import Notification
from relais.orientations.enums import OrientationState, RefusalReason
from relais.orientations.models import Orientation
from relais.places.enums import StructureType
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import TransitionNotAllowed
from tests.factories import StructureFactory, make_request

pytestmark = pytest.mark.django_db

# (structure type, CHRS status, may refuse an urgence orientation)
CASES = {
    "chrs_type_without_status": (StructureType.EMERGENCY_IN_CHRS, False, True),
    "chrs_status_with_another_type": (StructureType.CHU, True, True),
    "neither": (StructureType.CHU, False, False),
}


@pytest.fixture(params=list(CASES))
def urgence_case(request, social_worker, siao_operator, structure_manager):
    structure_type, has_chrs_status, may_refuse = CASES[request.param]
    shelter = StructureFactory(
        manager=structure_manager.organisation,
        structure_type=structure_type,
        has_chrs_status=has_chrs_status,
        places=5,
    )
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = Orientation.attribute(
        request=req, capacity=shelter.capacities.get(), by=siao_operator
    )
    return orientation, may_refuse


def test_siao_13_urgence_refusal_depends_on_chrs_type_or_status(urgence_case, structure_manager):
    orientation, may_refuse = urgence_case
    assert orientation.can_be_refused is may_refuse
    if may_refuse:
        orientation.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
        assert orientation.state == OrientationState.REFUSED
        orientation.request.refresh_from_db()
        assert orientation.request.status != RequestStatus.ORIENTED
    else:
        with pytest.raises(TransitionNotAllowed, match="seule une structure CHRS"):
            orientation.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
        orientation.refresh_from_db()
        assert orientation.state == OrientationState.PROPOSED


def test_siao_13_the_structure_is_told_whether_it_may_refuse(urgence_case, structure_manager):
    orientation, may_refuse = urgence_case
    notice = Notification.objects.get(recipient=structure_manager, orientation=orientation)
    assert ("ne peut pas la refuser" not in notice.message) is may_refuse
    assert ("acceptation ou refus motivé" in notice.message) is may_refuse


def test_siao_13_the_decision_page_offers_refusal_only_when_allowed(
    client, urgence_case, structure_manager
):
    orientation, may_refuse = urgence_case
    client.force_login(structure_manager)
    page = html.unescape(
        client.get(reverse("orientations:detail", args=[orientation.pk])).content.decode()
    )
    assert "Accepter l'admission" in page
    assert ("Refuser l'admission" in page) is may_refuse
    assert ("ne peut pas refuser l'admission" in page) is not may_refuse
    response = client.post(
        reverse("orientations:refuse", args=[orientation.pk]),
        {"reason": RefusalReason.PUBLIC_NOT_SERVED, "comment": ""},
        follow=True,
    )
    assert response.status_code == 200
    orientation.refresh_from_db()
    expected = OrientationState.REFUSED if may_refuse else OrientationState.PROPOSED
    assert orientation.state == expected
    if not may_refuse:
        assert "seule une structure CHRS" in html.unescape(response.content.decode())


def test_siao_13_outside_urgence_any_structure_may_refuse(
    evaluated_request, siao_operator, structure_manager
):
    not_chrs = StructureFactory(
        manager=structure_manager.organisation,
        structure_type=StructureType.INSERTION_OTHER,
        has_chrs_status=False,
        places=5,
    )
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=not_chrs.capacities.get(), by=siao_operator
    )
    assert evaluated_request.channel == Channel.INSERTION
    orientation.refuse(by=structure_manager, reason=RefusalReason.PUBLIC_NOT_SERVED)
    assert orientation.state == OrientationState.REFUSED
