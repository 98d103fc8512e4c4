from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "relais.identity"
    label = "identity"
    verbose_name = "Identité des personnes"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from relais.persons.models import Person

        from .signals import person_saved

        post_save.connect(person_saved, sender=Person, dispatch_uid="identity_person_saved")
