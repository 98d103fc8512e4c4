"""SIAO-18: every change of a structure's capacity is written, dated, to an append-only history.

Whatever the path (register editing, admin, dwellings, deletion, factories), the history says
which places were in effect from when, and when Relais learnt it.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from relais.orientations.models import Orientation
from relais.places.enums import PlaceType, StructureType
from relais.places.models import CapacityChange, Dwelling, PlaceCapacity
from relais.requests.enums import Channel
from tests.factories import PlaceCapacityFactory, StructureFactory, make_request

pytestmark = pytest.mark.django_db


def history(capacity) -> list[tuple]:
    return [
        (change.places_before, change.places, change.place_type, change.is_winter_only)
        for change in CapacityChange.objects.filter(capacity_id=capacity.pk).order_by("pk")
    ]


def test_siao_18_a_new_capacity_opens_its_history(structure):
    capacity = structure.capacities.get()
    change = CapacityChange.objects.get(capacity=capacity)
    assert history(capacity) == [(0, 20, PlaceType.INSERTION, False)]
    assert change.structure == structure
    assert change.occurred_at == change.recorded_at


def test_siao_18_each_counted_change_is_appended_and_nothing_else(structure, structure_manager):
    capacity = structure.capacities.get()
    capacity.places = 25
    capacity.save()
    capacity.label = "aile femmes"  # not counted by the indicators: no change
    capacity.save()
    capacity.declare_unavailable(by=structure_manager, count=2, note="Travaux")
    capacity.is_winter_only = True
    capacity.save()
    capacity.place_type = PlaceType.STABILISATION
    capacity.save()
    assert history(capacity) == [
        (0, 20, PlaceType.INSERTION, False),
        (20, 25, PlaceType.INSERTION, False),
        (25, 25, PlaceType.INSERTION, True),
        (25, 25, PlaceType.STABILISATION, True),
    ]


def test_siao_18_a_stale_instance_cannot_write_a_wrong_history(structure):
    capacity = structure.capacities.get()
    stale = PlaceCapacity.objects.get(pk=capacity.pk)
    capacity.places = 30
    capacity.save()
    stale.places = 12
    stale.save(update_fields=["places"])
    assert history(capacity)[-1] == (30, 12, PlaceType.INSERTION, False)


def test_siao_18_a_change_entered_late_keeps_when_it_took_effect(structure, siao_operator):
    capacity = structure.capacities.get()
    opened = CapacityChange.objects.get(capacity=capacity)
    CapacityChange.objects.filter(pk=opened.pk).update(
        occurred_at=timezone.now() - dt.timedelta(days=30),
        recorded_at=timezone.now() - dt.timedelta(days=30),
    )
    took_effect = timezone.now() - dt.timedelta(days=3)
    capacity.places = 24
    capacity.save(change_by=siao_operator, change_at=took_effect, change_note="Extension")
    change = capacity.changes.latest("pk")
    assert (change.occurred_at, change.actor, change.note) == (
        took_effect,
        siao_operator,
        "Extension",
    )
    assert change.recorded_at > took_effect
    # Never in the future, never before the change already in effect.
    capacity.places = 26
    with pytest.raises(ValidationError, match="demain"):
        capacity.save(change_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="avant le précédent"):
        capacity.save(change_at=took_effect - dt.timedelta(days=1))
    capacity.refresh_from_db()
    assert capacity.places == 24


def test_siao_18_places_derived_from_dwellings_are_in_the_history(structure_manager):
    structure = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.IML
    )
    capacity = PlaceCapacityFactory(structure=structure, place_type=PlaceType.HOUSING, places=1)
    Dwelling.objects.create(capacity=capacity, label="T4", surface=Decimal("72"))
    Dwelling.objects.create(capacity=capacity, label="T1", surface=Decimal("18.5"))
    capacity.dwellings.get(label="T1").delete()
    assert [(before, after) for before, after, *_ in history(capacity)] == [
        (0, 1),
        (1, 7),
        (7, 9),
        (9, 7),
    ]


def test_siao_18_register_editing_writes_who_changed_the_capacity(client, siao_operator, structure):
    capacity = structure.capacities.get()
    client.force_login(siao_operator)
    data = {
        "name": structure.name,
        "structure_type": structure.structure_type,
        "manager": structure.manager_id,
        "street": structure.street,
        "postcode": structure.postcode,
        "commune": structure.commune,
        "capacities-TOTAL_FORMS": "2",
        "capacities-INITIAL_FORMS": "1",
        "capacities-0-id": str(capacity.pk),
        "capacities-0-place_type": capacity.place_type,
        "capacities-0-places": "24",
        "capacities-0-accepts_men": "on",
        "capacities-1-place_type": PlaceType.EMERGENCY,
        "capacities-1-places": "6",
        "capacities-1-is_winter_only": "on",
    }
    response = client.post(reverse("places:edit", args=[structure.pk]), data)
    assert response.status_code == 302
    raised = capacity.changes.latest("pk")
    assert (raised.places_before, raised.places, raised.actor) == (20, 24, siao_operator)
    winter = structure.capacities.get(place_type=PlaceType.EMERGENCY)
    assert history(winter) == [(0, 6, PlaceType.EMERGENCY, True)]
    assert winter.changes.get().actor == siao_operator


def test_siao_18_admin_changes_are_in_the_history(admin_client, admin_user, structure):
    capacity = structure.capacities.get()
    url = reverse("admin:places_placecapacity_change", args=[capacity.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"structure": structure.pk, "places": 22}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {
            f"{formset.formset.prefix}-{key}": value
            for key, value in management.initial.items()
            if value is not None
        }
        for inline_form in formset.formset.forms:  # the history row already there
            data[f"{inline_form.prefix}-id"] = inline_form.instance.pk
            data[f"{inline_form.prefix}-capacity"] = capacity.pk
    data = {
        key: "on" if value is True else value
        for key, value in data.items()
        if value is not False and value != ""
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    change = capacity.changes.latest("pk")
    assert (change.places_before, change.places, change.actor) == (20, 22, admin_user)


def test_siao_18_a_deleted_capacity_ends_its_history_with_no_places(structure):
    extra = PlaceCapacityFactory(structure=structure, place_type=PlaceType.EMERGENCY, places=5)
    pk = extra.pk
    PlaceCapacity.objects.filter(pk=pk).delete()  # as the admin's bulk action does
    assert not PlaceCapacity.objects.filter(pk=pk).exists()
    changes = CapacityChange.objects.filter(capacity_id=pk).order_by("pk")
    assert [(c.places_before, c.places) for c in changes] == [(0, 5), (5, 0)]
    assert changes.last().structure == structure


def test_siao_18_capacities_with_orientations_and_structures_with_history_stay(
    structure, siao_operator, social_worker
):
    capacity = structure.capacities.get()
    Orientation.attribute(
        request=make_request(referrer=social_worker, channel=Channel.EMERGENCY),
        capacity=capacity,
        by=siao_operator,
    )
    with pytest.raises(ProtectedError):
        capacity.delete()
    assert history(capacity) == [(0, 20, PlaceType.INSERTION, False)]  # no closing written
    empty = StructureFactory(manager=structure.manager, places=4)
    with pytest.raises(ProtectedError):
        empty.delete()
