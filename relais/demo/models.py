"""What the demo created, so that `load_demo` only ever replaces a database of its own."""

from django.db import models
from django.utils import timezone


class DemoRecordQuerySet(models.QuerySet):
    def ids_of(self, model: type[models.Model]) -> models.QuerySet:
        """The primary keys of `model`'s rows the demo created (a subquery)."""
        return self.filter(model=model._meta.label_lower).values("object_id")


class DemoRecord(models.Model):
    """One territory, organisation, account or person that `load_demo` created.

    Every other row of the application hangs on one of these (a structure on its territory,
    a request on its person, an audit row on its account), so a database whose territories,
    organisations, accounts and persons were all made by the demo, or entered by its
    accounts, is a demo database: `load_demo` may replace it.
    """

    model = models.CharField("modèle", max_length=100)
    object_id = models.BigIntegerField("identifiant")
    loaded_at = models.DateTimeField("chargé le", default=timezone.now)

    objects = DemoRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne créée par la démonstration"
        verbose_name_plural = "lignes créées par la démonstration"
        constraints = [
            models.UniqueConstraint(fields=["model", "object_id"], name="demorecord_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id}"
