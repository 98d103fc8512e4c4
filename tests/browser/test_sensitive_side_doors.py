"""SIAO-20 in chromium: a CHRS refuses an urgence orientation for health reasons; the next
structure and the 115 read that it was refused, never why; the referring social worker
reads the reason and the comment."""

from django.urls import reverse
from playwright.sync_api import expect

from relais.orientations.enums import RefusalReason
from relais.places.enums import StructureType
from relais.requests.enums import Channel
from tests.factories import PASSWORD, StructureFactory, UserFactory, make_request, orient

COMMENT = "soins infirmiers quotidiens que l'équipe ne peut assurer"
REASON = RefusalReason.HEALTH_NEEDS.label


def test_siao_20_a_refusal_reason_reaches_the_referrer_only(
    page,
    context,
    live_server,
    login,
    snap,
    siao_operator,
    social_worker,
    emergency_line_user,
    structure_manager,
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    first = StructureFactory(
        manager__territory=req.territory,
        structure_type=StructureType.EMERGENCY_IN_CHRS,
        name="CHRS La Roseraie",
    )
    refuser = UserFactory(structure_manager=True, organisation=first.manager)
    refused = orient(req, by=siao_operator, structure=first)

    # The first CHRS refuses, for health reasons, with a comment.
    login(page, live_server, refuser.username, PASSWORD)
    page.goto(live_server.url + reverse("orientations:detail", args=[refused.pk]))
    snap("structure-avant-refus")
    page.get_by_label("Motif du refus").select_option(label=REASON)
    page.get_by_label("Précisions").fill(COMMENT)
    page.get_by_role("button", name="Refuser l'admission").click()
    expect(page.locator("#etat-orientation")).to_have_text("Admission refusée")
    snap("structure-refus-enregistre")
    context.clear_cookies()

    # The SIAO orients the household to a second structure.
    second = StructureFactory(
        manager=structure_manager.organisation,
        structure_type=StructureType.EMERGENCY_IN_CHRS,
        name="CHRS Les Tilleuls",
    )
    orient(req, by=siao_operator, structure=second)

    # The next structure reads that it was refused, not why.
    login(page, live_server, structure_manager.username, PASSWORD)
    page.goto(live_server.url + reverse("requests:detail", args=[req.pk]))
    expect(page.locator("#historique")).to_contain_text("Admission refusée")
    snap("structure-suivante-demande")
    for text in (page.content(), page.locator("body").inner_text()):
        assert COMMENT not in text and REASON not in text
    page.goto(live_server.url + reverse("notifications:list"))
    snap("structure-suivante-notifications")
    assert COMMENT not in page.content() and REASON not in page.content()
    context.clear_cookies()

    # The 115 is told of the refusal, without its reason.
    login(page, live_server, emergency_line_user.username, PASSWORD)
    page.goto(live_server.url + reverse("notifications:list"))
    expect(page.locator("#notifications")).to_contain_text(
        "admission refusée par « CHRS La Roseraie »"
    )
    snap("115-notifications")
    assert COMMENT not in page.content() and REASON not in page.content()
    page.goto(live_server.url + reverse("requests:detail", args=[req.pk]))
    expect(page.locator("#historique")).to_contain_text("Admission refusée")
    snap("115-demande")
    assert COMMENT not in page.content() and REASON not in page.content()
    context.clear_cookies()

    # The referring social worker reads why, in the notice and on the request.
    login(page, live_server, social_worker.username, PASSWORD)
    page.goto(live_server.url + reverse("notifications:list"))
    expect(page.locator("#notifications")).to_contain_text(REASON)
    expect(page.locator("#notifications")).to_contain_text(COMMENT)
    snap("prescripteur-notifications")
    page.goto(live_server.url + reverse("requests:detail", args=[req.pk]))
    expect(page.locator("#historique")).to_contain_text(COMMENT)
    expect(page.locator("#orientation")).to_contain_text(REASON)
    snap("prescripteur-demande")
