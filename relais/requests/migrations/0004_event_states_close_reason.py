from django.db import migrations, models

STATUSES = [
    ("new", "À évaluer"),
    ("evaluated", "Évaluée"),
    ("waiting", "En attente de place"),
    ("oriented", "Orientée"),
    ("admitted", "Admise"),
    ("ended", "Sortie"),
    ("closed", "Clôturée"),
]


class Migration(migrations.Migration):
    """Request events share the workflow events' field names (from_state, to_state)."""

    dependencies = [("requests", "0003_orientation_event_kinds")]

    operations = [
        migrations.RenameField("requestevent", "from_status", "from_state"),
        migrations.RenameField("requestevent", "to_status", "to_state"),
    ]
