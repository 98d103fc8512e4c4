from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    """Leaving detention: the release pipeline, escalations, dry exits, follow-up after
    release. Above justice, requests and orientations: it reads them all."""

    name = "relais.releases"
    label = "releases"
    verbose_name = "Sorties de détention"
