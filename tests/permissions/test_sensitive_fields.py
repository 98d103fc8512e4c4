"""SIAO-20, field by field: sensitive values planted in a file, then every page, notice,
print and export each role can open is read, and the value is found only by those who may
read it (relais/requests/sensitivity.py).

Two files: an insertion request (evaluated, refused by a first CHRS for health reasons, then
hosted by a second one) and an urgence request (refused by a CHRS, then hosted, then ended
in detention), both referred by the same social service.
"""

import io
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from relais.access.models import AccessGrant
from relais.orientations.enums import EndDestination, EndReason, RefusalReason
from relais.orientations.models import Orientation
from relais.places.enums import StructureType
from relais.requests.enums import Channel, HousingSituation
from relais.requests.models import Request, ResourceLine
from tests.factories import StructureFactory, make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db

REFUSAL_COMMENT = "soins infirmiers quotidiens"
REFUSAL_REASON = RefusalReason.HEALTH_NEEDS.label
HOUSING_COMMENT = "Écroué à la maison d'arrêt depuis 2024"
HOUSING_LABEL = HousingSituation.JUDICIAL.label
AAH_DETAIL = "allocation adulte handicapé taux 80"
AAH_AMOUNT = "971,37"
DESTINATION = EndDestination.PRISON.label
STAY_NOTE = "Incarcération après jugement"
# Every value above, and who reads them all: the SIAO and the referring service.
PLANTED = [
    REFUSAL_COMMENT,
    REFUSAL_REASON,
    HOUSING_COMMENT,
    HOUSING_LABEL,
    AAH_DETAIL,
    AAH_AMOUNT,
    DESTINATION,
    STAY_NOTE,
]


@dataclass
class File:
    insertion: Request
    urgence: Request
    first_chrs_manager: object
    urgence_manager: object


def _refused_then_hosted(req, *, siao, refuser_structure, host_structure, host_manager, refuser):
    refused = orient(req, by=siao, structure=refuser_structure)
    refused.refuse(by=refuser, reason=RefusalReason.HEALTH_NEEDS, comment=REFUSAL_COMMENT)
    hosted = orient(req, by=siao, structure=host_structure)
    hosted.admit(by=host_manager)
    hosted.start_stay(by=host_manager)
    return hosted


@pytest.fixture
def file(siao_operator, social_worker, structure_manager, structure):
    insertion = make_request(referrer=social_worker, channel=Channel.INSERTION)
    evaluation = make_evaluation(
        insertion, housing_situation=HousingSituation.JUDICIAL, housing_comment=HOUSING_COMMENT
    )
    ResourceLine.objects.create(
        evaluation=evaluation,
        holder="applicant",
        kind="aah",
        monthly_amount="971.37",
        detail=AAH_DETAIL,
    )
    insertion.evaluate(by=siao_operator)
    first_chrs = StructureFactory(manager__territory=insertion.territory)
    first_manager = _manager_of(first_chrs)
    _refused_then_hosted(
        insertion,
        siao=siao_operator,
        refuser_structure=first_chrs,
        host_structure=structure,
        host_manager=structure_manager,
        refuser=first_manager,
    )

    urgence = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    urgence_chrs = StructureFactory(
        manager__territory=urgence.territory, structure_type=StructureType.EMERGENCY_IN_CHRS
    )
    urgence_manager = _manager_of(urgence_chrs)
    hosted = _refused_then_hosted(
        urgence,
        siao=siao_operator,
        refuser_structure=urgence_chrs,
        host_structure=StructureFactory(
            manager=urgence_chrs.manager, structure_type=StructureType.EMERGENCY_IN_CHRS
        ),
        host_manager=urgence_manager,
        refuser=urgence_manager,
    )
    hosted.end_stay(
        by=urgence_manager,
        at=timezone.now(),
        destination=EndDestination.PRISON,
        reason=EndReason.OTHER,
        note=STAY_NOTE,
    )
    return File(insertion, urgence, first_manager, urgence_manager)


def _manager_of(structure):
    from tests.factories import UserFactory

    return UserFactory(structure_manager=True, organisation=structure.manager)


