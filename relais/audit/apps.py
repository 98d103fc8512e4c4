from django.apps import AppConfig, apps
from django.db.models.signals import post_init


class AuditConfig(AppConfig):
    name = "relais.audit"
    label = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from . import reads

        # Every person loaded while a request is served is a read (SEC-01).
        post_init.connect(
            reads.person_loaded,
            sender=apps.get_model(reads.PERSON_MODEL),
            dispatch_uid="relais.audit.person_loaded",
        )
