"""JUS-11 screens: the SIAO's list and assignment form, the measure page with its renewal and
stop, the caseload per worker, the worker's own measures; who reads what; reads audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.navigation import menu_for
from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.avdl.enums import CloseReason, MeasureState
from relais.avdl.models import HousingSupportMeasure, Worker
from tests.factories import OrganisationFactory, TerritoryFactory, UserFactory, make_detention

from .cases import make_measure, make_worker, released, stay_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(siao):
    return make_worker(siao, first_name="Noémie", last_name="Kientz")


def _labels(user) -> set[str]:
    labels = set()
    for entry in menu_for(user):
        labels.add(entry["label"])
        labels.update(child["label"] for child in entry["children"])
    return labels


def test_jus_11_menu_entries_for_the_siao_and_the_worker(siao_operator, worker, social_worker):
    assert "Mesures AVDL Justice" in _labels(siao_operator)
    assert "Mes mesures AVDL" in _labels(worker.user)
    assert "Mes mesures AVDL" not in _labels(social_worker)
    Worker.objects.filter(pk=worker.pk).update(designated=False)
    assert "Mes mesures AVDL" not in _labels(worker.user)


def test_jus_11_the_siao_assigns_from_a_stay(client, siao_operator, worker, territory):
    detention = released(territory)
    stay = stay_for(detention, siao_operator=siao_operator)
    client.force_login(siao_operator)
    page = client.get(reverse("avdl:assign"))
    assert page.status_code == 200
    assert str(detention.person) in page.content.decode()
    response = client.post(
        reverse("avdl:assign"),
        {"worker": worker.pk, "detention": detention.pk, "orientation": stay.pk},
    )
    measure = HousingSupportMeasure.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("avdl:detail", kwargs={"pk": measure.pk})
    assert measure.orientation == stay
    assert AuditEvent.objects.filter(
        action=Action.WRITE, object_type="housingsupportmeasure", person_id=measure.person_id
    ).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"housing": "Logement social"}, "starts_on", "Indiquez la date d'entrée"),
        ({"starts_on": "today"}, "housing", "indiquez le logement hors Relais"),
        ({"housing": "Logement social", "starts_on": "future"}, "starts_on", "dans le futur"),
        ({"housing": "Logement social", "starts_on": "31/02/2026"}, "starts_on", "date valide"),
    ],
)
def test_jus_11_the_assignment_form_says_what_is_wrong_next_to_the_field(
    client, siao_operator, worker, territory, data, field, message
):
    detention = released(territory)
    today = timezone.localdate()
    days = {"today": today.isoformat(), "future": (today + dt.timedelta(days=3)).isoformat()}
    data = {k: days.get(v, v) for k, v in data.items()}
    client.force_login(siao_operator)
    response = client.post(
        reverse("avdl:assign"),
        {"worker": worker.pk, "detention": detention.pk, "note": "Texte à garder", **data},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert "Texte à garder" in response.content.decode()
    assert not HousingSupportMeasure.objects.exists()


def test_jus_11_the_21st_assignment_is_refused_in_french_next_to_the_worker(
    client, siao_operator, worker, territory
):
    for _ in range(20):
        make_measure(worker, siao_operator=siao_operator)
    client.force_login(siao_operator)
    response = client.post(
        reverse("avdl:assign"),
        {
            "worker": worker.pk,
            "detention": released(territory).pk,
            "housing": "Logement privé, Colmar",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert any("suit déjà 20 mesures" in e for e in response.context["form"].errors["worker"])
    assert "Logement privé, Colmar" in response.content.decode()
    assert worker.active_count() == 20


def test_jus_11_caseload_page_shows_the_active_measures_and_how_many_of_20(
    client, siao_operator, worker
):
    measures = [make_measure(worker, siao_operator=siao_operator) for _ in range(3)]
    measures[0].close(on=timezone.localdate(), reason=CloseReason.RELAY, by=siao_operator)
    client.force_login(siao_operator)
    page = client.get(reverse("avdl:caseload", kwargs={"pk": worker.pk})).content.decode()
    assert "2 mesures en cours sur 20" in page
    assert f"{measures[1].ends_on:%d/%m/%Y}" in page
    overview = client.get(reverse("avdl:workers")).content.decode()
    assert "2 / 20" in overview


def test_jus_11_the_worker_sees_their_own_measures(client, siao_operator, worker, siao):
    mine = make_measure(worker, siao_operator=siao_operator)
    colleague = make_worker(siao)
    theirs = make_measure(colleague, siao_operator=siao_operator)
    client.force_login(worker.user)
    page = client.get(reverse("avdl:mine"))
    assert page.status_code == 200
    assert "1 mesure en cours sur 20" in page.content.decode()
    assert client.get(reverse("avdl:detail", kwargs={"pk": mine.pk})).status_code == 200
    assert client.get(reverse("avdl:detail", kwargs={"pk": theirs.pk})).status_code == 404
    assert client.get(reverse("avdl:caseload", kwargs={"pk": colleague.pk})).status_code == 404
    # The worker renews their own measure.
    response = client.post(
        reverse("avdl:renew", kwargs={"pk": mine.pk}), {"reason": "Droits en cours d'ouverture"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.renewals == 1


def test_jus_11_visible_to_the_siao_of_the_territory_only(siao_operator, worker, other_territory):
    measure = make_measure(worker, siao_operator=siao_operator)
    remote_siao = UserFactory(siao_operator=True, organisation__territory=other_territory)
    assert list(HousingSupportMeasure.objects.visible_to(siao_operator)) == [measure]
    assert not HousingSupportMeasure.objects.visible_to(remote_siao).exists()


@pytest.mark.parametrize(
    "fixture", ["social_worker", "structure_manager", "emergency_line_user", "state_service_user"]
)
def test_jus_11_other_roles_read_no_measure(request, siao_operator, worker, fixture):
    make_measure(worker, siao_operator=siao_operator)
    assert not HousingSupportMeasure.objects.visible_to(request.getfixturevalue(fixture)).exists()


def test_jus_11_the_cpip_reads_the_dates_while_the_judicial_measure_runs(
    client, siao_operator, worker, cpip
):
    detention = released(worker.territory, cpip=cpip)
    measure = make_measure(worker, siao_operator=siao_operator, detention=detention)
    measure.renew(reason="Motif connu du seul SIAO", by=siao_operator)
    client.force_login(cpip)
    response = client.get(reverse("avdl:detail", kwargs={"pk": measure.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    measure.refresh_from_db()
    assert f"{measure.ends_on:%d/%m/%Y}" in page
    assert "Motif connu du seul SIAO" not in page
    assert "Renouveler la mesure" not in page
    assert (
        client.post(
            reverse("avdl:renew", kwargs={"pk": measure.pk}), {"reason": "Essai"}
        ).status_code
        == 403
    )
    # JUS-13: once the judicial measure has ended, the SPIP no longer sees it.
    type(detention).objects.filter(pk=detention.pk).update(
        measure_ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert client.get(reverse("avdl:detail", kwargs={"pk": measure.pk})).status_code == 404
    # Another SPIP never does.
    other = make_detention(territory=worker.territory)
    assert not HousingSupportMeasure.objects.visible_to(other.cpip).exists()


def test_jus_11_reading_a_measure_is_audited(client, siao_operator, worker):
    measure = make_measure(worker, siao_operator=siao_operator)
    client.force_login(siao_operator)
    client.get(reverse("avdl:detail", kwargs={"pk": measure.pk}))
    read = AuditEvent.objects.filter(action=Action.READ, person_id=measure.person_id).get()
    assert read.object_type == "housingsupportmeasure"


def test_jus_11_closing_from_the_page(client, siao_operator, worker):
    measure = make_measure(worker, siao_operator=siao_operator)
    client.force_login(siao_operator)
    url = reverse("avdl:close", kwargs={"pk": measure.pk})
    refused = client.post(url, {"on": timezone.localdate().isoformat(), "reason": "other"})
    assert refused.status_code == 400
    assert "Précisez le motif" in str(refused.context["close_form"].errors["note"])
    done = client.post(
        url,
        {"on": timezone.localdate().isoformat(), "reason": "other", "note": "Déménagement"},
    )
    assert done.status_code == 302
    measure.refresh_from_db()
    assert measure.state == MeasureState.CLOSED


def test_jus_11_the_siao_designates_a_worker(client, siao_operator, siao):
    candidate = UserFactory(social_worker=True, organisation=siao)
    client.force_login(siao_operator)
    assert str(candidate) in client.get(reverse("avdl:workers")).content.decode()
    response = client.post(reverse("avdl:designate", kwargs={"user_pk": candidate.pk}))
    assert response.status_code == 302
    assert Worker.objects.get(user=candidate).territory_id == siao.territory_id
    # Someone outside the SIAO, or another territory's SIAO, is not offered.
    outsider = UserFactory(social_worker=True, organisation__territory=siao.territory)
    remote = UserFactory(
        social_worker=True,
        organisation=OrganisationFactory(siao=True, territory=TerritoryFactory()),
    )
    for other in (outsider, remote):
        url = reverse("avdl:designate", kwargs={"user_pk": other.pk})
        assert client.post(url).status_code == 404
        assert not Worker.objects.filter(user=other).exists()