def _text(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        workbook = load_workbook(io.BytesIO(response.content))
        return " ".join(
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        )
    return response.content.decode("utf-8-sig")


def _urls(file: File) -> list[str]:
    """Every page, print and export that may show something of the two files."""
    urls = [reverse("notifications:list")]
    for req in (file.insertion, file.urgence):
        urls += [
            reverse("requests:detail", args=[req.pk]),
            reverse("requests:evaluation_print", args=[req.pk]),
            reverse("privacy:export", args=[req.person_id]),
            reverse("privacy:export_json", args=[req.person_id]),
        ]
        urls += [
            reverse("orientations:detail", args=[pk])
            for pk in Orientation.objects.filter(request=req).values_list("pk", flat=True)
        ]
    territory = file.insertion.territory_id
    for name, params in [
        ("indicators:export", f"arrete=daily&territoire={territory}"),
        ("indicators:transmission", f"territoire={territory}"),
        ("indicators:report", f"territoire={territory}"),
        ("indicators:quality", f"territoire={territory}"),
    ]:
        urls += [f"{reverse(name)}?{params}&format={fmt}" for fmt in ("csv", "xlsx")]
    return urls


def _everything(client, user, file: File) -> str:
    """What `user` reads on every page of `_urls` they may open."""
    client.force_login(user)
    pages = []
    for url in _urls(file):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), url
        if response.status_code == 200:
            pages.append(_text(response).replace("&#x27;", "'"))
    return "\n".join(pages)


def test_siao_20_the_siao_and_the_referring_service_read_every_planted_value(
    client, file, siao_operator, social_worker
):
    for user in (siao_operator, social_worker):
        seen = _everything(client, user, file)
        assert [value for value in PLANTED if value not in seen] == [], user


def test_siao_20_the_next_structure_sees_a_refusal_but_not_why(client, file, structure_manager):
    seen = _everything(client, structure_manager, file)
    assert "Admission refusée" in seen
    for value in (REFUSAL_COMMENT, REFUSAL_REASON, HOUSING_COMMENT, HOUSING_LABEL, AAH_DETAIL):
        assert value not in seen
    assert AAH_AMOUNT in seen  # counted in « Autre », so the total still adds up
    assert "<th>AAH</th>" not in seen


def test_siao_20_the_115_sees_a_refusal_and_a_destination_that_reveal_nothing(
    client, file, emergency_line_user
):
    seen = _everything(client, emergency_line_user, file)
    assert "admission refusée" in seen.lower()
    assert "Autre ou non précisée" in seen
    for value in (REFUSAL_COMMENT, REFUSAL_REASON, DESTINATION, STAY_NOTE):
        assert value not in seen


def test_siao_20_an_access_on_request_reads_no_sensitive_value(client, file, outsider):
    for req in (file.insertion, file.urgence):
        AccessGrant.grant(user=outsider, request=req, reason="Suivi commun")
    seen = _everything(client, outsider, file)
    assert "Admission refusée" in seen
    assert [value for value in PLANTED if value in seen and value != AAH_AMOUNT] == []
    assert "<th>AAH</th>" not in seen


def test_siao_20_the_state_service_reads_no_sensitive_value(client, file, state_service_user):
    seen = _everything(client, state_service_user, file)
    assert "Territoire" in seen  # the exports were read
    assert [value for value in PLANTED if value in seen] == []


def test_siao_20_the_structure_that_refused_reads_its_own_reasons(client, file):
    seen = _everything(client, file.first_chrs_manager, file)
    assert REFUSAL_COMMENT in seen
    assert HOUSING_COMMENT not in seen


def test_siao_20_the_print_masks_the_housing_block_whatever_the_situation(
    client, file, structure_manager
):
    client.force_login(structure_manager)
    url = reverse("requests:evaluation_print", args=[file.insertion.pk])
    masked = client.get(url).content.decode()
    evaluation = file.insertion.evaluation
    evaluation.housing_situation, evaluation.housing_comment = HousingSituation.NONE, ""
    evaluation.save()
    plain = client.get(url).content.decode()

    def block(page: str) -> str:
        start = page.index("Situation au regard du logement")
        return page[start : page.index("Motif de la demande de la personne")]

    assert block(masked) == block(plain)
    assert "information réservée" in block(plain)
    assert HousingSituation.NONE.label not in block(plain)


def test_siao_20_no_mail_says_why_a_structure_refused(
    siao_operator, social_worker, emergency_line_user, django_capture_on_commit_callbacks
):
    from django.core import mail

    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    chrs = StructureFactory(
        manager__territory=req.territory, structure_type=StructureType.EMERGENCY_IN_CHRS
    )
    orientation = orient(req, by=siao_operator, structure=chrs)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        orientation.refuse(
            by=_manager_of(chrs), reason=RefusalReason.HEALTH_NEEDS, comment=REFUSAL_COMMENT
        )
    bodies = [message.body for message in mail.outbox]
    assert {emergency_line_user.email, social_worker.email} <= {
        to for message in mail.outbox for to in message.to
    }
    assert all("admission refusée" in body for body in bodies)
    assert not [body for body in bodies if REFUSAL_REASON in body or REFUSAL_COMMENT in body]
