from django.db import models
from django.utils import timezone

from relais.persons.models import Person


class Anonymisation(models.Model):
    """A person's file was anonymised by the retention rule (SEC-03): once, never undone."""

    person = models.OneToOneField(
        Person, verbose_name="personne", on_delete=models.CASCADE, related_name="anonymisation"
    )
    at = models.DateTimeField("anonymisée le", default=timezone.now)
    last_activity_on = models.DateField("dernière activité le")

    class Meta:
        verbose_name = "anonymisation"

    def __str__(self) -> str:
        return f"Personne n° {self.person_id} anonymisée le {self.at:%d/%m/%Y}"
