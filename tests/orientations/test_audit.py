"""SEC-01 on orientation pages: reading one is a read of the person's file, deciding a write."""

import pytest
from django.urls import reverse

from relais.audit.models import AuditEvent
from relais.orientations.models import Orientation

pytestmark = pytest.mark.django_db


def test_sec_01_orientation_pages_log_reads_and_decisions(
    client, evaluated_request, capacity, siao_operator, structure_manager
):
    client.force_login(siao_operator)
    client.post(
        reverse("orientations:attribute", args=[evaluated_request.pk]),
        {"capacity": capacity.pk, "mode": "attribute", "note": ""},
    )
    orientation = Orientation.objects.get()
    client.force_login(structure_manager)
    client.get(reverse("orientations:detail", args=[orientation.pk]))
    client.post(reverse("orientations:admit", args=[orientation.pk]))
    rows = AuditEvent.objects.filter(object_id=str(evaluated_request.pk)).order_by("id")
    assert [
        (r.username, r.action, r.detail.get("transition", r.detail.get("page"))) for r in rows
    ] == [
        (siao_operator.username, "write", "attribute"),
        (structure_manager.username, "read", "orientations:detail"),
        (structure_manager.username, "write", "admitted"),
    ]
