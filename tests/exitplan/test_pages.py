"""EXIT-01 on screen: the plan page shows each partner its part and lets it change its own
items; bad input is said next to the field and nothing typed is lost."""

import datetime as dt
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.exitplan.enums import ItemKind, ItemState
from relais.exitplan.models import ExitPlan
from tests.factories import UserFactory, make_detention, make_exit_plan, make_parcours

pytestmark = pytest.mark.django_db


def _url(plan):
    return reverse("exitplan:plan", kwargs={"detention_pk": plan.detention_id})


def test_exit_01_the_spip_opens_the_plan_from_the_detention(client):
    detention = make_detention()
    client.force_login(detention.cpip)
    url = reverse("exitplan:plan", kwargs={"detention_pk": detention.pk})
    page = client.get(url)
    assert "Ouvrir le plan de sortie" in page.content.decode()
    client.post(reverse("exitplan:open", kwargs={"detention_pk": detention.pk}))
    assert ExitPlan.objects.filter(detention=detention).exists()
    html = unescape(client.get(url).content.decode())
    assert "Pièce d'identité valide" in html and "Premier rendez-vous au SPIP" in html


def test_exit_01_the_siae_sees_its_part_without_health_or_justice_items(client):
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    client.force_login(coach)
    html = unescape(client.get(_url(plan)).content.decode())
    assert "Emploi ou formation prévu à la sortie" in html
    assert "Premier rendez-vous au SPIP" not in html
    assert "Assurance maladie" not in html
    assert "écrou n°" not in html
    assert "Examen de la libération" in html or "Fin de peine prévue" in html
    client.force_login(UserFactory(siae_coach=True))
    assert client.get(_url(plan)).status_code == 404


def test_exit_01_an_owner_marks_an_item_done_and_others_cannot(client):
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    job = plan.items.get(kind=ItemKind.JOB_OR_TRAINING)
    prefix = f"element-{job.pk}"
    client.force_login(parcours.detention.cpip)
    refused = client.post(reverse("exitplan:item", args=[job.pk]), {f"{prefix}-step": "done"})
    assert refused.status_code == 403
    client.force_login(UserFactory(siae_coach=True, organisation=parcours.site.siae))
    client.post(
        reverse("exitplan:item", args=[job.pk]),
        {f"{prefix}-step": "done", f"{prefix}-remarks": "CDDI en espaces verts"},
    )
    job.refresh_from_db()
    assert job.state == ItemState.DONE and job.remarks == "CDDI en espaces verts"


def test_exit_01_bad_input_is_said_next_to_the_field_and_kept(client):
    plan = make_exit_plan()
    rdv = plan.items.get(kind=ItemKind.APPOINTMENT_CCAS)
    prefix = f"element-{rdv.pk}"
    client.force_login(plan.detention.cpip)
    page = client.post(
        reverse("exitplan:item", args=[rdv.pk]),
        {
            f"{prefix}-step": "done",
            f"{prefix}-place": "CCAS de Villeurbanne",
            f"{prefix}-appointment_day": "31/02/2027",
        },
    )
    assert page.status_code == 400
    html = unescape(page.content.decode())
    assert "CCAS de Villeurbanne" in html
    assert "Rien n'est enregistré" in html
    rdv.refresh_from_db()
    assert rdv.state == ItemState.TODO
    waived = client.post(reverse("exitplan:item", args=[rdv.pk]), {f"{prefix}-step": "not_needed"})
    assert "Dites pourquoi" in waived.content.decode()


def test_exit_01_an_appointment_booked_shows_its_date_and_place(client):
    plan = make_exit_plan()
    rdv = plan.items.get(kind=ItemKind.APPOINTMENT_CAF)
    prefix = f"element-{rdv.pk}"
    day = timezone.localdate() + dt.timedelta(days=130)
    client.force_login(plan.detention.cpip)
    client.post(
        reverse("exitplan:item", args=[rdv.pk]),
        {
            f"{prefix}-step": "done",
            f"{prefix}-appointment_day": day.isoformat(),
            f"{prefix}-appointment_time": "10:30",
            f"{prefix}-place": "CAF du Rhône",
            f"{prefix}-address": "67 boulevard Vivier-Merle, Lyon",
        },
    )
    rdv.refresh_from_db()
    assert rdv.state == ItemState.DONE
    assert timezone.localtime(rdv.appointment_at).strftime("%H:%M") == "10:30"
    html = unescape(client.get(_url(plan)).content.decode())
    assert "CAF du Rhône" in html and f"{day:%d/%m/%Y} à 10 h 30" in html


def test_exit_01_the_siao_records_the_first_night(client):
    plan = make_exit_plan()
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    client.force_login(siao)
    client.post(
        reverse("exitplan:first_night", args=[plan.pk]),
        {
            "premier-soir-arrival_hours": "de 14 h à 18 h",
            "premier-soir-arrival_phone": "04 78 00 00 00",
        },
    )
    plan.refresh_from_db()
    assert plan.arrival_hours == "de 14 h à 18 h"
    client.force_login(plan.detention.cpip)
    assert client.post(reverse("exitplan:first_night", args=[plan.pk]), {}).status_code == 403


def test_exit_01_a_refused_form_is_pointed_at_from_the_top_and_its_address_leads_back(client):
    plan = make_exit_plan()
    rdv = plan.items.get(kind=ItemKind.APPOINTMENT_CCAS)
    prefix = f"element-{rdv.pk}"
    client.force_login(plan.detention.cpip)
    url = reverse("exitplan:item", args=[rdv.pk])
    page = client.post(url, {f"{prefix}-step": "not_needed"})
    html = unescape(page.content.decode())
    assert page.status_code == 400
    assert f'href="#element-{rdv.pk}"' in html and html.index('id="erreurs"') < html.index(
        f'id="element-{rdv.pk}"'
    )
    back = client.get(url)
    assert back.status_code == 302 and back["Location"] == _url(plan)
    client.force_login(UserFactory(cpip=True))
    assert client.get(url).status_code == 404


def test_exit_01_the_history_tells_who_took_each_step_of_the_items(client):
    plan = make_exit_plan()
    cpip = plan.detention.cpip
    plan.items.get(kind=ItemKind.BANK_ACCOUNT).take("done", by=cpip)
    client.force_login(cpip)
    html = unescape(client.get(_url(plan)).content.decode())
    history = html[html.index('id="historique"') :]
    assert f"Compte bancaire : fait ({cpip.get_full_name()})" in history


def test_exit_01_the_list_follows_the_release_dates_it_shows(client):
    today = timezone.localdate()
    cpip = UserFactory(cpip=True)
    later = make_exit_plan(make_detention(cpip=cpip, end_date=today + dt.timedelta(days=90)))
    released = make_detention(cpip=cpip, end_date=today + dt.timedelta(days=600))
    released.release(
        on=today - dt.timedelta(days=20), by=cpip, measure_ends_on=today + dt.timedelta(days=90)
    )
    earlier = make_exit_plan(released)
    client.force_login(cpip)
    html = unescape(client.get(reverse("exitplan:list")).content.decode())
    assert html.index(str(earlier.person)) < html.index(str(later.person))
