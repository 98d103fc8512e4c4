from django.apps import AppConfig


class OrientationsConfig(AppConfig):
    name = "relais.orientations"
    label = "orientations"
    verbose_name = "Orientations et séjours"

    def ready(self) -> None:
        from relais.places.signals import places_freed

        from . import notifications

        places_freed.connect(notifications.place_freed, dispatch_uid="orientations.place_freed")
