from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    """An in-app message to one user; the e-mail, when there is one, goes alongside.

    The apps that notify (orientations, access on request, the escalations to come) say who
    and what; `relais.notifications.notify()` writes these rows and sends the e-mails.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="destinataire",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # What the notice is about, named by string so notifications import no domain app.
    request = models.ForeignKey(
        "requests.Request",
        verbose_name="demande",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    orientation = models.ForeignKey(
        "orientations.Orientation",
        verbose_name="orientation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    parcours = models.ForeignKey(
        "iae.Parcours",
        verbose_name="parcours IAE",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    message = models.TextField("message")
    link = models.CharField("lien", max_length=200, blank=True)
    link_label = models.CharField("texte du lien", max_length=100, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.message
