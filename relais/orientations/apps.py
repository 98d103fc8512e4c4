from django.apps import AppConfig


class OrientationsConfig(AppConfig):
    name = "relais.orientations"
    label = "orientations"
    verbose_name = "Orientations et séjours"
