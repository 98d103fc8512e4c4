"""SIAO-16: arrivals and departures are recorded with the date and time they happened, within
bounds; a refused entry is shown again with everything typed. Dwellings (Table 2, SIAO-10) are
entered in the register form."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.places.models import Dwelling
from relais.requests.enums import EventKind

pytestmark = pytest.mark.django_db
State = OrientationState


def local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def accepted(evaluated_request, capacity, siao_operator, structure_manager):
    """Attributed three days ago, accepted today."""
    orientation = Orientation.attribute(
        request=evaluated_request,
        capacity=capacity,
        by=siao_operator,
        at=timezone.now() - dt.timedelta(days=3),
    )
    orientation.admit(by=structure_manager)
    return orientation


@pytest.fixture
def accepted_earlier(evaluated_request, capacity, siao_operator, structure_manager):
    """Attributed and accepted three days ago."""
    at = timezone.now() - dt.timedelta(days=3)
    orientation = Orientation.attribute(
        request=evaluated_request, capacity=capacity, by=siao_operator, at=at
    )
    orientation.admit(by=structure_manager, at=at)
    return orientation


def test_siao_16_an_arrival_is_recorded_after_the_fact_with_its_real_time(
    client, accepted, structure_manager
):
    client.force_login(structure_manager)
    page = client.get(reverse("orientations:detail", args=[accepted.pk])).text
    assert 'name="arrived_at"' in page
    arrived = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=30)
    response = client.post(
        reverse("orientations:start_stay", args=[accepted.pk]), {"arrived_at": local(arrived)}
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.state, accepted.stay_started_at) == (State.IN_STAY, arrived)
    event = accepted.events.get(kind="stay_started")
    assert event.occurred_at == arrived
    assert timezone.now() - event.recorded_at < dt.timedelta(minutes=1)
    assert accepted.request.events.get(kind=EventKind.STAY_STARTED).occurred_at == arrived
    page = html.unescape(client.get(reverse("orientations:detail", args=[accepted.pk])).text)
    assert "(saisi le " in page


def test_siao_16_an_arrival_left_empty_is_now(client, accepted, structure_manager):
    client.force_login(structure_manager)
    client.post(reverse("orientations:start_stay", args=[accepted.pk]))
    accepted.refresh_from_db()
    assert timezone.now() - accepted.stay_started_at < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("shift", "message"),
    [
        (dt.timedelta(hours=2), "ne peut pas être enregistrée dans le futur"),
        (-dt.timedelta(days=5), "ne peut pas précéder l'orientation vers la structure"),
    ],
)
def test_siao_16_an_arrival_out_of_bounds_is_refused_next_to_the_field(
    client, accepted, structure_manager, shift, message
):
    client.force_login(structure_manager)
    typed = local(timezone.now() + shift)
    response = client.post(
        reverse("orientations:start_stay", args=[accepted.pk]), {"arrived_at": typed}
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert message in page
    assert f'value="{typed}"' in page
    field = page[page.index('id="arrivee"') :]
    assert field.index(message) < field.index("Enregistrer l'arrivée de la personne")
    accepted.refresh_from_db()
    assert accepted.state == State.ADMITTED


@pytest.mark.parametrize("hours", [23, -23, 17])
def test_sec_04_siao_16_an_arrival_typed_with_an_offset_postgresql_refuses_is_saved(
    client, accepted, structure_manager, hours
):
    """Python reads offsets up to ±24 h, PostgreSQL refuses them past ±16 h: the instant
    typed is kept, in the site's time zone, and the page never answers with a 500."""
    client.force_login(structure_manager)
    arrived = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=30)
    typed = arrived.astimezone(dt.timezone(dt.timedelta(hours=hours))).isoformat()
    response = client.post(
        reverse("orientations:start_stay", args=[accepted.pk]), {"arrived_at": typed}
    )
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.state, accepted.stay_started_at) == (State.IN_STAY, arrived)


def test_siao_16_an_arrival_that_is_not_a_date_is_refused_in_french(
    client, accepted, structure_manager
):
    client.force_login(structure_manager)
    response = client.post(
        reverse("orientations:start_stay", args=[accepted.pk]), {"arrived_at": "31/02/2026"}
    )
    assert response.status_code == 400
    assert "Indiquez une date et une heure valides." in html.unescape(response.text)


@pytest.fixture
def in_stay(accepted_earlier, structure_manager):
    accepted_earlier.start_stay(by=structure_manager, at=timezone.now() - dt.timedelta(days=2))
    return accepted_earlier


def test_siao_16_an_end_of_stay_cannot_precede_the_recorded_admission(accepted, structure_manager):
    """The person came before the structure clicked « accept »: the arrival may be earlier,
    the departure not (the request's history stays in order)."""
    accepted.start_stay(by=structure_manager, at=timezone.now() - dt.timedelta(days=2))
    refusal = accepted.departure_refusal(timezone.now() - dt.timedelta(days=1))
    assert "précède l'admission enregistrée" in refusal


