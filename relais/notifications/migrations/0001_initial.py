import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.urls import reverse


def link_to_requests(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for notice in Notification.objects.filter(request__isnull=False, link=""):
        notice.link = reverse("requests:detail", args=[notice.request_id])
        notice.link_label = f"Voir la demande n° {notice.request_id}"
        notice.save(update_fields=["link", "link_label"])


class Migration(migrations.Migration):
    """Takes over orientations' Notification table (moved, not copied), then renames it."""

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("orientations", "0003_notification_moves_out"),
        ("requests", "0005_close_reason_submission_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("message", models.TextField(verbose_name="message")),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="le"
                            ),
                        ),
                        (
                            "read_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="lue le"),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="destinataire",
                            ),
                        ),
                        (
                            "request",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="requests.request",
                                verbose_name="demande",
                            ),
                        ),
                        (
                            "orientation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to="orientations.orientation",
                                verbose_name="orientation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "orientations_notification",
                        "indexes": [
                            models.Index(
                                fields=["recipient", "read_at"],
                                name="orientation_recipie_e04bf4_idx",
                            )
                        ],
                    },
                )
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable("notification", None),
        migrations.RenameIndex(
            "notification",
            new_name="notification_unread_idx",
            old_name="orientation_recipie_e04bf4_idx",
        ),
        migrations.AddField(
            "notification",
            "link",
            models.CharField(blank=True, max_length=200, verbose_name="lien"),
        ),
        migrations.AddField(
            "notification",
            "link_label",
            models.CharField(blank=True, max_length=100, verbose_name="texte du lien"),
        ),
        migrations.RunPython(link_to_requests, migrations.RunPython.noop),
    ]
