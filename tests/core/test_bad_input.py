"""SEC-04: bad input gets a French message next to the field, never a 500, and what was typed
is shown again."""

import datetime as dt
import html
import importlib
import pkgutil

import pytest
from django import forms
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

import relais
from relais.audit.models import AuditEvent
from relais.core.inputs import LocalDateTimeField
from relais.orientations.enums import RefusalReason
from relais.persons.models import Person
from relais.places.enums import StructureType
from relais.places.models import PlaceCapacity
from relais.requests.enums import Channel
from relais.requests.models import HousingAid, Request
from tests.factories import (
    StructureFactory,
    make_evaluation,
    make_request,
    orient,
)

pytestmark = pytest.mark.django_db

IMPOSSIBLE_BIRTH_DATES = [
    "31/02/2020",
    "29/02/2021",
    "00/05/1990",
    "0001",
    "9999",
    "1899",
    "2100",
    "12/2030",
    "13/1990",
]


def _call(birth_date: str) -> dict:
    return {
        "call-birth_name": "Durand",
        "call-first_names": "Léa",
        "call-birth_date": birth_date,
        "call-phone": "06 12 34 56 78",
        "call-current_location": "Gare de Mulhouse",
        "call-notes": "Appelle depuis une cabine",
        "call-submission": "0123456789abcdef0123456789abcdef",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
    }


def _field_errors(response, name: str) -> list[str]:
    form = response.context["form"]
    return form.errors.get(name, [])


@pytest.mark.parametrize("birth_date", IMPOSSIBLE_BIRTH_DATES)
def test_sec_04_an_impossible_birth_date_on_the_115_form_is_refused_next_to_the_field(
    client, emergency_line_user, birth_date
):
    client.force_login(emergency_line_user)
    response = client.post(reverse("requests:create_emergency"), _call(birth_date))
    assert response.status_code == 200
    assert _field_errors(response, "birth_date"), "no message next to the birth date"
    assert not Request.objects.exists()
    page = response.content.decode()
    for typed in ("Durand", "Léa", birth_date, "06 12 34 56 78", "Gare de Mulhouse", "cabine"):
        assert html.escape(typed) in page


def test_sec_04_the_115_form_names_what_is_wrong_with_the_date(client, emergency_line_user):
    client.force_login(emergency_line_user)
    response = client.post(reverse("requests:create_emergency"), _call("31/02/2020"))
    assert _field_errors(response, "birth_date") == [
        "Cette date de naissance n'existe pas. Vérifiez le jour et le mois (31/02/2020)."
    ]
    next_year = timezone.localdate().year + 1
    response = client.post(reverse("requests:create_emergency"), _call(str(next_year)))
    assert "1900" in _field_errors(response, "birth_date")[0]


