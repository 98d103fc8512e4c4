"""SIAO-04 and closing a request, as their users live them, in chromium."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from relais.places.enums import StructureType
from relais.requests.enums import RequestStatus
from relais.requests.models import Request
from tests.factories import PASSWORD, StructureFactory, make_request


def _last_night(hour: int, minute: int) -> str:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return f"{yesterday:%Y-%m-%d}T{hour:02d}:{minute:02d}"


def test_siao_04_a_manager_records_a_direct_admission_with_a_child_then_a_full_shelter_says_so(
    page, live_server, login, structure_manager
):
    StructureFactory(
        manager=structure_manager.organisation,
        structure_type=StructureType.CHU,
        name="CHU Le Phare",
        places=2,
    )
    login(page, live_server, structure_manager.username, PASSWORD)
    page.get_by_role("link", name="Enregistrer une admission directe").click()
    page.locator("#id_admission-structure").select_option(label="CHU Le Phare")
    page.locator("#id_admission-admitted_at").fill(_last_night(23, 15))
    page.locator("#id_admission-birth_name").fill("Nguyen")
    page.locator("#id_admission-first_names").fill("Van")
    page.get_by_role("button", name="Ajouter une personne (conjoint, enfant…)").click()
    page.locator("#id_members-0-relationship").select_option("child")
    page.locator("#id_members-0-birth_name").fill("Nguyen")
    page.locator("#id_members-0-first_names").fill("Linh")
    page.get_by_role("button", name="Enregistrer l'admission").click()
    expect(page.get_by_text("Admission directe de NGUYEN Van enregistrée.")).to_be_visible()
    assert [r.status for r in Request.objects.all()] == [RequestStatus.ADMITTED] * 2

    # The shelter is full now: a third person is refused, with what to do, and nothing lost.
    page.get_by_role("link", name="Admission directe").first.click()
    page.locator("#id_admission-structure").select_option(label="CHU Le Phare")
    page.locator("#id_admission-admitted_at").fill(_last_night(23, 40))
    page.locator("#id_admission-birth_name").fill("Morel")
    page.locator("#id_admission-first_names").fill("Paul")
    page.get_by_role("button", name="Enregistrer l'admission").click()
    expect(page.locator("#erreurs")).to_contain_text("déclarez d'abord la place supplémentaire")
    expect(page.locator("#id_admission-birth_name")).to_have_value("Morel")
    assert Request.objects.count() == 2


def test_siao_01_a_social_worker_closes_a_request_with_a_reason(
    page, live_server, login, social_worker
):
    req = make_request(referrer=social_worker)
    login(page, live_server, social_worker.username, PASSWORD)
    page.goto(f"{live_server.url}/demandes/{req.pk}/")
    page.get_by_role("link", name="Clôturer la demande").click()
    page.get_by_label("Motif de clôture").select_option(label="Autre motif (préciser)")
    page.get_by_role("button", name="Clôturer la demande").click()
    expect(page.get_by_text("Précisez le motif de clôture.")).to_be_visible()
    page.get_by_label("Précisions").fill("Entrée en foyer de jeunes travailleurs")
    page.get_by_role("button", name="Clôturer la demande").click()
    expect(page.get_by_text("Demande clôturée.")).to_be_visible()
    expect(page.locator("#etat")).to_have_text(re.compile("Clôturée"))
