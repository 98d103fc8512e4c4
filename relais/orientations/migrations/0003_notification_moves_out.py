from django.db import migrations


class Migration(migrations.Migration):
    """Notification now belongs to relais.notifications; its table stays (renamed there)."""

    dependencies = [("orientations", "0002_event_kind")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel("Notification")], database_operations=[]
        )
    ]