@pytest.mark.parametrize("birth_date", IMPOSSIBLE_BIRTH_DATES)
def test_sec_04_siao_04_an_impossible_birth_date_on_the_direct_admission_form(
    client, structure_manager, birth_date
):
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=2
    )
    client.force_login(structure_manager)
    response = client.post(
        reverse("places:direct_admission"),
        {
            "admission-structure": shelter.pk,
            "admission-admitted_at": (timezone.localtime() - dt.timedelta(hours=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "admission-birth_name": "Nguyen",
            "admission-first_names": "Van",
            "admission-birth_date": birth_date,
            "admission-submission": "3f2a9c1e0b7d4e5fa6c8d9e0f1a2b3c4",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert _field_errors(response, "birth_date")
    assert html.escape(birth_date) in response.content.decode()
    assert not Request.objects.exists()


def test_sec_04_a_birth_day_00_on_the_household_form_is_refused_by_the_form(client, social_worker):
    req = make_request(referrer=social_worker)
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:household_add", args=[req.pk]),
        {
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-relationship": "child",
            "members-0-birth_name": "Durand",
            "members-0-first_names": "Tom",
            "members-0-birth_date": "00/05/2015",
        },
    )
    assert response.status_code == 200
    errors = response.context["members"].forms[0].errors
    assert "birth_date" in errors
    assert "00/05/2015" in response.content.decode()
    assert Person.objects.count() == 1


def test_sec_04_a_birth_day_00_on_the_insertion_form_is_refused_by_the_form(client, social_worker):
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:create"),
        {
            "request-channel": Channel.INSERTION,
            "request-requested_on": timezone.localdate().isoformat(),
            "person-birth_name": "Durand",
            "person-first_names": "Léa",
            "person-sex": "F",
            "person-birth_date": "00/05/1990",
            "members-TOTAL_FORMS": "0",
            "members-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "birth_date" in response.context["person_form"].errors
    assert not Request.objects.exists()


def test_sec_04_a_request_dated_year_one_is_refused(client, social_worker):
    req = make_request(referrer=social_worker)
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:edit", args=[req.pk]),
        {
            "request-requested_on": "0001-01-01",
            "person-birth_name": req.person.birth_name,
            "person-first_names": req.person.first_names,
            "person-sex": req.person.sex,
        },
    )
    assert response.status_code == 200
    assert "requested_on" in response.context["form"].errors
    req.refresh_from_db()
    assert req.requested_on.year > 1


def test_sec_04_an_aid_date_in_year_9999_is_refused(client, social_worker):
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    client.force_login(social_worker)
    page = client.get(reverse("requests:evaluation", args=[req.pk]))
    data = _form_data(page)
    data["aids-fsl_access__status"] = "agreed"
    data["aids-fsl_access__decision_date"] = "9999-12-31"
    response = client.post(reverse("requests:evaluation", args=[req.pk]), data)
    assert response.status_code == 200
    assert "fsl_access__decision_date" in response.context["forms"]["housing_aids"].errors
    assert not HousingAid.objects.exists()


def _form_data(page) -> dict:
    """What the browser would send back from the page's forms, untouched."""
    from tests.core.forms_on_page import fields_of

    return {field.name: field.value for field in fields_of(page.content.decode())}


@pytest.mark.parametrize(
    ("field", "value"),
    [("places", "9223372036854775807"), ("max_age", "99999"), ("min_age", "150")],
)
def test_sec_04_capacities_and_age_limits_have_plausible_bounds(
    client, siao_operator, structure, field, value
):
    capacity = structure.capacities.get()
    client.force_login(siao_operator)
    data = _form_data(client.get(reverse("places:edit", args=[structure.pk])))
    data[f"capacities-0-{field}"] = value
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    assert response.status_code == 200
    assert field in response.context["capacities"].forms[0].errors
    assert value in response.content.decode()
    capacity.refresh_from_db()
    assert capacity.places == 20 and capacity.max_age is None


def test_sec_04_an_age_range_upside_down_is_said_in_french_without_constraint_name(
    client, siao_operator, structure
):
    client.force_login(siao_operator)
    data = _form_data(client.get(reverse("places:edit", args=[structure.pk])))
    data["capacities-0-min_age"] = "60"
    data["capacities-0-max_age"] = "18"
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    page = response.content.decode()
    assert "L&#x27;âge minimum dépasse l&#x27;âge maximum." in page
    assert "contrainte" not in page and "placecapacity" not in page


def test_sec_04_the_database_refuses_implausible_values_too(structure):
    capacity = structure.capacities.get()
    for field, value in [("places", 10**6), ("max_age", 30000)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            PlaceCapacity.objects.filter(pk=capacity.pk).update(**{field: value})
    req = make_request()
    with pytest.raises(IntegrityError), transaction.atomic():
        Request.objects.filter(pk=req.pk).update(requested_on=dt.date(1, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=req.person_id).update(birth_year=1850)


def test_sec_04_every_check_constraint_a_form_can_meet_speaks_french():
    """A model form shows a broken constraint's violation_error_message: it must be written
    for the user, not Django's « La contrainte « name » n'est pas respectée »."""
    from django.apps import apps
    from django.db.models import CheckConstraint

    for label in ("persons", "places", "requests"):
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                if isinstance(constraint, CheckConstraint):
                    message = constraint.get_violation_error_message()
                    assert constraint.name not in message, (model, constraint.name)


@pytest.mark.parametrize(
    "query",
    [
        f"territory={2**63}",
        f"referrer={2**64}",
        "territory=abc",
        "referrer=-1",
    ],
)
def test_sec_04_a_list_filter_that_does_not_parse_is_ignored_with_a_french_message(
    client, siao_operator, query
):
    make_request(referrer=siao_operator)
    client.force_login(siao_operator)
    response = client.get(f"{reverse('requests:list')}?{query}")
    assert response.status_code == 200
    assert "valeur non reconnue" in response.content.decode()
    assert response.context["page"].paginator.count == 1


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("indicators:dashboard", "jour=0001-01-01"),
        ("indicators:dashboard", "jour=9999-12-31"),
        ("indicators:dashboard", "jour=2024-02-30"),
        ("indicators:transmission", "jour=0001-01-01"),
        ("indicators:drilldown", "jour=0001-01-01"),
        ("indicators:report", "debut=9999-12-31"),
        ("indicators:report", "debut=0001-01-01"),
    ],
)
def test_sec_04_siao_19_extreme_dates_on_indicator_pages_give_a_french_message(
    client, siao_operator, name, query
):
    client.force_login(siao_operator)
    response = client.get(f"{reverse(name)}?{query}")
    assert response.status_code in (200, 404)
    assert "valeur non reconnue" in response.content.decode()


def test_sec_04_a_nul_byte_in_a_search_is_stripped_before_the_database(client, siao_operator):
    client.force_login(siao_operator)
    response = client.get(reverse("requests:list"), {"q": "Du\x00ra\x07nd"})
    assert response.status_code == 200
    assert response.context["filters"]["q"] == "Durand"
    event = AuditEvent.objects.filter(detail__filters__q="Durand").get()
    assert "\x00" not in str(event.detail)


def test_sec_04_control_characters_never_reach_a_saved_note(client, social_worker):
    req = make_request(referrer=social_worker)
    client.force_login(social_worker)
    client.post(
        reverse("requests:edit", args=[req.pk]),
        {
            "request-requested_on": req.requested_on.isoformat(),
            "request-notes": "Ligne 1\r\nLigne\x00 2\x1b\tfin",
            "person-birth_name": req.person.birth_name,
            "person-first_names": req.person.first_names,
            "person-sex": req.person.sex,
        },
    )
    req.refresh_from_db()
    assert req.notes == "Ligne 1\r\nLigne 2\tfin"


# -- what was typed is shown again ------------------------------------------------------------


def test_sec_04_siao_14_a_refusal_other_reason_without_comment_keeps_the_reason(
    client, siao_operator, structure_manager, structure
):
    req = make_request(referrer=siao_operator)
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    orientation = orient(req, by=siao_operator, structure=structure)
    client.force_login(structure_manager)
    response = client.post(
        reverse("orientations:refuse", args=[orientation.pk]),
        {"reason": RefusalReason.OTHER, "comment": "  "},
    )
    assert response.status_code == 400
    form = response.context["refusal_form"]
    assert form.errors["comment"] == ["Précisez le motif du refus."]
    assert f'value="{RefusalReason.OTHER}" selected' in response.content.decode()


def test_sec_04_siao_11_a_rejected_attribution_keeps_its_note(client, siao_operator, structure):
    req = make_request(referrer=siao_operator)  # not evaluated: attribution is refused
    capacity = structure.capacities.get()
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:attribute", args=[req.pk]),
        {"capacity": capacity.pk, "mode": "attribute", "note": "Arrivée prévue lundi <matin>"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Arrivée prévue lundi &lt;matin&gt;" in page
    assert not req.orientations.exists()


def test_sec_04_siao_09_a_rejected_availability_declaration_keeps_its_note(
    client, structure_manager, structure
):
    capacity = structure.capacities.get()
    client.force_login(structure_manager)
    response = client.post(
        reverse("places:declare_availability", args=[structure.pk, capacity.pk]),
        {"action": "unavailable", "count": "999", "note": "Travaux dans l'aile nord"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Travaux dans l&#x27;aile nord" in page and 'value="999"' in page
    capacity.refresh_from_db()
    assert capacity.unavailable_places == 0


def test_sec_04_an_availability_count_beyond_any_shelter_is_refused(
    client, structure_manager, structure
):
    capacity = structure.capacities.get()
    client.force_login(structure_manager)
    response = client.post(
        reverse("places:declare_availability", args=[structure.pk, capacity.pk]),
        {"action": "unavailable", "count": str(2**63), "note": "x"},
    )
    assert response.status_code == 400


def test_sec_04_the_postgresql_columns_hold_no_nul(client, siao_operator):
    """On PostgreSQL a NUL in a JSON value fails the insert; the middleware strips it first."""
    client.force_login(siao_operator)
    client.get(reverse("audit:search"), {"username": "a\x00b"})
    assert AuditEvent.objects.filter(detail__filters__username="ab").exists()
    assert connection.vendor in ("sqlite", "postgresql")


def test_sec_04_a_dormitory_without_a_number_of_places_is_a_message_not_a_500(
    client, siao_operator, structure
):
    client.force_login(siao_operator)
    data = _form_data(client.get(reverse("places:edit", args=[structure.pk])))
    data["capacities-0-is_dormitory"] = "on"
    data["capacities-0-places"] = ""
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    assert response.status_code == 200
    assert "places" in response.context["capacities"].forms[0].errors


@pytest.mark.parametrize(
    ("typed", "instant"),
    [
        ("2026-12-01T10:00:00+23:00", dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)),
        ("2026-12-01T10:00-23:59", dt.datetime(2026, 12, 2, 9, 59, tzinfo=dt.UTC)),
        ("2026-12-01T10:00", dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)),  # Paris, winter
    ],
)
def test_sec_04_a_date_time_with_any_offset_is_read_in_the_sites_time_zone(typed, instant):
    """PostgreSQL refuses offsets past ±16 h: every date-time a form cleans is the instant
    typed, in the site's time zone (Europe/Paris)."""
    value = LocalDateTimeField().clean(typed)
    assert value == instant
    assert value.utcoffset() == timezone.localtime(instant).utcoffset() == dt.timedelta(hours=1)


@pytest.mark.parametrize("typed", ["0001-01-01T00:00+23:00", "9999-12-31T23:59-23:00"])
def test_sec_04_a_date_time_no_time_zone_can_hold_is_refused_in_french(typed):
    field = LocalDateTimeField(
        error_messages={"invalid": "Indiquez une date et une heure valides."}
    )
    with pytest.raises(forms.ValidationError, match="Indiquez une date et une heure valides"):
        field.clean(typed)


def _form_classes() -> set[type]:
    for module in pkgutil.walk_packages(relais.__path__, "relais."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            if subclass not in found:
                found.add(subclass)
                todo.append(subclass)
    return {form for form in found if form.__module__.startswith("relais.")}


def test_sec_04_every_date_time_field_of_every_form_is_read_in_the_sites_time_zone():
    """One mechanism: a date-time field declared or generated (model forms) anywhere in Relais
    is a LocalDateTimeField (relais/core/inputs.py)."""
    classes = _form_classes()
    assert len(classes) > 50  # the walk found the forms
    plain = [
        f"{form.__module__}.{form.__qualname__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if isinstance(field, forms.DateTimeField) and not isinstance(field, LocalDateTimeField)
    ]
    assert plain == []
    assert any(
        isinstance(field, LocalDateTimeField)
        for form in classes
        for field in form.base_fields.values()
    )
