"""Requests attached to a household before its facts were shared (SIAO-02) take the
principal request's: the child of a 115 caller needs a shelter tonight like the parent."""

from django.db import migrations
from django.db.models import F

FACTS = ("needs_tonight", "current_location")


def share_facts(apps, schema_editor):
    Request = apps.get_model("requests", "Request")
    principals = Request.objects.filter(person_id=F("household__principal_id"))
    for principal in principals.order_by("created_at", "id").iterator():
        siblings = Request.objects.filter(
            household_id=principal.household_id, channel=principal.channel
        ).exclude(pk=principal.pk)
        siblings.update(**{name: getattr(principal, name) for name in FACTS})


class Migration(migrations.Migration):
    dependencies = [("requests", "0007_persons_move_out")]

    operations = [migrations.RunPython(share_facts, migrations.RunPython.noop)]