def test_siao_16_an_end_of_stay_is_dated_when_it_happened(client, in_stay, structure_manager):
    client.force_login(structure_manager)
    yesterday_evening = timezone.localtime().replace(
        hour=18, minute=0, second=0, microsecond=0
    ) - dt.timedelta(days=1)
    response = client.post(
        reverse("orientations:end_stay", args=[in_stay.pk]),
        {
            "ended_on": local(yesterday_evening),
            "destination": "family",
            "reason": "voluntary",
            "note": "Partie chez sa sœur",
        },
    )
    assert response.status_code == 302
    in_stay.refresh_from_db()
    assert (in_stay.state, in_stay.ended_at) == (State.ENDED, yesterday_evening)
    event = in_stay.events.get(kind="stay_ended")
    assert event.occurred_at == yesterday_evening
    assert event.recorded_at > event.occurred_at


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: timezone.now() + dt.timedelta(days=1), "pas de date future"),
        (lambda: timezone.now() - dt.timedelta(days=10), "précède l'arrivée dans la structure"),
    ],
)
def test_siao_16_a_refused_end_of_stay_keeps_destination_reason_and_note(
    client, in_stay, structure_manager, when, message
):
    client.force_login(structure_manager)
    typed = local(when())
    response = client.post(
        reverse("orientations:end_stay", args=[in_stay.pk]),
        {
            "ended_on": typed,
            "destination": "family",
            "reason": "voluntary",
            "note": "Partie chez sa sœur",
        },
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    form = page[page.index('id="fin-de-sejour"') :]
    assert message in form
    assert form.index(message) < form.index('name="destination"')  # next to the date field
    assert f'value="{typed}"' in form
    assert '<option value="family" selected>' in form
    assert '<option value="voluntary" selected>' in form
    assert 'value="Partie chez sa sœur"' in form
    in_stay.refresh_from_db()
    assert in_stay.state == State.IN_STAY


def test_siao_16_an_end_of_stay_without_its_choices_says_what_is_missing(
    client, in_stay, structure_manager
):
    client.force_login(structure_manager)
    response = client.post(
        reverse("orientations:end_stay", args=[in_stay.pk]),
        {"ended_on": local(timezone.now()), "note": "Note gardée"},
    )
    page = html.unescape(response.text)
    assert "Choisissez la destination à la sortie." in page
    assert "Choisissez le motif de la sortie." in page
    assert 'value="Note gardée"' in page


# -- dwellings in the register form (Table 2) -------------------------------------------------


def _register_post(structure, capacity, **dwellings) -> dict:
    data = {
        "name": structure.name,
        "structure_type": structure.structure_type,
        "manager": structure.manager_id,
        "street": structure.street,
        "postcode": structure.postcode,
        "commune": structure.commune,
        "capacities-TOTAL_FORMS": "1",
        "capacities-INITIAL_FORMS": "1",
        "capacities-0-id": str(capacity.pk),
        "capacities-0-place_type": capacity.place_type,
        "capacities-0-places": str(capacity.places),
        "capacities-0-accepts_men": "on",
        "capacities-0-accepts_women": "on",
        "dwellings-INITIAL_FORMS": "0",
    }
    return {**data, **dwellings}


def test_siao_16_dwellings_are_entered_in_the_register_form(
    client, siao_operator, structure, capacity
):
    client.force_login(siao_operator)
    url = reverse("places:edit", args=[structure.pk])
    assert 'name="dwellings-0-surface"' in client.get(url).text
    response = client.post(
        url,
        _register_post(
            structure,
            capacity,
            **{
                "dwellings-TOTAL_FORMS": "2",
                "dwellings-0-capacity": str(capacity.pk),
                "dwellings-0-label": "T1 rue Koechlin",
                "dwellings-0-surface": "18,5",
                "dwellings-1-capacity": str(capacity.pk),
                "dwellings-1-label": "T4 avenue Kennedy",
                "dwellings-1-surface": "72",
            },
        ),
    )
    assert response.status_code == 302, html.unescape(response.text)[-3000:]
    assert sorted(Dwelling.objects.values_list("label", "surface")) == [
        ("T1 rue Koechlin", Decimal("18.50")),
        ("T4 avenue Kennedy", Decimal("72.00")),
    ]
    capacity.refresh_from_db()
    assert capacity.places == 2 + 7  # Table 2: 18.5 m² → 2 places, 72 m² → 7 places
    page = html.unescape(client.get(reverse("places:structure", args=[structure.pk])).text)
    assert "T4 avenue Kennedy 72,00 m² → 7 places" in page or "T4 avenue Kennedy 72.00 m²" in page


def test_siao_16_a_dwelling_too_small_is_refused_with_everything_kept(
    client, siao_operator, structure, capacity
):
    client.force_login(siao_operator)
    response = client.post(
        reverse("places:edit", args=[structure.pk]),
        _register_post(
            structure,
            capacity,
            **{
                "dwellings-TOTAL_FORMS": "1",
                "dwellings-0-capacity": str(capacity.pk),
                "dwellings-0-label": "Studette",
                "dwellings-0-surface": "7",
            },
        ),
    )
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert "moins de 9 m² ne compte pour aucune place" in page
    assert 'value="Studette"' in page
    assert not Dwelling.objects.exists()


def test_siao_16_dwellings_cannot_shrink_a_capacity_below_its_held_places(
    client, siao_operator, structure, capacity, social_worker
):
    from tests.factories import make_evaluation, make_request

    for _ in range(3):
        req = make_request(referrer=social_worker)
        make_evaluation(req)
        req.evaluate(by=social_worker)
        Orientation.attribute(request=req, capacity=capacity, by=siao_operator)
    client.force_login(siao_operator)
    response = client.post(
        reverse("places:edit", args=[structure.pk]),
        _register_post(
            structure,
            capacity,
            **{
                "dwellings-TOTAL_FORMS": "1",
                "dwellings-0-capacity": str(capacity.pk),
                "dwellings-0-label": "T1",
                "dwellings-0-surface": "10",
            },
        ),
    )
    page = html.unescape(response.text)
    assert "la capacité ne peut pas descendre en dessous" in page
    capacity.refresh_from_db()
    assert capacity.places == 20
