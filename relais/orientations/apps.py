from django.apps import AppConfig


class OrientationsConfig(AppConfig):
    name = "relais.orientations"
    label = "orientations"
    verbose_name = "Orientations et séjours"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from relais.places.signals import places_freed
        from relais.requests.models import RequestEvent

        from . import justice_notices, notifications

        places_freed.connect(notifications.place_freed, dispatch_uid="orientations.place_freed")
        post_save.connect(
            justice_notices.request_event_saved,
            sender=RequestEvent,
            dispatch_uid="orientations.justice_notices",
        )
